// Weight files written by other libraries: safetensors (safetensors.numpy, safetensors.torch)
// and NumPy .npz (np.savez, np.savez_compressed), read against the values those libraries wrote
// out as JSON next to them (fixtures/import/readers*); damaged and hostile files are errors that
// name the file; the layout conversions against explicit index loops.

import Foundation
import Testing
@testable import Models
@testable import Training

@Suite("Weight files (safetensors, npz) and layout conversion")
struct WeightFileTests {
    static let folder = repositoryRoot.appendingPathComponent("fixtures/import")

    struct Expected: Decodable {
        struct Entry: Decodable { let shape: [Int]; let values: [Double] }
        let arrays: [String: Entry]
        let strings: [String: String]?
        let metadata: [String: String]?
    }

    func expected(_ name: String) throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: Self.folder.appendingPathComponent(name)))
    }

    func path(_ name: String) -> String { Self.folder.appendingPathComponent(name).path }

    /// Where `text`'s UTF-8 bytes first occur in `bytes`.
    static func find(_ text: String, in bytes: [UInt8]) -> Int? {
        let pattern = Array(text.utf8)
        return (0...(bytes.count - pattern.count)).first { bytes[$0..<($0 + pattern.count)].elementsEqual(pattern) }
    }

    @Test("safetensors and npz (stored and deflated, Fortran order, big-endian, text) give the values their writers wrote", arguments: [
        ("readers.safetensors", "readers-expected.json"), ("readers.npz", "readers-expected.json"),
        ("readers-compressed.npz", "readers-expected.json"), ("readers-torch.safetensors", "readers-torch-expected.json"),
    ])
    func readsWhatWasWritten(file: String, reference: String) throws {
        let read = try WeightFile.read(path(file)), want = try expected(reference)
        let names = file.hasSuffix(".npz") || file.contains("torch") ? Set(want.arrays.keys) : Set(want.arrays.keys).subtracting(["fortran", "bigendian"])
        #expect(Set(read.arrays.keys) == names)
        for name in names {
            let array = try #require(read.arrays[name]), entry = want.arrays[name]!
            #expect(array.shape == entry.shape, "\(file): \(name)")
            #expect(array.values.map(\.bitPattern) == entry.values.map(\.bitPattern), "\(file): \(name)")
        }
        if file.hasSuffix(".npz") { #expect(read.strings["layout"] == "flax") }
        if file == "readers.safetensors" { #expect(read.strings == want.metadata) }
        #expect(read.format == (file.hasSuffix(".npz") ? "npz" : "safetensors"))
        #expect(read.sha256 == SHA256.hex(try Data(contentsOf: URL(fileURLWithPath: path(file)))))
    }

    /// `bytes` of `file` changed by `edit`, written to a temporary file, read: the error's text.
    func damaged(_ file: String, _ edit: (inout [UInt8]) -> Void) throws -> String {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(file))))
        edit(&bytes)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("damaged-\(UUID().uuidString)-\(file)")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        do {
            _ = try WeightFile.read(url.path)
            return ""
        } catch let error as DataError {
            #expect(error.description.contains(url.path), "the error names the file: \(error)")
            return error.description
        }
    }

    @Test("damaged and hostile files are errors naming the file and what is wrong")
    func damagedFiles() throws {
        // safetensors: truncated data, a header length past the end, a header that is not JSON,
        // offsets outside the data, a shape that does not match its bytes.
        #expect(try damaged("readers.safetensors") { $0.removeLast(9) }.contains("data_offsets"))
        #expect(try damaged("readers.safetensors") { $0[7] = 0x7F }.contains("header claims"))
        #expect(try damaged("readers.safetensors") { $0[8] = UInt8(ascii: "x") }.contains("not a JSON object"))
        #expect(try damaged("readers.safetensors") { bytes in
            let at = Self.find("\"shape\":[4]", in: bytes)!
            bytes[at + 9] = UInt8(ascii: "5")
        }.contains("byte count"))
        // npz: a flipped data byte fails the CRC; a cut archive has no directory; a stored
        // member that claims more bytes than it has.
        #expect(try damaged("readers.npz") { bytes in
            bytes[Self.find("{'descr'", in: bytes)! + 122] ^= 0x01
        }.contains("CRC-32"))
        #expect(try damaged("readers.npz") { $0.removeLast(30) }.contains("not a zip archive"))
        #expect(try damaged("readers-compressed.npz") { bytes in
            // The first member's deflated data: corrupt its first bytes.
            let nameLength = Int(bytes[26]) | Int(bytes[27]) << 8, extraLength = Int(bytes[28]) | Int(bytes[29]) << 8
            let start = 30 + nameLength + extraLength
            for k in start..<(start + 8) { bytes[k] = 0xFF }
        }.isEmpty == false)
        #expect(try damaged("readers.npz") { $0 = Array($0.prefix(3)) }.isEmpty == false)
    }

    @Test("layout conversions: PyTorch's [out, in] transposed, Flax's HWIO kernels permuted to [C_out, C_in, kh, kw]")
    func permutations() throws {
        // theirs [kh, kw, cin, cout] = [2, 3, 4, 5]; ours [cout, cin, kh, kw].
        let theirs = [2, 3, 4, 5]
        let values = (0..<120).map(Double.init)
        let ours = WeightImport.permuted(values, shape: theirs, toOurs: [3, 2, 0, 1])
        for o in 0..<5 { for i in 0..<4 { for h in 0..<2 { for w in 0..<3 {
            #expect(ours[((o * 4 + i) * 2 + h) * 3 + w] == values[((h * 3 + w) * 4 + i) * 5 + o])
        } } } }
        let matrix = WeightImport.permuted((0..<6).map(Double.init), shape: [2, 3], toOurs: [1, 0])
        #expect(matrix == [0, 3, 1, 4, 2, 5])
        #expect(WeightImport.sourceName("stage1.block0.body.conv1.weight", role: .convolutionWeight, rank: 4, buffer: false, convention: .flax)
                == ("params/stage1/block0/body/conv1/kernel", [3, 2, 0, 1]))
        #expect(WeightImport.sourceName("stem.bn.running_var", role: .other, rank: 1, buffer: true, convention: .flax) == ("batch_stats/stem/bn/var", []))
        #expect(WeightImport.sourceName("block0.ln1.weight", role: .normScale, rank: 1, buffer: false, convention: .flax) == ("params/block0/ln1/scale", []))
        #expect(WeightImport.sourceName("embedding.weight", role: .table, rank: 2, buffer: false, convention: .flax) == ("params/embedding/embedding", []))
        #expect(WeightImport.sourceName("dense0.weight", role: .denseWeight, rank: 2, buffer: false, convention: .pytorch) == ("dense0.weight", [1, 0]))
        #expect(WeightImport.sourceName("stage1.block0.body.scale.scale", role: .other, rank: 1, buffer: false, convention: .flax)
                == ("params/stage1/block0/body/scale/scale", []))
    }
}
