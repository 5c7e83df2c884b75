// Writing and reading whole arrays with the run format's layout rules: arrays of at least
// RunFormat.compressionThresholdBytes are chunked (about 1 MiB per chunk, whole trailing rows)
// and compressed when compression is on; smaller ones are contiguous.

import CHDF5

/// How large arrays are compressed.
public enum Compression: Equatable, Sendable {
    /// Chunked but unfiltered.
    case none
    /// zlib deflate at `level` (1 fastest ... 9 smallest), optionally after the byte-shuffle
    /// filter (which usually makes float arrays compress better and faster).
    case deflate(level: Int, shuffle: Bool)

    /// The default: deflate level 4 (h5py's `compression="gzip"` default) with shuffle.
    public static let standard = Compression.deflate(level: 4, shuffle: true)
}

extension H5Group {
    /// Layout options for an array of `shape` with elements of `elementSize` bytes.
    func arrayOptions(shape: [Int], elementSize: Int, compression: Compression) -> H5DatasetOptions {
        let bytes = shape.reduce(1, *) * elementSize
        guard !shape.isEmpty, bytes >= RunFormat.compressionThresholdBytes else { return H5DatasetOptions() }
        var options = H5DatasetOptions(chunk: H5DatasetOptions.chunkShape(for: shape, elementSize: elementSize))
        if case let .deflate(level, shuffle) = compression {
            options.deflateLevel = level
            options.shuffle = shuffle
        }
        return options
    }

    /// Writes a float array of `shape` (row-major `values`) as dataset `name`.
    @discardableResult
    func writeArray<T: StoredFloat>(_ name: String, shape: [Int], values: [T], compression: Compression) throws -> H5Dataset {
        let expected = shape.reduce(1, *)
        guard values.count == expected, shape.allSatisfy({ $0 >= 0 }) else {
            throw RunStoreError(.invalidArgument, file: location.file, object: location.child(name).object,
                                detail: "\(values.count) values do not fill shape \(shape) (\(expected) elements)")
        }
        let dtype = T.storedDType
        let options = arrayOptions(shape: shape, elementSize: dtype.byteCount, compression: compression)
        let dataset = try createDataset(name, fileType: dtype.fileType, shape: shape, options: options)
        try dataset.writeFloats(values)
        return dataset
    }

    /// Writes a 1-D Float64, Int64 or UInt8 array (uncompressed below the threshold, like every array).
    @discardableResult
    func writeVector<T: H5Scalar>(_ name: String, _ values: [T], compression: Compression = .standard) throws -> H5Dataset {
        try writeScalars(name, shape: [values.count], values: values, compression: compression)
    }

    /// Writes an array of `shape` (row-major `values`) in `T`'s stored type.
    @discardableResult
    func writeScalars<T: H5Scalar>(_ name: String, shape: [Int], values: [T], compression: Compression = .standard) throws -> H5Dataset {
        let options = arrayOptions(shape: shape, elementSize: MemoryLayout<T>.size, compression: compression)
        let dataset = try createDataset(name, fileType: T.fileType, shape: shape, options: options)
        try dataset.write(values)
        return dataset
    }

    /// Writes equal-length rows as a 2-D Float64 dataset of shape [rows.count, rowLength].
    func writeMatrix(_ name: String, rows: [[Double]], compression: Compression = .standard) throws {
        let width = rows.first?.count ?? 0
        guard rows.allSatisfy({ $0.count == width }) else {
            throw RunStoreError(.invalidArgument, file: location.file, object: location.child(name).object,
                                detail: "rows have different lengths \(Set(rows.map(\.count)).sorted()); expected one length per probe")
        }
        let shape = [rows.count, width]
        let options = arrayOptions(shape: shape, elementSize: 8, compression: compression)
        let dataset = try createDataset(name, fileType: Double.fileType, shape: shape, options: options)
        try dataset.write(rows.flatMap { $0 })
    }

    /// Reads a 2-D dataset as rows of Float64.
    func readMatrix(_ name: String) throws -> [[Double]] {
        let dataset = try self.dataset(name)
        let shape = try dataset.shape()
        guard shape.count == 2 else { throw dataset.location.malformed("expected a 2-D array, found shape \(shape)") }
        let values: [Double] = try dataset.read()
        let width = shape[1]
        return (0..<shape[0]).map { Array(values[($0 * width)..<(($0 + 1) * width)]) }
    }

    /// Reads a 1-D dataset as Float64.
    func readDoubles(_ name: String) throws -> [Double] { try dataset(name).read() }

    /// Reads a float array as `T` with its shape.
    func readArray<T: StoredFloat>(_ name: String, as type: T.Type) throws -> NamedArray<T> {
        let dataset = try self.dataset(name)
        guard try dataset.storedFloatType() != nil else {
            throw dataset.location.malformed("expected a Float32 or Float64 array")
        }
        return NamedArray(name: name, shape: try dataset.shape(), values: try dataset.readFloats(T.self))
    }

    /// Reads every float array of this group, sorted by name.
    func readArrays<T: StoredFloat>(as type: T.Type) throws -> [NamedArray<T>] {
        try memberNames().map { try readArray($0, as: T.self) }
    }
}
