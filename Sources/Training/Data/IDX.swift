import Foundation

/// Errors reading data files; each names the file and what is wrong with it.
public struct DataError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// An array read from an IDX file (the MNIST format): big-endian header with a magic number whose
/// third byte is the element type and fourth the rank, then the dimensions, then the elements.
///
/// Elements are returned as `Double`, whatever their stored type (uint8, int8, int16, int32, float32,
/// float64). Gzip-compressed files are not read here.
public struct IDXArray {
    public let shape: [Int]
    public let values: [Double]

    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DataError("\(url.path): cannot read the file (\(error.localizedDescription))")
        }
        try self.init(data: data, name: url.path)
    }

    public init(data: Data, name: String) throws {
        let bytes = [UInt8](data)
        guard bytes.count >= 4, bytes[0] == 0, bytes[1] == 0 else {
            throw DataError("\(name): not an IDX file (the first two bytes must be zero)")
        }
        let (typeCode, rank) = (bytes[2], Int(bytes[3]))
        let width: Int
        switch typeCode {
        case 0x08, 0x09: width = 1
        case 0x0B: width = 2
        case 0x0C, 0x0D: width = 4
        case 0x0E: width = 8
        default: throw DataError("\(name): unknown IDX element type 0x\(String(typeCode, radix: 16))")
        }
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else { throw DataError("\(name): truncated IDX header") }
        func bigEndian(_ offset: Int, _ n: Int) -> UInt64 {
            (0..<n).reduce(UInt64(0)) { $0 << 8 | UInt64(bytes[offset + $1]) }
        }
        let shape = (0..<rank).map { Int(bigEndian(4 + 4 * $0, 4)) }
        // Dimensions are 32-bit each: their product (and its bytes) can overflow Int.
        var count = 1, overflow = false
        for n in shape + [width] where !overflow { (count, overflow) = count.multipliedReportingOverflow(by: n) }
        guard !overflow, bytes.count - headerSize == count else {
            let needed = overflow ? "more than \(Int.max)" : String(headerSize + count)
            throw DataError("\(name): header says \(shape) x \(width)-byte elements (\(needed) bytes), file has \(bytes.count) bytes")
        }
        count /= width
        if typeCode == 0x08 {
            // Unsigned bytes (images, labels): the common case, converted in one pass.
            self.shape = shape
            self.values = bytes[headerSize...].map { Double($0) }
            return
        }
        var values = [Double](repeating: 0, count: count)
        for i in 0..<count {
            let o = headerSize + i * width
            switch typeCode {
            case 0x08: values[i] = Double(bytes[o])
            case 0x09: values[i] = Double(Int8(bitPattern: bytes[o]))
            case 0x0B: values[i] = Double(Int16(truncatingIfNeeded: bigEndian(o, 2)))
            case 0x0C: values[i] = Double(Int32(truncatingIfNeeded: bigEndian(o, 4)))
            case 0x0D: values[i] = Double(Float(bitPattern: UInt32(bigEndian(o, 4))))
            default: values[i] = Double(bitPattern: bigEndian(o, 8))
            }
        }
        self.shape = shape
        self.values = values
    }
}
