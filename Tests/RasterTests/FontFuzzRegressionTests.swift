// Fonts the fuzzer (scripts/fuzz font) found that crashed or stalled the TrueType parser; each
// must now load or throw. The seed patched here is fuzz/corpus/font/seed-dejavu-9-glyphs-cmap12.ttf.

import Foundation
import Raster
import Testing

@Suite("TrueType parser on inputs the fuzzer found")
struct FontFuzzRegressionTests {
    /// The 9-character DejaVu subset with a format 12 cmap, and the byte offset of its groups.
    func cmap12Font() throws -> (bytes: [UInt8], groups: Int) {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fuzz/corpus/font/seed-dejavu-9-glyphs-cmap12.ttf")
        let bytes = [UInt8](try Data(contentsOf: url))
        func u32(_ o: Int) -> Int { Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3]) }
        let tables = Int(bytes[4]) << 8 | Int(bytes[5])
        let record = try #require((0..<tables).map { 12 + 16 * $0 }.first { String(decoding: bytes[$0..<($0 + 4)], as: UTF8.self) == "cmap" })
        let cmap = u32(record + 8)
        let subtable = cmap + u32(cmap + 4 + 4)  // the only encoding record
        #expect(bytes[subtable + 1] == 12)
        return (bytes, subtable + 16)
    }

    func put(_ value: UInt32, at offset: Int, in bytes: inout [UInt8]) {
        for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (24 - 8 * i)) }
    }

    @Test("a format 12 group whose glyph ids pass 2^32 maps nothing, instead of trapping on overflow")
    func format12GlyphOverflow() throws {
        var (bytes, groups) = try cmap12Font()
        let start = UInt32(bytes[groups]) << 24 | UInt32(bytes[groups + 1]) << 16 | UInt32(bytes[groups + 2]) << 8 | UInt32(bytes[groups + 3])
        put(start + 1, at: groups + 4, in: &bytes)      // two codes
        put(0xFFFF_FFFF, at: groups + 8, in: &bytes)    // first glyph id: the second code's is 2^32
        let font = try Font(data: bytes)
        #expect(font.glyph(for: Unicode.Scalar(start)!) == nil)
        #expect(font.glyph(for: "A") != nil)
    }

    @Test("format 12 groups that overlap beyond Unicode's size are rejected, not looped over for minutes")
    func format12Overlap() throws {
        var (bytes, groups) = try cmap12Font()
        for g in 0..<2 {
            put(0, at: groups + 12 * g, in: &bytes)
            put(0x10_FFFF, at: groups + 12 * g + 4, in: &bytes)
            put(0x1_0000, at: groups + 12 * g + 8, in: &bytes)  // past the 16-bit glyph ids: nothing stored
        }
        #expect(throws: FontError.unsupported("cmap format 12 groups overlap")) { try Font(data: bytes) }
    }
}
