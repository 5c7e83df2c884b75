import Foundation
import Models
import Tensor

/// Where a data set came from, recorded in run files so analysis can find and verify it.
public struct DataOrigin: Equatable, Sendable {
    /// The source kind (`digits`, `idx`, `cifar10`, `csv`, `gaussian_mixture`, `teacher_student`).
    public let source: String
    /// Files read, in order (empty for synthetic sets).
    public let paths: [String]
    /// SHA-256 of the files' bytes concatenated in order, or of the generated features and targets.
    public let sha256: String
}

/// Examples held in memory: features `[n, d]` and targets `[n, k]`, with class labels when the task
/// is classification (then targets are the one-hot rows of the labels).
public struct Dataset: Sendable {
    public let features: Tensor<Double>
    public let targets: Tensor<Double>
    /// Class indices `0 ..< classes` for classification; nil for regression.
    public let labels: [Int]?
    public let provenance: DataOrigin
    /// The per-example image shape `[C, H, W]` when the examples are images (digits `[1, 8, 8]`,
    /// IDX images `[1, rows, cols]`, CIFAR-10 `[3, 32, 32]`), features in that row-major order.
    public internal(set) var imageShape: [Int]?

    /// Largest number of classes a data file may define: labels are `0 ..< maximumClasses`. Each
    /// class is a column of the one-hot targets, so a corrupt label (say 4e9) would otherwise ask
    /// for `count x label` doubles.
    public static let maximumClasses = 1 << 16

    /// A classification set: targets are the one-hot encoding of `labels`.
    public init(features: Tensor<Double>, labels: [Int], classes: Int, provenance: DataOrigin) {
        precondition(features.rank == 2 && features.shape[0] == labels.count, "Dataset: features \(features.shape) for \(labels.count) labels")
        precondition(labels.allSatisfy { (0..<classes).contains($0) }, "Dataset: labels outside 0..<\(classes)")
        var targets = Tensor<Double>(zeros: [labels.count, classes])
        for (i, label) in labels.enumerated() { targets[i, label] = 1 }
        self.features = features
        self.targets = targets
        self.labels = labels
        self.provenance = provenance
    }

    /// A regression set.
    public init(features: Tensor<Double>, targets: Tensor<Double>, provenance: DataOrigin) {
        precondition(features.rank == 2 && targets.rank == 2 && features.shape[0] == targets.shape[0],
                     "Dataset: features \(features.shape) and targets \(targets.shape) need equal rows")
        self.features = features
        self.targets = targets
        self.labels = nil
        self.provenance = provenance
    }

    private init(features: Tensor<Double>, targets: Tensor<Double>, labels: [Int]?, provenance: DataOrigin) {
        self.features = features
        self.targets = targets
        self.labels = labels
        self.provenance = provenance
    }

    public var count: Int { features.shape[0] }
    public var inputDimension: Int { features.shape[1] }
    public var outputDimension: Int { targets.shape[1] }
    public var isClassification: Bool { labels != nil }

    /// The examples as a batch in precision `T`.
    public func batch<T: TensorScalar>(as: T.Type = T.self) -> Batch<T> {
        Batch(inputs: features.converted(to: T.self), targets: targets.converted(to: T.self))
    }

    /// The examples at `indices`, in that order.
    public func subset(_ indices: [Int]) -> Dataset {
        var subset = Dataset(features: features.rows(at: indices), targets: targets.rows(at: indices),
                             labels: labels.map { l in indices.map { l[$0] } }, provenance: provenance)
        subset.imageShape = imageShape
        return subset
    }

    /// The same examples with new features (after normalization).
    public func replacingFeatures(_ newFeatures: Tensor<Double>) -> Dataset {
        var replaced = Dataset(features: newFeatures, targets: targets, labels: labels, provenance: provenance)
        replaced.imageShape = imageShape
        return replaced
    }

    /// A seeded random permutation of `0 ..< n` (Fisher-Yates).
    public static func permutation(_ n: Int, seed: UInt64) -> [Int] {
        var rng = SeededGenerator(seed: seed)
        var p = Array(0..<n)
        if n > 1 { for i in stride(from: n - 1, to: 0, by: -1) { p.swapAt(i, Int(rng.next() % UInt64(i + 1))) } }
        return p
    }
}

/// Per-feature affine normalization fitted on a training set and applied to any set:
/// `x' = (x - shift) / scale`.
public struct FeatureNormalization: Sendable, Equatable {
    public enum Kind: String, CaseIterable, Sendable {
        /// Unchanged.
        case none
        /// Zero mean and unit variance per feature (constant features are only centred).
        case standardize
        /// Divided by the largest absolute value over the training set (e.g. pixels to [0, 1]).
        case scale
    }
    public let shift: [Double]
    public let scale: [Double]

    /// Statistics of `kind` over the rows of `features` (`[n, d]`).
    public init(_ kind: Kind, fittedTo features: Tensor<Double>) {
        let (n, d) = (features.shape[0], features.shape[1])
        let x = features.scalars
        switch kind {
        case .none:
            shift = [Double](repeating: 0, count: d)
            scale = [Double](repeating: 1, count: d)
        case .scale:
            let m = x.reduce(0) { max($0, abs($1)) }
            shift = [Double](repeating: 0, count: d)
            scale = [Double](repeating: m > 0 ? m : 1, count: d)
        case .standardize:
            var mean = [Double](repeating: 0, count: d), variance = mean
            for i in 0..<n { for j in 0..<d { mean[j] += x[i * d + j] / Double(n) } }
            for i in 0..<n { for j in 0..<d { variance[j] += (x[i * d + j] - mean[j]) * (x[i * d + j] - mean[j]) / Double(n) } }
            shift = mean
            scale = variance.map { $0 > 0 ? $0.squareRoot() : 1 }
        }
    }

    public func apply(_ features: Tensor<Double>) -> Tensor<Double> {
        let d = features.shape[1]
        var x = features.scalars
        for i in x.indices { x[i] = (x[i] - shift[i % d]) / scale[i % d] }
        return Tensor(shape: features.shape, scalars: x)
    }
}
