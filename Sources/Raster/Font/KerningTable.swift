/// Parses the legacy `kern` table: horizontal format-0 subtables (sorted glyph pairs with a value in font units).
/// Apple's version-1 header, cross-stream and minimum-value subtables, and other formats are skipped.
enum KerningTable {
    /// Pair key: left glyph in the high 16 bits, right glyph in the low 16 bits.
    static func key(_ left: UInt16, _ right: UInt16) -> UInt32 { UInt32(left) << 16 | UInt32(right) }

    static func parse(_ data: FontBytes, at table: Int, length: Int) throws -> [UInt32: Int16] {
        guard try data.u16(table) == 0 else { return [:] }  // Apple 'kern' version 1.0 is not read.
        let count = Int(try data.u16(table + 2))
        var pairs: [UInt32: Int16] = [:]
        var sub = table + 4
        for _ in 0..<count {
            guard sub + 6 <= table + length else { break }
            let subLength = Int(try data.u16(sub + 2))
            let coverage = try data.u16(sub + 4)
            let format = coverage >> 8
            let horizontal = coverage & 0x1 != 0, minimum = coverage & 0x2 != 0, crossStream = coverage & 0x4 != 0
            let override = coverage & 0x8 != 0
            if format == 0 && horizontal && !minimum && !crossStream {
                let n = Int(try data.u16(sub + 6))
                for i in 0..<n {
                    let p = sub + 14 + 6 * i
                    let k = key(try data.u16(p), try data.u16(p + 2))
                    let value = try data.i16(p + 4)
                    if override { pairs[k] = value } else { pairs[k, default: 0] &+= value }
                }
            }
            // A subtable's 16-bit length can overflow for huge tables; DejaVu's single subtable is last anyway.
            guard subLength > 0 else { break }
            sub += subLength
        }
        return pairs
    }
}
