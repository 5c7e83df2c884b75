import Foundation
import Testing
@testable import Raster

/// Golden-image comparison. `CURV_REGOLDEN=1 swift test --filter RasterTests` rewrites the goldens in
/// fixtures/raster/ (look at every one before committing); otherwise each scene must match its golden
/// within `goldenTolerance` per channel. On a mismatch the rendered image is written next to the
/// temporary directory for inspection and its path is printed.
let goldenTolerance = 3

/// fixtures/raster, found from this source file's location.
let goldenDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("fixtures/raster")

func checkGolden(_ canvas: Canvas, _ name: String) throws {
    let url = goldenDirectory.appendingPathComponent(name + ".png")
    if ProcessInfo.processInfo.environment["CURV_REGOLDEN"] == "1" {
        try FileManager.default.createDirectory(at: goldenDirectory, withIntermediateDirectories: true)
        try canvas.writePNG(to: url.path, options: PNGOptions(compressionLevel: 9, filter: .adaptive))
        print("golden rewritten: \(url.path)")
        return
    }
    guard FileManager.default.fileExists(atPath: url.path) else {
        Issue.record("missing golden \(url.path): run with CURV_REGOLDEN=1 and inspect the image")
        return
    }
    let golden = try RGBAImage(pngFile: url.path)
    let observed = canvas.image
    #expect(golden.width == observed.width && golden.height == observed.height, "size differs from golden \(name)")
    guard golden.width == observed.width, golden.height == observed.height else { return }
    var worst = 0, over = 0
    for i in 0..<golden.bytes.count {
        let d = abs(Int(golden.bytes[i]) - Int(observed.bytes[i]))
        worst = max(worst, d)
        if d > goldenTolerance { over += 1 }
    }
    if over > 0 {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-observed.png")
        try? canvas.writePNG(to: out.path)
        Issue.record("\(name): \(over) channel values differ by more than \(goldenTolerance) (worst \(worst)); rendered image at \(out.path)")
    } else {
        print("\(name): matches golden (worst channel difference \(worst))")
    }
}
