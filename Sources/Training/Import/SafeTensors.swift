import Foundation

/// The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of
/// JSON `{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
/// "__metadata__": {"key": "text"}}`, then the tensors' bytes, offsets relative to the end of
/// the header, little-endian, row-major.
enum SafeTensors {
    static let elements: [String: StoredElement] = [
        "F64": .float64, "F32": .float32, "F16": .float16, "BF16": .bfloat16,
        "I64": .int64, "I32": .int32, "I16": .int16, "I8": .int8, "U8": .uint8, "BOOL": .bool,
    ]

    static func read(_ data: Data, name: String) throws -> (arrays: [String: WeightFile.Array], metadata: [String: String]) {
        guard data.count >= 8 else { throw DataError("\(name): \(data.count) bytes, too short for a safetensors file (8-byte header length first)") }
        let headerLength = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(data.count - 8), headerLength <= 100 << 20 else {
            throw DataError("\(name): the safetensors header claims \(headerLength) bytes, but the file has \(data.count - 8) after its length; not a safetensors file, or truncated")
        }
        let headerBytes = data.subdata(in: (data.startIndex + 8)..<(data.startIndex + 8 + Int(headerLength)))
        guard let header = try? JSONSerialization.jsonObject(with: headerBytes) as? [String: Any] else {
            throw DataError("\(name): the safetensors header is not a JSON object; not a safetensors file, or damaged")
        }
        let body = data.subdata(in: (data.startIndex + 8 + Int(headerLength))..<data.endIndex)
        var arrays: [String: WeightFile.Array] = [:], metadata: [String: String] = [:]
        for (key, value) in header {
            if key == "__metadata__" {
                guard let table = value as? [String: Any] else { throw DataError("\(name): __metadata__ is not an object of strings") }
                for (k, v) in table {
                    guard let text = v as? String else { throw DataError("\(name): __metadata__[\(k)] is not a string") }
                    metadata[k] = text
                }
                continue
            }
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shapeValues = entry["shape"] as? [Any], let offsets = entry["data_offsets"] as? [Any], offsets.count == 2 else {
                throw DataError("\(name): tensor '\(key)': its header entry lacks dtype, shape or data_offsets [begin, end]")
            }
            guard let element = elements[dtype] else {
                throw DataError("\(name): tensor '\(key)': dtype \(dtype) is not read here (F64, F32, F16, BF16 and integers are)")
            }
            let shape = try shapeValues.map { d -> Int in
                guard let n = (d as? NSNumber)?.intValue, n >= 0 else { throw DataError("\(name): tensor '\(key)': shape \(shapeValues) is not a list of sizes") }
                return n
            }
            guard let begin = (offsets[0] as? NSNumber)?.intValue, let end = (offsets[1] as? NSNumber)?.intValue,
                  begin >= 0, begin <= end, end <= body.count else {
                throw DataError("\(name): tensor '\(key)': data_offsets \(offsets) lie outside the \(body.count) data bytes (truncated or damaged file)")
            }
            guard let count = elementCount(shape), count.multipliedReportingOverflow(by: element.size).partialValue == end - begin,
                  !count.multipliedReportingOverflow(by: element.size).overflow else {
                throw DataError("\(name): tensor '\(key)': shape \(shape) of \(dtype) needs a different byte count than its data_offsets give (\(end - begin))")
            }
            let values = body.withUnsafeBytes { raw in
                element.decode(UnsafeRawBufferPointer(rebasing: raw[begin..<end]), count: count)
            }
            arrays[key] = WeightFile.Array(shape: shape, values: values, dtype: dtype)
        }
        return (arrays, metadata)
    }
}
