// HDF5 datasets: shape queries, whole-array reads and writes, and appends along the first
// dimension of extendible datasets. Numbers are converted by HDF5 between the on-disk type and
// the Swift type asked for (e.g. a Float32 dataset read as Double).

import CHDF5

/// How a dataset is laid out on disk.
struct H5DatasetOptions {
    /// Every dimension may grow (needs `chunk`).
    var extendible = false
    /// Chunk shape; nil for contiguous storage.
    var chunk: [Int]? = nil
    /// zlib level 0...9 (deflate filter); nil for no compression. Needs `chunk`.
    var deflateLevel: Int? = nil
    /// Byte-shuffle filter before deflate (groups the bytes of each float, compresses better).
    var shuffle = false
    /// Value that unwritten elements read as (Float64 datasets).
    var fillDouble: Double? = nil
    /// Value that unwritten elements read as (integer datasets).
    var fillInt: Int64? = nil

    func creationList(shape: [Int], fileType: hid_t, location: H5Location) throws -> H5Handle {
        let dcpl = H5Handle.plist(H5Pcreate(curv_h5_plist_dataset_create()))
        if let chunk {
            let dims = chunk.map { hsize_t(max(1, $0)) }
            try location.check(H5Pset_chunk(dcpl.id, Int32(dims.count), dims), "H5Pset_chunk", "bad chunk shape \(chunk)")
            if shuffle { try location.check(H5Pset_shuffle(dcpl.id), "H5Pset_shuffle", "cannot add the shuffle filter") }
            if let deflateLevel {
                try location.check(H5Pset_deflate(dcpl.id, UInt32(deflateLevel)), "H5Pset_deflate", "cannot add deflate")
            }
        }
        if var fillDouble {
            try location.check(H5Pset_fill_value(dcpl.id, curv_h5_native_double(), &fillDouble), "H5Pset_fill_value",
                               "cannot set the fill value")
        }
        if var fillInt {
            try location.check(H5Pset_fill_value(dcpl.id, curv_h5_native_int64(), &fillInt), "H5Pset_fill_value",
                               "cannot set the fill value")
        }
        return dcpl
    }

    /// A chunk shape of about `targetBytes` for an array of `shape`: whole trailing rows where
    /// they fit, splitting later dimensions only when one row is larger than the target.
    static func chunkShape(for shape: [Int], elementSize: Int, targetBytes: Int = 1 << 20) -> [Int] {
        var budget = max(1, targetBytes / elementSize)
        var chunk: [Int] = []
        for (index, size) in shape.enumerated() {
            let rest = shape[(index + 1)...].reduce(1, *)
            if rest <= budget {
                let count = max(1, min(size, budget / max(rest, 1)))
                chunk.append(count)
                chunk.append(contentsOf: shape[(index + 1)...].map { max($0, 1) })
                return chunk
            }
            chunk.append(1)
            budget = max(1, budget)
        }
        return chunk
    }
}

final class H5Dataset: H5Object {
    let handle: H5Handle
    let location: H5Location

    init(handle: H5Handle, location: H5Location) {
        self.handle = handle
        self.location = location
    }

    /// The current extent; [] for a scalar dataset.
    func shape() throws -> [Int] {
        let space = H5Handle.dataspace(H5Dget_space(handle.id))
        guard space.id >= 0 else { throw location.failure("H5Dget_space", "cannot read the dataset's shape") }
        let rank = H5Sget_simple_extent_ndims(space.id)
        guard rank >= 0 else { throw location.failure("H5Sget_simple_extent_ndims", "cannot read the dataset's rank") }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        _ = H5Sget_simple_extent_dims(space.id, &dims, nil)
        let shape = dims.compactMap { Int(exactly: $0) }
        guard shape.count == dims.count else { throw location.malformed("the extent \(dims) is too large (a damaged header?)") }
        return shape
    }

    /// Number of elements (1 for a scalar).
    func elementCount() throws -> Int {
        let shape = try shape()
        var count = 1
        for n in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: n)
            guard !overflow else { throw location.malformed("the extent \(shape) has too many elements (a damaged header?)") }
            count = product
        }
        return count
    }

    /// Throws unless `count` elements of `elementSize` bytes can come from what the file stores for
    /// this dataset: at most 1032 times its stored bytes (deflate's largest ratio) plus 64 MiB
    /// (fill values of chunks never written). A damaged header can claim any extent; this refuses
    /// it before memory is allocated for it.
    func checkReadable(count: Int, elementSize: Int) throws {
        let stored = Int(clamping: H5Dget_storage_size(handle.id))
        let (bytes, overflow) = count.multipliedReportingOverflow(by: max(elementSize, 1))
        let slack = 64 << 20
        let limit = stored > (Int.max - slack) / 1032 ? Int.max : stored * 1032 + slack
        guard !overflow, bytes <= limit else {
            throw location.malformed("the dataset claims \(count) elements of \(elementSize) bytes but stores \(stored) bytes (a damaged header?)")
        }
    }

    /// The on-disk type's class and size in bytes.
    func typeInfo() throws -> (typeClass: H5T_class_t, size: Int, variableString: Bool) {
        let type = H5Handle.datatype(H5Dget_type(handle.id))
        guard type.id >= 0 else { throw location.failure("H5Dget_type", "cannot read the dataset's type") }
        return (H5Tget_class(type.id), H5Tget_size(type.id), H5Tis_variable_str(type.id) > 0)
    }

    /// The stored float type, or nil when the dataset does not hold 32- or 64-bit floats.
    func storedFloatType() throws -> StoredDType? {
        let info = try typeInfo()
        guard info.typeClass == H5T_FLOAT else { return nil }
        return info.size == 4 ? .float32 : info.size == 8 ? .float64 : nil
    }

    /// Whether the dataset holds unsigned one-byte integers (uint8).
    func storesBytes() throws -> Bool {
        let type = H5Handle.datatype(H5Dget_type(handle.id))
        guard type.id >= 0 else { throw location.failure("H5Dget_type", "cannot read the dataset's type") }
        return H5Tget_class(type.id) == H5T_INTEGER && H5Tget_size(type.id) == 1 && H5Tget_sign(type.id) == H5T_SGN_NONE
    }

    /// Reads the whole dataset converted to `T` (row-major order), or only its first `limit`
    /// elements of a 1-D dataset.
    func read<T: H5Scalar>(_ type: T.Type = T.self, limit: Int? = nil) throws -> [T] {
        try readConverted(memoryType: T.memoryType, zero: T.zero, limit: limit)
    }

    /// Dataspaces selecting the first `limit` elements of a 1-D dataset (file side, memory side),
    /// or nil to read everything.
    func prefixSelection(_ limit: Int?, of count: Int) throws -> (file: H5Handle, memory: H5Handle)? {
        guard let limit, limit < count else { return nil }
        let file = H5Handle.dataspace(H5Dget_space(handle.id))
        var start: [hsize_t] = [0], size: [hsize_t] = [hsize_t(limit)]
        try location.check(H5Sselect_hyperslab(file.id, H5S_SELECT_SET, &start, nil, &size, nil),
                           "H5Sselect_hyperslab", "cannot select elements 0..<\(limit)")
        return (file, H5Handle.dataspace(H5Screate_simple(1, &size, nil)))
    }

    /// Reads the whole dataset converted to the stored-float type `T`.
    func readFloats<T: StoredFloat>(_ type: T.Type = T.self) throws -> [T] {
        try readConverted(memoryType: T.storedDType.memoryType, zero: T.zero)
    }

    private func readConverted<T>(memoryType: hid_t, zero: T, limit: Int? = nil) throws -> [T] {
        let total = try elementCount()
        let count = min(total, limit ?? total)
        guard count > 0 else { return [] }
        try checkReadable(count: count, elementSize: MemoryLayout<T>.stride)
        let selection = try prefixSelection(limit, of: total)
        // HDF5 fills every element (or fails, and the array is discarded), so skip zeroing it first.
        var status: herr_t = 0
        let values = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            status = H5Dread(handle.id, memoryType, selection?.memory.id ?? curv_h5_s_all(), selection?.file.id ?? curv_h5_s_all(),
                             H5.defaultPlist, buffer.baseAddress)
            initialized = status < 0 ? 0 : count
        }
        try location.check(status, "H5Dread", "cannot read the dataset (\(count) elements)")
        return values
    }

    /// Writes the whole dataset from `values` (row-major, count must match the extent).
    func write<T: H5Scalar>(_ values: [T]) throws {
        try writeConverted(values, memoryType: T.memoryType)
    }

    /// Writes the whole dataset from stored-float values.
    func writeFloats<T: StoredFloat>(_ values: [T]) throws {
        try writeConverted(values, memoryType: T.storedDType.memoryType)
    }

    private func writeConverted<T>(_ values: [T], memoryType: hid_t) throws {
        let count = try elementCount()
        guard values.count == count else {
            throw RunStoreError(.invalidArgument, file: location.file, object: location.object,
                                detail: "\(values.count) values given for a dataset of \(count) elements")
        }
        guard count > 0 else { return }
        let status = values.withUnsafeBytes {
            H5Dwrite(handle.id, memoryType, curv_h5_s_all(), curv_h5_s_all(), H5.defaultPlist, $0.baseAddress)
        }
        try location.check(status, "H5Dwrite", "cannot write the dataset (\(count) elements)")
    }

    /// Grows a 1-D extendible dataset to `length` elements; new elements read as the fill value.
    func resize(to length: Int) throws {
        var dims = [hsize_t(length)]
        try location.check(H5Dset_extent(handle.id, &dims), "H5Dset_extent", "cannot extend the dataset to \(length)")
    }

    /// Writes `values` into a 1-D dataset at elements `offset ..< offset + values.count`.
    func write<T: H5Scalar>(_ values: [T], at offset: Int) throws {
        guard !values.isEmpty else { return }
        let status = try withSlab(offset: offset, count: values.count) { memory, file in
            values.withUnsafeBytes { H5Dwrite(handle.id, T.memoryType, memory, file, H5.defaultPlist, $0.baseAddress) }
        }
        try location.check(status, "H5Dwrite", "cannot write elements \(offset)..<\(offset + values.count)")
    }

    /// Appends `values` at the end of a 1-D extendible dataset.
    func append<T: H5Scalar>(_ values: [T]) throws {
        let length = try elementCount()
        try resize(to: length + values.count)
        try write(values, at: length)
    }

    /// Runs `body` with a memory dataspace of `count` and the file dataspace restricted to
    /// `offset ..< offset + count` (1-D).
    private func withSlab(offset: Int, count: Int, _ body: (hid_t, hid_t) -> herr_t) throws -> herr_t {
        let file = H5Handle.dataspace(H5Dget_space(handle.id))
        var start = [hsize_t(offset)], size = [hsize_t(count)]
        try location.check(H5Sselect_hyperslab(file.id, H5S_SELECT_SET, &start, nil, &size, nil),
                           "H5Sselect_hyperslab", "cannot select elements \(offset)..<\(offset + count)")
        let memory = H5Handle.dataspace(H5Screate_simple(1, &size, nil))
        return body(memory.id, file.id)
    }
}
