import Foundation
import Models
import Tensor

/// Where a data set came from, recorded in run files so analysis can find and verify it.
public struct DataOrigin: Equatable, Sendable {
    /// The source kind (`digits`, `idx`, `cifar10`, `csv`, `gaussian_mixture`, `teacher_student`,
    /// `text`, `copy`, `sort`, `modular_addition`).
    public let source: String
    /// Files read, in order (empty for synthetic sets).
    public let paths: [String]
    /// SHA-256 of the files' bytes concatenated in order, or of the generated features and targets
    /// (of the generated tokens, for sequence tasks).
    public let sha256: String
    /// Bytes behind `sha256`: the files' total size, or the generated data's.
    public let bytes: Int

    /// The origin of `content` (the bytes read, or the generated data as bytes): its SHA-256 and size.
    public init(source: String, paths: [String], content: Data) {
        self.source = source
        self.paths = paths
        sha256 = SHA256.hex(content)
        bytes = content.count
    }
}

/// Examples held in memory: features `[n, d]` and targets `[n, k]`, with class labels when the task
/// is classification (then targets are the one-hot rows of the labels).
///
/// Sequence data (next-token prediction over a context of T tokens) has `positions` = T labels per
/// example: features `[n, T]` are input token ids (exact integers `0 ..< classes`), `labels` holds
/// `n * T` next-token ids row-major (example i, position t at `i * T + t`), and targets `[n, T * V]`
/// are their one-hot rows, example i's row holding T consecutive one-hot blocks of V = `classes`.
public struct Dataset: Sendable {
    public let features: Tensor<Double>
    public let targets: Tensor<Double>
    /// Class indices `0 ..< classes` for classification, `positions` per example (row-major); nil
    /// for regression.
    public let labels: [Int]?
    /// Labels per example: T (the context) for sequence data, 1 for every other data set.
    public let positions: Int
    public let provenance: DataOrigin
    /// The per-example image shape `[C, H, W]` when the examples are images (digits `[1, 8, 8]`,
    /// IDX images `[1, rows, cols]`, CIFAR-10 `[3, 32, 32]`), features in that row-major order.
    public internal(set) var imageShape: [Int]?
    /// Text data: the byte each token id stands for (`vocabulary[id]`), so tokens can be decoded;
    /// nil for every other data set.
    public internal(set) var vocabulary: [UInt8]?

    /// Largest number of classes a data file may define: labels are `0 ..< maximumClasses`. Each
    /// class is a column of the one-hot targets, so a corrupt label (say 4e9) would otherwise ask
    /// for `count x label` doubles.
    public static let maximumClasses = 1 << 16

    /// A classification set: targets are the one-hot encoding of `labels`, `positions` labels per
    /// example (row-major; targets `[n, positions * classes]`, one block of `classes` per position).
    public init(features: Tensor<Double>, labels: [Int], classes: Int, positions: Int = 1, provenance: DataOrigin) {
        precondition(positions >= 1, "Dataset: \(positions) label positions per example")
        precondition(features.rank == 2 && features.shape[0] * positions == labels.count,
                     "Dataset: features \(features.shape) for \(labels.count) labels at \(positions) positions per example")
        precondition(labels.allSatisfy { (0..<classes).contains($0) }, "Dataset: labels outside 0..<\(classes)")
        let n = features.shape[0], width = positions * classes
        var y = [Double](repeating: 0, count: n * width)
        // Example i's label at position t is entry i * positions + t; its one-hot block starts at column t * classes.
        for (k, label) in labels.enumerated() { y[(k / positions) * width + (k % positions) * classes + label] = 1 }
        self.features = features
        self.targets = Tensor(shape: [n, width], scalars: y)
        self.labels = labels
        self.positions = positions
        self.provenance = provenance
    }

    /// A next-token prediction set over `vocabularySize` tokens: `windows` holds n windows of
    /// `context + 1` token ids each (flat, row-major). Example i's input is window i's first
    /// `context` tokens, its labels the last `context` (each input position predicts the token
    /// after it): features `[n, context]`, `positions == context`, `classes == vocabularySize`.
    public init(windows: [Int], context: Int, vocabularySize: Int, provenance: DataOrigin) {
        precondition(context >= 1 && windows.count % (context + 1) == 0,
                     "Dataset: \(windows.count) tokens are not whole windows of context \(context) + 1")
        precondition(windows.allSatisfy { (0..<vocabularySize).contains($0) }, "Dataset: tokens outside 0..<\(vocabularySize)")
        let n = windows.count / (context + 1)
        var inputs = [Double](), labels = [Int]()
        inputs.reserveCapacity(n * context)
        labels.reserveCapacity(n * context)
        for i in 0..<n {
            let start = i * (context + 1)
            inputs.append(contentsOf: windows[start..<(start + context)].map(Double.init))
            labels.append(contentsOf: windows[(start + 1)...(start + context)])
        }
        self.init(features: Tensor(shape: [n, context], scalars: inputs), labels: labels, classes: vocabularySize,
                  positions: context, provenance: provenance)
    }

    /// A regression set.
    public init(features: Tensor<Double>, targets: Tensor<Double>, provenance: DataOrigin) {
        precondition(features.rank == 2 && targets.rank == 2 && features.shape[0] == targets.shape[0],
                     "Dataset: features \(features.shape) and targets \(targets.shape) need equal rows")
        self.features = features
        self.targets = targets
        self.labels = nil
        self.positions = 1
        self.provenance = provenance
    }

    private init(features: Tensor<Double>, targets: Tensor<Double>, labels: [Int]?, positions: Int, provenance: DataOrigin) {
        self.features = features
        self.targets = targets
        self.labels = labels
        self.positions = positions
        self.provenance = provenance
    }

    public var count: Int { features.shape[0] }
    public var inputDimension: Int { features.shape[1] }
    /// Target columns per example: `positions * classes`.
    public var outputDimension: Int { targets.shape[1] }
    /// Classes per position (V, the vocabulary size, for sequence data); for regression, target
    /// columns per example.
    public var classes: Int { targets.shape[1] / positions }
    public var isClassification: Bool { labels != nil }

    /// The examples as a batch in precision `T`.
    public func batch<T: TensorScalar>(as: T.Type = T.self) -> Batch<T> {
        Batch(inputs: features.converted(to: T.self), targets: targets.converted(to: T.self))
    }

    /// The examples at `indices`, in that order (each with all its `positions` labels).
    public func subset(_ indices: [Int]) -> Dataset {
        let t = positions
        let subset = Dataset(features: features.rows(at: indices), targets: targets.rows(at: indices),
                             labels: labels.map { l in indices.flatMap { l[($0 * t)..<($0 * t + t)] } }, positions: t,
                             provenance: provenance)
        return subset.describedAs(self)
    }

    /// The same examples with new features (after normalization).
    public func replacingFeatures(_ newFeatures: Tensor<Double>) -> Dataset {
        Dataset(features: newFeatures, targets: targets, labels: labels, positions: positions, provenance: provenance).describedAs(self)
    }

    /// This set with `other`'s description of its examples (image shape, vocabulary).
    private func describedAs(_ other: Dataset) -> Dataset {
        var described = self
        described.imageShape = other.imageShape
        described.vocabulary = other.vocabulary
        return described
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
