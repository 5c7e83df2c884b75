import CZlib
import Foundation

/// NumPy's `.npz`: a zip archive (`np.savez`: stored; `np.savez_compressed`: deflated; entries
/// written with ZIP64 extra fields) of `.npy` files, one array each, named `NAME.npy`. Each
/// entry's CRC-32 is checked.
enum NumpyArchive {
    static func read(_ data: Data, name: String) throws -> (arrays: [String: WeightFile.Array], strings: [String: String]) {
        var arrays: [String: WeightFile.Array] = [:], strings: [String: String] = [:]
        for entry in try entries(data, name: name) {
            let member = "\(name): \(entry.name)"
            guard entry.name.hasSuffix(".npy") else { continue }
            let key = String(entry.name.dropLast(4))
            switch try NumpyArray.parse(entry.bytes, name: member) {
            case let .numbers(array): arrays[key] = array
            case let .text(text): strings[key] = text
            }
        }
        return (arrays, strings)
    }

    struct Entry { let name: String; let bytes: Data }

    /// Every member's name and decompressed bytes, from the central directory.
    static func entries(_ data: Data, name: String) throws -> [Entry] {
        let bytes = [UInt8](data)
        func u16(_ at: Int) throws -> Int {
            guard at >= 0, at + 2 <= bytes.count else { throw DataError("\(name): the zip archive is truncated (a record runs past its end)") }
            return Int(bytes[at]) | Int(bytes[at + 1]) << 8
        }
        func u32(_ at: Int) throws -> Int { let low = try u16(at), high = try u16(at + 2); return low | high << 16 }
        func u64(_ at: Int) throws -> Int {
            let low = try u32(at), high = try u32(at + 4)
            let value = UInt64(low) | UInt64(high) << 32
            guard value <= UInt64(Int.max) else { throw DataError("\(name): a zip64 size or offset is out of range (damaged archive)") }
            return Int(value)
        }
        // End of central directory: 22 bytes plus a comment of at most 65535, at the end.
        var end = -1, at = bytes.count - 22
        while at >= max(0, bytes.count - 22 - 65_535) {
            if try u32(at) == 0x0605_4B50 { end = at; break }
            at -= 1
        }
        guard end >= 0 else { throw DataError("\(name): not a zip archive (no end-of-directory record); an .npz is one, written by np.savez") }
        var count = try u16(end + 10), directory = try u32(end + 16)
        if count == 0xFFFF || directory == 0xFFFF_FFFF {
            // ZIP64 end-of-directory locator just before, pointing at the ZIP64 record.
            guard end >= 20, try u32(end - 20) == 0x0706_4B50 else { throw DataError("\(name): a ZIP64 archive without its locator (damaged)") }
            let record = try u64(end - 12)
            guard try u32(record) == 0x0606_4B50 else { throw DataError("\(name): the ZIP64 end-of-directory record is missing (damaged)") }
            count = try u64(record + 32)
            directory = try u64(record + 48)
        }
        guard count <= 1_000_000 else { throw DataError("\(name): the archive claims \(count) members (damaged)") }
        var out: [Entry] = []
        at = directory
        for _ in 0..<count {
            guard try u32(at) == 0x0201_4B50 else { throw DataError("\(name): the zip central directory is damaged (bad record signature)") }
            let method = try u16(at + 10), crc = UInt32(try u32(at + 16))
            var compressed = try u32(at + 20), size = try u32(at + 24)
            let nameLength = try u16(at + 28), extraLength = try u16(at + 30), commentLength = try u16(at + 32)
            var local = try u32(at + 42)
            guard at + 46 + nameLength <= bytes.count else { throw DataError("\(name): the zip archive is truncated") }
            let memberName = String(decoding: bytes[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
            // ZIP64 extra field (tag 1): the 64-bit values of the fields that read 0xFFFFFFFF, in order.
            var extra = at + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let tag = try u16(extra), length = try u16(extra + 2)
                if tag == 1 {
                    var field = extra + 4
                    if size == 0xFFFF_FFFF { size = try u64(field); field += 8 }
                    if compressed == 0xFFFF_FFFF { compressed = try u64(field); field += 8 }
                    if local == 0xFFFF_FFFF { local = try u64(field) }
                }
                extra += 4 + length
            }
            at = extraEnd + commentLength
            guard try u32(local) == 0x0403_4B50 else { throw DataError("\(name): \(memberName): its local header is missing (damaged archive)") }
            let localName = try u16(local + 26), localExtra = try u16(local + 28)
            let start = local + 30 + localName + localExtra
            guard start >= 0, compressed >= 0, start + compressed <= bytes.count else {
                throw DataError("\(name): \(memberName): its data runs past the end of the archive (truncated)")
            }
            let stored = data.subdata(in: (data.startIndex + start)..<(data.startIndex + start + compressed))
            let content: Data
            switch method {
            case 0: content = stored
            case 8: content = try Gzip.decompress(stored, name: "\(name): \(memberName)", raw: true, limit: size)
            default: throw DataError("\(name): \(memberName): zip compression method \(method) is not read here (stored and deflate are: np.savez, np.savez_compressed)")
            }
            guard content.count == size else {
                throw DataError("\(name): \(memberName): \(content.count) bytes where the archive declares \(size) (damaged)")
            }
            let actual = content.withUnsafeBytes { UInt32(crc32(0, $0.bindMemory(to: Bytef.self).baseAddress, uInt($0.count))) }
            guard actual == crc else { throw DataError("\(name): \(memberName): CRC-32 mismatch (the archive was damaged)") }
            out.append(Entry(name: memberName, bytes: content))
        }
        return out
    }
}

/// One `.npy` file: magic `\x93NUMPY`, version, a header length, a Python dict literal
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`, then the data.
enum NumpyArray {
    enum Content { case numbers(WeightFile.Array), text(String) }

    static let elements: [String: StoredElement] = [
        "f8": .float64, "f4": .float32, "f2": .float16, "i8": .int64, "i4": .int32, "i2": .int16, "i1": .int8,
        "u1": .uint8, "b1": .bool,
    ]

    static func parse(_ data: Data, name: String) throws -> Content {
        let bytes = [UInt8](data)
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw DataError("\(name): not a .npy array (no \\x93NUMPY magic)")
        }
        let major = bytes[6]
        let (headerLength, headerStart): (Int, Int)
        switch major {
        case 1: (headerLength, headerStart) = (Int(bytes[8]) | Int(bytes[9]) << 8, 10)
        case 2, 3:
            guard bytes.count >= 12 else { throw DataError("\(name): truncated .npy header") }
            (headerLength, headerStart) = (Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24, 12)
        default: throw DataError("\(name): .npy format version \(major) is not read here (1 to 3 are)")
        }
        guard headerStart + headerLength <= bytes.count else { throw DataError("\(name): truncated .npy header") }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard let descr = field("descr", in: header).flatMap(quoted), let fortran = field("fortran_order", in: header),
              let shapeText = field("shape", in: header) else {
            throw DataError("\(name): the .npy header \(header.trimmingCharacters(in: .whitespacesAndNewlines)) lacks descr, fortran_order or shape")
        }
        let shape = try shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() ")).split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .map { part -> Int in
                guard let n = Int(part), n >= 0 else { throw DataError("\(name): .npy shape \(shapeText) is not a tuple of sizes") }
                return n
            }
        guard let count = elementCount(shape) else { throw DataError("\(name): .npy shape \(shape) is too large") }
        let payload = data.subdata(in: (data.startIndex + headerStart + headerLength)..<data.endIndex)
        let order = descr.first!, code = String(descr.dropFirst())
        let bigEndian = order == ">"
        guard "<>|=".contains(order) else { throw DataError("\(name): .npy dtype \(descr) is not read here") }
        if code.hasPrefix("U"), let width = Int(code.dropFirst()) {
            // UTF-32 text, `width` code points per element: a 0-d string (np.array("pytorch")).
            guard count == 1, payload.count >= 4 * width else { throw DataError("\(name): a text array must hold one string (np.array(\"text\"))") }
            let scalars = (0..<width).compactMap { i -> Unicode.Scalar? in
                let w = payload.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self) }
                return Unicode.Scalar(bigEndian ? UInt32(bigEndian: w) : UInt32(littleEndian: w))
            }.prefix { $0.value != 0 }
            return .text(String(String.UnicodeScalarView(scalars)))
        }
        guard let element = elements[code] else {
            throw DataError("\(name): .npy dtype \(descr) is not read here (float64/32/16, integers, bool and strings are)")
        }
        guard payload.count >= count * element.size else {
            throw DataError("\(name): shape \(shape) of \(descr) needs \(count * element.size) bytes; the array has \(payload.count) (truncated)")
        }
        var values = payload.withUnsafeBytes { element.decode($0, count: count, bigEndian: bigEndian) }
        if fortran.trimmingCharacters(in: .whitespaces) == "True", shape.count > 1 {
            values = fromFortranOrder(values, shape: shape)
        }
        return .numbers(WeightFile.Array(shape: shape, values: values, dtype: descr))
    }

    /// The text after `'key':` up to the next top-level comma (a tuple's commas are inside parentheses).
    static func field(_ key: String, in header: String) -> String? {
        guard let range = header.range(of: "'\(key)':") else { return nil }
        var depth = 0, out = ""
        for c in header[range.upperBound...] {
            if c == "(" { depth += 1 } else if c == ")" { depth -= 1 }
            if (c == "," && depth == 0) || c == "}" { break }
            out.append(c)
        }
        return out.trimmingCharacters(in: .whitespaces)
    }

    static func quoted(_ s: String) -> String? {
        guard s.count >= 2, s.first == "'", s.last == "'" else { return nil }
        return String(s.dropFirst().dropLast())
    }

    /// Column-major values of `shape` in row-major order.
    static func fromFortranOrder(_ values: [Double], shape: [Int]) -> [Double] {
        var out = [Double](repeating: 0, count: values.count)
        var index = [Int](repeating: 0, count: shape.count)
        for r in 0..<values.count {
            var f = 0, stride = 1
            for d in 0..<shape.count { f += index[d] * stride; stride *= shape[d] }
            out[r] = values[f]
            var d = shape.count - 1
            while d >= 0 { index[d] += 1; if index[d] < shape[d] { break }; index[d] = 0; d -= 1 }
        }
        return out
    }
}
