import Foundation
import Tensor

/// Loaders for the data sources the recorder reads. Each returns raw feature values (normalization
/// is a separate, fitted step) and records its provenance.
extension Dataset {
    /// The UCI digits bundled in `fixtures/digits` (1797 images of 8x8, values 0..16, labels 0..9).
    public static func digits(in directory: URL) throws -> Dataset {
        try idx(images: directory.appendingPathComponent("digits-images-idx3-ubyte"),
                labels: directory.appendingPathComponent("digits-labels-idx1-ubyte"), source: "digits")
    }

    /// An IDX image file and an IDX label file (MNIST, Fashion-MNIST), gzip-compressed or not.
    /// Images of any rank are flattened per example; labels must be integers from 0.
    public static func idx(images: URL, labels: URL, source: String = "idx") throws -> Dataset {
        let (imageData, labelData) = (try readFile(images), try readFile(labels))
        let x = try IDXArray(data: imageData, name: images.path)
        let y = try IDXArray(data: labelData, name: labels.path)
        guard x.shape.count >= 2, y.shape.count == 1, x.shape[0] == y.shape[0] else {
            throw DataError("\(images.path) and \(labels.path): images \(x.shape) and labels \(y.shape) do not pair up (need [n, ...] and [n])")
        }
        let n = x.shape[0]
        guard n > 0 else { throw DataError("\(images.path): the IDX file holds 0 examples (its first dimension is 0)") }
        let featureCount = x.values.count / n
        guard featureCount > 0 else {
            throw DataError("\(images.path): the images \(x.shape) have no values (a dimension after the first is 0); a model needs at least one input feature")
        }
        if let bad = x.values.firstIndex(where: { !$0.isFinite }) {
            throw DataError("\(images.path): example \(bad / featureCount), value \(bad % featureCount) is \(x.values[bad]); features must be finite numbers")
        }
        let labelValues = try classLabels(y.values, name: labels.path)
        var set = try classification(features: Tensor(shape: [n, featureCount], scalars: x.values), labels: labelValues,
                                     provenance: DataOrigin(source: source, paths: [images.path, labels.path], content: imageData + labelData),
                                     name: labels.path)
        // [n, rows, cols] files hold one-channel images.
        if x.shape.count == 3 { set.imageShape = [1, x.shape[1], x.shape[2]] }
        return set
    }

    /// The largest class label accepted (`Dataset.maximumClasses - 1`); memory for the one-hot
    /// targets is checked separately.
    static let largestLabel = Dataset.maximumClasses - 1

    /// Stored label values as class indices; each must be a whole number from 0 (IDX float labels
    /// can be anything, including NaN and infinities).
    static func classLabels(_ values: [Double], name: String) throws -> [Int] {
        try values.enumerated().map { i, v in
            guard v.isFinite, v >= 0, v == v.rounded(), v <= Double(largestLabel) else {
                throw DataError("\(name): label \(i) is \(v); labels must be whole numbers from 0 to \(largestLabel)")
            }
            return Int(v)
        }
    }

    /// A classification set whose class count is the largest label + 1, refused (naming `name`)
    /// when its one-hot targets would not fit in memory.
    static func classification(features: Tensor<Double>, labels: [Int], provenance: DataOrigin, name: String) throws -> Dataset {
        let classes = (labels.max() ?? 0) + 1
        var estimate = MemoryEstimate()
        estimate.add("one-hot targets", count: Double(labels.count) * Double(classes), width: 8)
        if let excess = estimate.excess() {
            throw DataError("\(name): the largest label is \(classes - 1), so \(labels.count) examples of \(classes) classes \(excess); labels must be class indices 0 ..< classes")
        }
        return Dataset(features: features, labels: labels, classes: classes, provenance: provenance)
    }

    /// CIFAR-10 binary batches (`data_batch_1.bin` ... or `test_batch.bin`): records of one label byte
    /// followed by 3072 pixel bytes (red, green, blue planes of 32x32). Features are the raw bytes.
    public static func cifar10(files: [URL]) throws -> Dataset {
        guard !files.isEmpty else { throw DataError("cifar10: no batch files given (set data.files)") }
        var pixels = [Double](), labels = [Int](), all = Data()
        for url in files {
            let data = try readFile(url)
            guard data.count % 3073 == 0, !data.isEmpty else {
                throw DataError("\(url.path): \(data.count) bytes is not a whole number of 3073-byte CIFAR-10 records")
            }
            let bytes = [UInt8](data)
            for r in 0..<(bytes.count / 3073) {
                let o = r * 3073
                guard bytes[o] < 10 else { throw DataError("\(url.path): record \(r) has label \(bytes[o]), CIFAR-10 labels are 0-9") }
                labels.append(Int(bytes[o]))
                pixels.append(contentsOf: bytes[(o + 1)..<(o + 3073)].map { Double($0) })
            }
            all.append(data)
        }
        // Each record holds the red, green and blue 32x32 planes in turn: [3, 32, 32] row-major.
        var set = Dataset(features: Tensor(shape: [labels.count, 3072], scalars: pixels), labels: labels, classes: 10,
                          provenance: DataOrigin(source: "cifar10", paths: files.map(\.path), content: all))
        set.imageShape = [3, 32, 32]
        return set
    }

    /// A numeric CSV file (comma-separated, optional header line). With `labelColumn` the task is
    /// classification on that column (integer labels from 0) and the other columns are features;
    /// otherwise `targetColumns` are regression targets.
    public static func csv(_ url: URL, header: Bool, labelColumn: Int?, targetColumns: [Int] = []) throws -> Dataset {
        // The hash is of the file's bytes as read before this change (decompressed only for .gz names), so
        // re-analysis of earlier runs still matches.
        let data = try readFile(url, decompress: url.pathExtension == "gz")
        let text = Gzip.isCompressed(data) ? try Gzip.decompress(data, name: url.path) : data
        guard let string = String(data: text, encoding: .utf8) else { throw DataError("\(url.path): not UTF-8 text") }
        var lines = string.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        if header, !lines.isEmpty { lines.removeFirst() }
        guard !lines.isEmpty else { throw DataError("\(url.path): no data rows") }
        let width = lines[0].split(separator: ",", omittingEmptySubsequences: false).count
        let targetSet = Set(labelColumn.map { [$0] } ?? targetColumns)
        guard !targetSet.isEmpty, targetSet.allSatisfy({ (0..<width).contains($0) }) else {
            throw DataError("\(url.path): target column(s) \(targetSet.sorted()) outside the \(width) columns")
        }
        guard width > targetSet.count else {
            throw DataError("\(url.path): all \(width) columns are labels or targets; a model needs at least one feature column")
        }
        var features = [Double](), targets = [Double](), labels = [Int]()
        for (r, line) in lines.enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == width else {
                throw DataError("\(url.path): line \(r + (header ? 2 : 1)) has \(fields.count) fields, the first data line has \(width)")
            }
            for (c, field) in fields.enumerated() {
                let place = "line \(r + (header ? 2 : 1)), column \(c + 1)"
                guard let v = Double(field) else { throw DataError("\(url.path): \(place): '\(field)' is not a number") }
                guard v.isFinite else { throw DataError("\(url.path): \(place): '\(field)' is not a finite number (NaN and infinities cannot be trained on)") }
                if c == labelColumn {
                    guard v >= 0, v == v.rounded(), v <= Double(largestLabel) else {
                        throw DataError("\(url.path): \(place): label '\(field)' is not a whole number from 0 to \(largestLabel)")
                    }
                    labels.append(Int(v))
                } else if targetSet.contains(c) { targets.append(v) } else { features.append(v) }
            }
        }
        let n = lines.count, d = width - targetSet.count
        let provenance = DataOrigin(source: "csv", paths: [url.path], content: data)
        if labelColumn != nil {
            return try classification(features: Tensor(shape: [n, d], scalars: features), labels: labels, provenance: provenance, name: url.path)
        }
        return Dataset(features: Tensor(shape: [n, d], scalars: features), targets: Tensor(shape: [n, targetSet.count], scalars: targets),
                       provenance: provenance)
    }

    /// The file's bytes, decompressed when they are gzip (recognised by the magic bytes, whatever
    /// the name) and `decompress` is on.
    static func readFile(_ url: URL, decompress: Bool = true) throws -> Data {
        guard FileManager.default.fileExists(atPath: url.path) else { throw DataError("\(url.path): no such file") }
        do {
            let data = try Data(contentsOf: url)
            // Recognised by its magic bytes, whatever the file is called.
            return decompress && Gzip.isCompressed(data) ? try Gzip.decompress(data, name: url.path) : data
        } catch let error as DataError { throw error } catch {
            throw DataError("\(url.path): cannot read the file (\(error.localizedDescription))")
        }
    }
}
