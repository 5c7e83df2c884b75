// UTF-8 strings in datasets and attributes. Written as variable-length UTF-8 (h5py reads them as
// `str`); read back from either variable- or fixed-length strings, so files touched by other
// tools still read.

import CHDF5
import Foundation

/// Converts HDF5's buffer of `char *` into Swift strings and frees what HDF5 allocated.
func takeStrings(_ pointers: inout [UnsafeMutablePointer<CChar>?], type: hid_t, space: hid_t) -> [String] {
    let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
    _ = pointers.withUnsafeMutableBytes { H5Dvlen_reclaim(type, space, H5.defaultPlist, $0.baseAddress) }
    return strings
}

/// Splits a fixed-length string buffer of `count` items of `size` bytes into strings
/// (each ends at its first NUL or at `size`).
func splitFixed(_ bytes: [UInt8], count: Int, size: Int) -> [String] {
    (0..<count).map { index in
        let item = bytes[(index * size)..<((index + 1) * size)]
        let end = item.firstIndex(of: 0) ?? item.endIndex
        return String(decoding: item[item.startIndex..<end], as: UTF8.self)
    }
}

/// A fixed-length string type of `size` bytes matching the stored one's character set.
private func fixedStringType(like stored: hid_t, size: Int) -> H5Handle {
    let type = H5Handle.datatype(H5Tcopy(curv_h5_c_s1()))
    _ = H5Tset_size(type.id, size)
    _ = H5Tset_cset(type.id, H5Tget_cset(stored))
    return type
}

extension H5Dataset {
    /// Reads every string of a string dataset (scalar or 1-D).
    func readStrings(limit: Int? = nil) throws -> [String] {
        let total = try elementCount()
        let count = min(total, limit ?? total)
        guard count > 0 else { return [] }
        let selection = try prefixSelection(limit, of: total)
        let (memorySpace, fileSpace) = (selection?.memory.id ?? curv_h5_s_all(), selection?.file.id ?? curv_h5_s_all())
        let stored = H5Handle.datatype(H5Dget_type(handle.id))
        guard H5Tget_class(stored.id) == H5T_STRING else { throw location.malformed("expected a string dataset") }
        if H5Tis_variable_str(stored.id) > 0 {
            let memory = variableStringType(matching: stored.id)
            let space = selection.map { H5Handle.dataspace(H5Scopy($0.memory.id)) } ?? H5Handle.dataspace(H5Dget_space(handle.id))
            try checkReadable(count: count, elementSize: MemoryLayout<UnsafeMutablePointer<CChar>?>.stride)
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            let status = pointers.withUnsafeMutableBytes {
                H5Dread(handle.id, memory.id, memorySpace, fileSpace, H5.defaultPlist, $0.baseAddress)
            }
            try location.check(status, "H5Dread", "cannot read the strings")
            return takeStrings(&pointers, type: memory.id, space: space.id)
        }
        let size = H5Tget_size(stored.id)
        try checkReadable(count: count, elementSize: size)
        let memory = fixedStringType(like: stored.id, size: size)
        var bytes = [UInt8](repeating: 0, count: count * size)
        let status = bytes.withUnsafeMutableBytes {
            H5Dread(handle.id, memory.id, memorySpace, fileSpace, H5.defaultPlist, $0.baseAddress)
        }
        try location.check(status, "H5Dread", "cannot read the strings")
        return splitFixed(bytes, count: count, size: size)
    }

    /// Writes `strings` into elements `offset ..< offset + strings.count` of a 1-D string dataset,
    /// or the single element of a scalar one (offset 0, one string).
    func writeStrings(_ strings: [String], at offset: Int = 0) throws {
        guard !strings.isEmpty else { return }
        let memory = makeUTF8StringType()
        let scalar = try shape().isEmpty
        // Keep the C strings alive for the duration of the write.
        let cStrings = strings.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        var pointers: [UnsafePointer<CChar>?] = cStrings.map { UnsafePointer($0) }
        let status: herr_t
        if scalar {
            status = pointers.withUnsafeMutableBytes {
                H5Dwrite(handle.id, memory.id, curv_h5_s_all(), curv_h5_s_all(), H5.defaultPlist, $0.baseAddress)
            }
        } else {
            let file = H5Handle.dataspace(H5Dget_space(handle.id))
            var start = [hsize_t(offset)], size = [hsize_t(strings.count)]
            try location.check(H5Sselect_hyperslab(file.id, H5S_SELECT_SET, &start, nil, &size, nil),
                               "H5Sselect_hyperslab", "cannot select strings \(offset)..<\(offset + strings.count)")
            let space = H5Handle.dataspace(H5Screate_simple(1, &size, nil))
            status = pointers.withUnsafeMutableBytes {
                H5Dwrite(handle.id, memory.id, space.id, file.id, H5.defaultPlist, $0.baseAddress)
            }
        }
        try location.check(status, "H5Dwrite", "cannot write \(strings.count) string(s)")
    }

    /// Appends `strings` at the end of a 1-D extendible string dataset.
    func appendStrings(_ strings: [String]) throws {
        let length = try elementCount()
        try resize(to: length + strings.count)
        try writeStrings(strings, at: length)
    }
}

extension H5Group {
    /// Creates a scalar variable-length UTF-8 string dataset holding `text`.
    @discardableResult
    func createStringDataset(_ name: String, text: String) throws -> H5Dataset {
        let type = makeUTF8StringType()
        let dataset = try createDataset(name, fileType: type.id, shape: [])
        try dataset.writeStrings([text])
        return dataset
    }

    /// Creates a 1-D variable-length UTF-8 string dataset holding `strings`.
    @discardableResult
    func createStringArray(_ name: String, _ strings: [String]) throws -> H5Dataset {
        let type = makeUTF8StringType()
        let dataset = try createDataset(name, fileType: type.id, shape: [strings.count])
        try dataset.writeStrings(strings)
        return dataset
    }

    /// Creates an empty 1-D extendible variable-length UTF-8 string dataset.
    func createExtendibleStringDataset(_ name: String, chunk: Int = 256) throws -> H5Dataset {
        let type = makeUTF8StringType()
        return try createDataset(name, fileType: type.id, shape: [0],
                                 options: H5DatasetOptions(extendible: true, chunk: [chunk]))
    }
}
