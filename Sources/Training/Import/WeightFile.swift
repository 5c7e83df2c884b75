import Foundation

/// A file of named tensors written by another framework: safetensors (PyTorch, JAX, Hugging
/// Face) or NumPy's `.npz`. Values are read into Float64 whatever their stored type (float64,
/// float32, float16, bfloat16 and integers are exact in it); strings (NumPy `<U`) are kept apart.
public struct WeightFile: Sendable {
    /// One stored array: its shape (row-major, C order after reading) and its values.
    public struct Array: Sendable, Equatable {
        public var shape: [Int]
        public var values: [Double]
        /// The stored element type as the file names it (`F32`, `<f8`, ...).
        public var dtype: String
        public var count: Int { shape.reduce(1, *) }
    }

    /// "safetensors" or "npz".
    public let format: String
    public let path: String
    /// Numeric arrays by name.
    public var arrays: [String: Array]
    /// Text values by name: safetensors' `__metadata__` entries, and `.npz` string arrays.
    public var strings: [String: String]
    /// The file's size in bytes and the lower-case hex SHA-256 of its bytes.
    public let bytes: Int
    public let sha256: String

    /// The largest file read (a weights file beyond it is refused before it is read whole).
    public static let maximumBytes = 8 << 30

    /// Reads `path`, choosing the format by its first bytes (a zip archive is `.npz`), else by
    /// its extension. Errors name the file and, where there is one, the array.
    public static func read(_ path: String) throws -> WeightFile {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let size = (attributes?[.size] as? NSNumber)?.intValue else {
            throw DataError("\(path): cannot read the weights file (missing or unreadable)")
        }
        guard size <= maximumBytes else {
            throw DataError("\(path): \(size) bytes, more than the \(maximumBytes >> 30) GiB a weights file may have here")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError("\(path): cannot read the weights file (missing or unreadable)")
        }
        let digest = SHA256.hex(data)
        let isZip = data.count >= 4 && data.prefix(4) == Data([0x50, 0x4B, 0x03, 0x04])
        if isZip || path.hasSuffix(".npz") {
            let (arrays, strings) = try NumpyArchive.read(data, name: path)
            return WeightFile(format: "npz", path: path, arrays: arrays, strings: strings, bytes: data.count, sha256: digest)
        }
        if path.hasSuffix(".safetensors") || data.count >= 9 {
            let (arrays, metadata) = try SafeTensors.read(data, name: path)
            return WeightFile(format: "safetensors", path: path, arrays: arrays, strings: metadata, bytes: data.count, sha256: digest)
        }
        throw DataError("\(path): neither a safetensors file nor a NumPy .npz archive")
    }
}

/// Element types both formats store, read into Float64.
enum StoredElement {
    case float64, float32, float16, bfloat16, int64, int32, int16, int8, uint8, bool

    var size: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .float16, .bfloat16, .int16: return 2
        case .int8, .uint8, .bool: return 1
        }
    }

    /// `count` values from `bytes` (little-endian unless `bigEndian`), as Float64.
    func decode(_ bytes: UnsafeRawBufferPointer, count: Int, bigEndian: Bool = false) -> [Double] {
        var out = [Double](repeating: 0, count: count)
        func word<W: FixedWidthInteger>(_ i: Int, _: W.Type) -> W {
            let w = bytes.loadUnaligned(fromByteOffset: i * MemoryLayout<W>.size, as: W.self)
            return bigEndian ? W(bigEndian: w) : W(littleEndian: w)
        }
        for i in 0..<count {
            switch self {
            case .float64: out[i] = Double(bitPattern: word(i, UInt64.self))
            case .float32: out[i] = Double(Float(bitPattern: word(i, UInt32.self)))
            case .float16: out[i] = Double(Float16(bitPattern: word(i, UInt16.self)))
            case .bfloat16: out[i] = Double(Float(bitPattern: UInt32(word(i, UInt16.self)) << 16))
            case .int64: out[i] = Double(Int64(bitPattern: word(i, UInt64.self)))
            case .int32: out[i] = Double(Int32(bitPattern: word(i, UInt32.self)))
            case .int16: out[i] = Double(Int16(bitPattern: word(i, UInt16.self)))
            case .int8: out[i] = Double(Int8(bitPattern: bytes[i]))
            case .uint8: out[i] = Double(bytes[i])
            case .bool: out[i] = bytes[i] == 0 ? 0 : 1
            }
        }
        return out
    }
}

/// The product of `shape`, or nil when a dimension is negative or the product overflows.
func elementCount(_ shape: [Int]) -> Int? {
    var n = 1
    for d in shape {
        guard d >= 0 else { return nil }
        let (p, overflow) = n.multipliedReportingOverflow(by: d)
        guard !overflow else { return nil }
        n = p
    }
    return n
}
