// Type-agnostic reading of datasets and attributes, for tools that walk a whole file (the
// interop manifest) rather than reading known records.

import CHDF5

/// The content of a dataset or attribute of any of the types a run file uses.
enum H5Value {
    /// Floats of `size` bytes (4 or 8), widened to Double, and the raw little-endian bytes.
    case floats([Double], size: Int, raw: [UInt8])
    /// Signed or unsigned integers of `size` bytes, as Int64, and the raw bytes.
    case integers([Int64], size: Int, signed: Bool, raw: [UInt8])
    case strings([String])
    /// Lists of object references (a DIMENSION_LIST): per element, the path of the object its
    /// first reference names.
    case references([String])
    /// A type this reader does not interpret (compound, enum, ...): its class name.
    case other(String)
}

extension H5Dataset {
    /// Reads the whole dataset, whatever its numeric or string type.
    func readValue() throws -> H5Value {
        let type = H5Handle.datatype(H5Dget_type(handle.id))
        let typeClass = H5Tget_class(type.id)
        let size = H5Tget_size(type.id)
        let count = try elementCount()
        switch typeClass {
        case H5T_STRING:
            return .strings(try readStrings())
        case H5T_FLOAT, H5T_INTEGER:
            // Raw bytes in the stored type (reading with the file type converts nothing).
            try checkReadable(count: count, elementSize: size)
            var raw = [UInt8](repeating: 0, count: count * size)
            if count > 0 {
                let status = raw.withUnsafeMutableBytes {
                    H5Dread(handle.id, type.id, curv_h5_s_all(), curv_h5_s_all(), H5.defaultPlist, $0.baseAddress)
                }
                try location.check(status, "H5Dread", "cannot read the dataset")
            }
            if typeClass == H5T_FLOAT { return .floats(try read(Double.self), size: size, raw: raw) }
            return .integers(try read(Int64.self), size: size, signed: H5Tget_sign(type.id) != H5T_SGN_NONE, raw: raw)
        default:
            return .other(String(describing: typeClass))
        }
    }
}

extension H5Object {
    /// Reads attribute `name`, whatever its numeric or string type.
    func attributeValue(_ name: String) throws -> H5Value {
        let id = H5Aopen(handle.id, name, H5.defaultPlist)
        guard id >= 0 else { throw location.failure("H5Aopen", "cannot open attribute '\(name)'") }
        let attribute = H5Handle(id, closer: H5Aclose)
        let type = H5Handle.datatype(H5Aget_type(attribute.id))
        let typeClass = H5Tget_class(type.id)
        let size = H5Tget_size(type.id)
        let space = H5Handle.dataspace(H5Aget_space(attribute.id))
        let count = Int(max(0, H5Sget_simple_extent_npoints(space.id)))
        switch typeClass {
        case H5T_STRING:
            return .strings(try stringAttributeValues(name))
        case H5T_VLEN:
            // A DIMENSION_LIST: per dimension, the path of its scale.
            var buffer = [CChar](repeating: 0, count: 4096)
            let n = curv_h5_reference_list_paths(attribute.id, &buffer, buffer.count)
            guard n >= 0 else { return .other(String(describing: typeClass)) }
            let bytes = buffer.map { UInt8(bitPattern: $0) }
            return .references(bytes.split(separator: 0, maxSplits: Int(n), omittingEmptySubsequences: false).prefix(Int(n))
                .map { String(decoding: $0, as: UTF8.self) })
        case H5T_FLOAT, H5T_INTEGER:
            var raw = [UInt8](repeating: 0, count: count * size)
            let status = raw.withUnsafeMutableBytes { H5Aread(attribute.id, type.id, $0.baseAddress) }
            try location.check(status, "H5Aread", "cannot read attribute '\(name)'")
            if typeClass == H5T_FLOAT { return .floats(try numericAttribute(name, as: Double.self), size: size, raw: raw) }
            return .integers(try numericAttribute(name, as: Int64.self), size: size,
                             signed: H5Tget_sign(type.id) != H5T_SGN_NONE, raw: raw)
        default:
            return .other(String(describing: typeClass))
        }
    }

    /// The rank-and-extent of attribute `name` ([] for a scalar).
    func attributeShape(_ name: String) throws -> [Int] {
        let id = H5Aopen(handle.id, name, H5.defaultPlist)
        guard id >= 0 else { throw location.failure("H5Aopen", "cannot open attribute '\(name)'") }
        let attribute = H5Handle(id, closer: H5Aclose)
        let space = H5Handle.dataspace(H5Aget_space(attribute.id))
        let rank = H5Sget_simple_extent_ndims(space.id)
        var dims = [hsize_t](repeating: 0, count: Int(max(rank, 0)))
        if rank > 0 { _ = H5Sget_simple_extent_dims(space.id, &dims, nil) }
        return dims.map { Int($0) }
    }
}
