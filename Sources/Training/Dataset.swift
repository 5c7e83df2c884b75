import Foundation
import Models
import Tensor

/// A labelled classification data set held in memory: features `[n, d]` and integer labels.
public struct LabelledData: Sendable {
    /// Features, one example per row, as `Double` (converted to the model's precision on use).
    public let features: Tensor<Double>
    public let labels: [Int]
    public let classes: Int
    /// Where the data came from (for provenance).
    public let name: String

    public init(features: Tensor<Double>, labels: [Int], classes: Int, name: String) {
        precondition(features.rank == 2 && features.shape[0] == labels.count, "LabelledData: \(features.shape) vs \(labels.count) labels")
        precondition(labels.allSatisfy { (0..<classes).contains($0) }, "LabelledData: labels outside 0..<\(classes)")
        self.features = features
        self.labels = labels
        self.classes = classes
        self.name = name
    }

    public var count: Int { labels.count }

    /// The examples as a batch in precision `T`: inputs and one-hot targets.
    public func batch<T: TensorScalar>(as: T.Type = T.self) -> Batch<T> {
        var targets = Tensor<T>(zeros: [count, classes])
        for (i, label) in labels.enumerated() { targets[i, label] = 1 }
        return Batch(inputs: features.converted(to: T.self), targets: targets)
    }

    /// Features standardized per column to zero mean and unit variance over this set (constant
    /// columns are centred only).
    public func standardized() -> LabelledData {
        let (n, d) = (features.shape[0], features.shape[1])
        var x = features
        for j in 0..<d {
            var mean = 0.0, sq = 0.0
            for i in 0..<n { mean += x[i, j] }
            mean /= Double(n)
            for i in 0..<n { sq += (x[i, j] - mean) * (x[i, j] - mean) }
            let sd = (sq / Double(n)).squareRoot()
            for i in 0..<n { x[i, j] = sd > 0 ? (x[i, j] - mean) / sd : x[i, j] - mean }
        }
        return LabelledData(features: x, labels: labels, classes: classes, name: name)
    }

    /// The UCI digits (1797 images of 8x8, pixel values 0..16, labels 0..9) from the IDX files in
    /// `directory` (the repository's `fixtures/digits`). Pixels are scaled to [0, 1].
    public static func digits(in directory: URL) throws -> LabelledData {
        let images = try IDXArray(contentsOf: directory.appendingPathComponent("digits-images-idx3-ubyte"))
        let labels = try IDXArray(contentsOf: directory.appendingPathComponent("digits-labels-idx1-ubyte"))
        guard images.shape.count == 3, labels.shape.count == 1, images.shape[0] == labels.shape[0] else {
            throw DataError("\(directory.path): digits images \(images.shape) and labels \(labels.shape) do not match")
        }
        let d = images.shape[1] * images.shape[2]
        let x = Tensor(shape: [images.shape[0], d], scalars: images.values.map { $0 / 16 })
        return LabelledData(features: x, labels: labels.values.map { Int($0) }, classes: 10, name: "uci-digits")
    }
}
