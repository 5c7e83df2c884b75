/// Big-endian reads from font data with bounds checks: a malformed font throws, it never traps.
struct FontBytes {
    let bytes: [UInt8]

    var count: Int { bytes.count }

    func u8(_ offset: Int) throws -> UInt8 {
        guard offset >= 0, offset < bytes.count else { throw FontError.truncated(offset: offset) }
        return bytes[offset]
    }

    func i8(_ offset: Int) throws -> Int8 { Int8(bitPattern: try u8(offset)) }

    func u16(_ offset: Int) throws -> UInt16 {
        guard offset >= 0, offset + 2 <= bytes.count else { throw FontError.truncated(offset: offset) }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    func i16(_ offset: Int) throws -> Int16 { Int16(bitPattern: try u16(offset)) }

    func u32(_ offset: Int) throws -> UInt32 {
        guard offset >= 0, offset + 4 <= bytes.count else { throw FontError.truncated(offset: offset) }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
            | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    /// A 2.14 fixed-point number (composite glyph scales).
    func f2dot14(_ offset: Int) throws -> Double { Double(try i16(offset)) / 16384 }
}

/// Why a font could not be loaded.
public enum FontError: Error, CustomStringConvertible, Equatable {
    /// A read went past the end of the data or of a table.
    case truncated(offset: Int)
    /// A table the parser needs is absent.
    case missingTable(String)
    /// The data is not a TrueType font with glyf outlines (e.g. CFF/OpenType-PS or a collection).
    case unsupported(String)
    /// The file could not be read.
    case unreadable(path: String)

    public var description: String {
        switch self {
        case .truncated(let offset): return "font data ends early (read at byte \(offset))"
        case .missingTable(let tag): return "font has no '\(tag)' table"
        case .unsupported(let why): return "unsupported font: \(why)"
        case .unreadable(let path): return "cannot read font file '\(path)'"
        }
    }
}
