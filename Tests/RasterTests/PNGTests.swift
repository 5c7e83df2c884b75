import Foundation
import Testing
@testable import Raster

@Suite("PNG output")
struct PNGTests {
    /// A small canvas with opaque, translucent and empty pixels.
    func sample() -> Canvas {
        var canvas = Canvas(width: 31, height: 17)
        canvas.fill(Rect(x: 0, y: 0, width: 31, height: 8), color: Color(hex: 0x1F77B4))
        canvas.fill(.circle(center: Point(15.3, 9.1), radius: 6.2), color: Color(red: 1, green: 0.5, blue: 0, alpha: 0.6))
        return canvas
    }

    @Test("round trip through libpng keeps every pixel (straight alpha within premultiplication rounding)")
    func roundTrip() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("sample.png").path
        let canvas = sample()
        try canvas.writePNG(to: path, options: PNGOptions(compressionLevel: 9, filter: .adaptive,
                                                          text: [("Software", "Curvature"), ("Title", "λ ≈ 2/η")]))
        let back = try RGBAImage(pngFile: path)
        #expect(back == canvas.image)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["sample.png"])
    }

    @Test("pngcheck accepts the file and sees the text chunks", arguments: [0, 6, 9])
    func pngcheck(level: Int) throws {
        guard let tool = findExecutable("pngcheck") else {
            print("pngcheck not installed: check skipped")
            return
        }
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("check.png").path
        try sample().writePNG(to: path, options: PNGOptions(compressionLevel: level, text: [("Software", "Curvature raster"), ("Source", "runs/a.h5")]))
        let (status, output) = try run(tool, ["-t", path])
        print(output)
        #expect(status == 0)
        for needle in ["Software", "Curvature raster", "runs/a.h5"] {
            #expect(output.contains(needle))
        }
    }

    @Test("Pillow reads the same pixels back (skipped without Pillow)")
    func pillow() throws {
        guard let python = findExecutable("python3"),
              (try? run(python, ["-c", "import PIL"]))?.0 == 0 else {
            print("Pillow not available: check skipped")
            return
        }
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("pillow.png").path
        let canvas = sample()
        try canvas.writePNG(to: path)
        let script = "import sys; from PIL import Image; im = Image.open(sys.argv[1]); print(im.mode, im.size[0], im.size[1]); sys.stdout.write(im.tobytes().hex())"
        let (status, output) = try run(python, ["-c", script, path])
        #expect(status == 0)
        let lines = output.split(separator: "\n", maxSplits: 1)
        #expect(lines.first == "RGBA 31 17")
        let expected = canvas.image.bytes.map { String(format: "%02x", $0) }.joined()
        let pixelsHex = lines.count == 2 ? String(lines[1]) : ""
        #expect(pixelsHex == expected)
    }

    @Test("an unwritable destination throws and leaves no partial file")
    func unwritable() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A missing directory: the temporary file cannot even be created.
        let missing = dir.appendingPathComponent("no/such/dir/out.png").path
        #expect(throws: PNGError.self) { try sample().writePNG(to: missing) }
        // A directory in the way: everything is written, then the final rename fails.
        let blocked = dir.appendingPathComponent("out.png")
        try FileManager.default.createDirectory(at: blocked, withIntermediateDirectories: false)
        do {
            try sample().writePNG(to: blocked.path)
            Issue.record("writing over a directory should throw")
        } catch let error as PNGError {
            print("error text: \(error)")
            #expect(error.description.contains(blocked.path))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.png"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: blocked.path).isEmpty)
    }

    @Test("empty canvases, bad levels and bad keys are Swift errors")
    func invalidInput() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("x.png").path
        #expect(throws: PNGError.emptyImage(width: 0, height: 5)) { try Canvas(width: 0, height: 5).writePNG(to: path) }
        #expect(throws: PNGError.invalidCompressionLevel(10)) {
            try sample().writePNG(to: path, options: PNGOptions(compressionLevel: 10))
        }
        #expect(throws: PNGError.self) { try sample().writePNG(to: path, options: PNGOptions(text: [("", "x")])) }
        #expect(throws: PNGError.self) { try sample().writePNG(to: path, options: PNGOptions(text: [(String(repeating: "k", count: 80), "x")])) }
        #expect(throws: PNGError.self) { try RGBAImage(pngFile: path) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test("writing replaces an existing file atomically")
    func replaces() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("r.png").path
        try Canvas(width: 3, height: 3, background: .white).writePNG(to: path)
        try sample().writePNG(to: path)
        #expect(try RGBAImage(pngFile: path).width == 31)
    }

    @Test("large images: strips compressed in parallel give the same bytes for any thread count, and decode exactly")
    func parallelStrips() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var canvas = Canvas(width: 300, height: 1100, background: .white)
        for k in 0..<40 {
            let y = Double(k) * 27.3
            canvas.stroke(.line(from: Point(3, y), to: Point(297, 1100 - y)), style: StrokeStyle(width: 1.5),
                          color: Color(red: Double(k) / 40, green: 0.3, blue: 1 - Double(k) / 40, alpha: 0.8))
        }
        canvas.fill(.circle(center: Point(150, 550), radius: 90), color: Color(hex: 0x2CA02C, alpha: 0.5))
        var files: [Data] = []
        for (name, options) in [("t1", PNGOptions(threads: 1)), ("t2", PNGOptions(threads: 2)), ("t3", PNGOptions(threads: 3)),
                                ("fast", PNGOptions.fast), ("adaptive", PNGOptions(filter: .adaptive)),
                                ("sub-rle", PNGOptions(filter: .sub, strategy: .runLength))] {
            let path = dir.appendingPathComponent("\(name).png").path
            try canvas.writePNG(to: path, options: options)
            #expect(try RGBAImage(pngFile: path) == canvas.image, "\(name) decodes to other pixels")
            if let tool = findExecutable("pngcheck") {
                let (status, output) = try run(tool, [path])
                #expect(status == 0, "\(output)")
            }
            if name.hasPrefix("t") { files.append(try Data(contentsOf: URL(fileURLWithPath: path))) }
        }
        #expect(files[0] == files[1] && files[1] == files[2])
        // zlib in Python checks the combined Adler-32 of the strips (skipped without Pillow).
        if let python = findExecutable("python3"), (try? run(python, ["-c", "import PIL"]))?.0 == 0 {
            let script = "import sys; from PIL import Image; sys.stdout.write(Image.open(sys.argv[1]).tobytes().hex())"
            let (status, output) = try run(python, ["-c", script, dir.appendingPathComponent("t2.png").path])
            #expect(status == 0)
            #expect(output == canvas.image.bytes.map { String(format: "%02x", $0) }.joined())
        }
    }

    @Test("the writer's vectorized Adler-32 matches the definition")
    func adler() {
        func reference(_ bytes: ArraySlice<UInt8>, _ start: UInt32) -> UInt32 {
            var a = start & 0xFFFF, b = start >> 16
            for x in bytes {
                a = (a + UInt32(x)) % 65521
                b = (b + a) % 65521
            }
            return b << 16 | a
        }
        #expect(pngAdler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
        var state: UInt64 = 7
        var data: [UInt8] = []
        for _ in 0..<40_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            data.append(UInt8(truncatingIfNeeded: state >> 33))
        }
        data.append(contentsOf: [UInt8](repeating: 255, count: 20_000))
        for (offset, length) in [(0, 0), (3, 1), (0, 15), (5, 16), (1, 17), (0, 5552), (7, 5553), (11, 30_001), (0, 60_000)] {
            let slice = data[offset..<(offset + length)]
            #expect(pngAdler32(Array(slice), start: 0x1234_5678 % 65521) == reference(slice, 0x1234_5678 % 65521),
                    "offset \(offset) length \(length)")
            #expect(pngAdler32(Array(slice)) == reference(slice, 1))
        }
    }
}
