/// Parses the `cmap` table into a character-to-glyph dictionary.
///
/// Prefers a Unicode full-repertoire subtable (format 12: platform 3 encoding 10, or platform 0 encodings 4/6),
/// then a BMP subtable (format 4: platform 3 encoding 1, or platform 0 encodings 0-3).
enum CharacterMap {
    static func parse(_ data: FontBytes, at table: Int) throws -> [UInt32: UInt16] {
        let count = Int(try data.u16(table + 2))
        var format12: Int?
        var format4: Int?
        for i in 0..<count {
            let record = table + 4 + 8 * i
            let platform = try data.u16(record), encoding = try data.u16(record + 2)
            let offset = table + Int(try data.u32(record + 4))
            let format = try data.u16(offset)
            let unicode = platform == 0 || (platform == 3 && (encoding == 1 || encoding == 10))
            guard unicode else { continue }
            if format == 12 && format12 == nil { format12 = offset }
            if format == 4 && format4 == nil { format4 = offset }
        }
        if let offset = format12 { return try parseFormat12(data, offset) }
        if let offset = format4 { return try parseFormat4(data, offset) }
        throw FontError.unsupported("no Unicode cmap subtable of format 4 or 12")
    }

    /// Format 4: segments of consecutive BMP code points, mapped by delta or through a glyph index array.
    private static func parseFormat4(_ data: FontBytes, _ offset: Int) throws -> [UInt32: UInt16] {
        let segments = Int(try data.u16(offset + 6)) / 2
        let ends = offset + 14
        let starts = ends + 2 * segments + 2
        let deltas = starts + 2 * segments
        let rangeOffsets = deltas + 2 * segments
        var map: [UInt32: UInt16] = [:]
        var mapped = 0
        for s in 0..<segments {
            let end = Int(try data.u16(ends + 2 * s)), start = Int(try data.u16(starts + 2 * s))
            let delta = Int(try data.u16(deltas + 2 * s))
            let rangeOffsetAt = rangeOffsets + 2 * s
            let rangeOffset = Int(try data.u16(rangeOffsetAt))
            guard start <= end else { continue }
            // Segments are sorted and disjoint, so a BMP map has at most 65536 codes.
            mapped += end - start + 1
            guard mapped <= 0x10000 else { throw FontError.unsupported("cmap format 4 segments overlap") }
            for code in start...end where code != 0xFFFF {
                var glyph: Int
                if rangeOffset == 0 {
                    glyph = (code + delta) & 0xFFFF
                } else {
                    // idRangeOffset counts bytes from its own position to the glyph index for `start`.
                    glyph = Int(try data.u16(rangeOffsetAt + rangeOffset + 2 * (code - start)))
                    if glyph != 0 { glyph = (glyph + delta) & 0xFFFF }
                }
                if glyph != 0 { map[UInt32(code)] = UInt16(glyph) }
            }
        }
        return map
    }

    /// Format 12: groups of consecutive code points mapped to consecutive glyphs.
    private static func parseFormat12(_ data: FontBytes, _ offset: Int) throws -> [UInt32: UInt16] {
        let groups = Int(try data.u32(offset + 12))
        var map: [UInt32: UInt16] = [:]
        var mapped = 0
        for g in 0..<groups {
            let record = offset + 16 + 12 * g
            let start = try data.u32(record), end = try data.u32(record + 4), glyph = try data.u32(record + 8)
            guard start <= end, end - start < 0x110000 else { continue }
            // Groups are disjoint: together they cover at most all of Unicode's 0x110000 code points.
            mapped += Int(end - start) + 1
            guard mapped <= 0x110000 else { throw FontError.unsupported("cmap format 12 groups overlap") }
            for code in start...end {
                let id = Int(glyph) + Int(code - start)  // UInt32 arithmetic would overflow on a hostile glyph id
                if id != 0 && id <= 0xFFFF { map[code] = UInt16(id) }
            }
        }
        return map
    }
}
