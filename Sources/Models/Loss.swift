import Autodiff
import Tensor

/// The per-example loss, averaged over examples. A sequence model's loss is the mean over every
/// predicted position of the batch (each example has the same number of positions, so this is
/// also the mean over examples of each example's mean over positions).
public enum LossKind: String, CaseIterable, Sendable, Codable {
    /// Softmax cross-entropy against probability-vector targets (one-hot for labels).
    case crossEntropy = "cross_entropy"
    /// Half the squared error, `|z - y|^2 / 2`, against real targets (one-hot for labels).
    case meanSquaredError = "mse"

    /// The loss of `outputs` (`[n, positions * classes]`) against `targets` of the same shape,
    /// each position's `classes` entries one prediction. Rank 0.
    func apply<A: TensorOps>(_ outputs: A, _ targets: Tensor<A.Scalar>, positions: Int = 1) -> A {
        if positions > 1 {
            let rows = outputs.shape[0] * positions, classes = outputs.shape[1] / positions
            return apply(outputs.reshaped([rows, classes]), targets.reshaped([rows, classes]))
        }
        switch self {
        case .crossEntropy: return outputs.softmaxCrossEntropy(targets: targets)
        case .meanSquaredError: return outputs.meanSquaredError(targets: targets)
        }
    }
}

/// Examples for a loss: inputs `[n, features]` and targets `[n, outputs]`.
public struct Batch<T: TensorScalar>: Sendable {
    public let inputs: Tensor<T>
    public let targets: Tensor<T>

    public init(inputs: Tensor<T>, targets: Tensor<T>) {
        precondition(inputs.rank == 2 && targets.rank == 2 && inputs.shape[0] == targets.shape[0],
                     "Batch: inputs \(inputs.shape) and targets \(targets.shape) must be [n, ...] with equal n")
        self.inputs = inputs
        self.targets = targets
    }

    public var count: Int { inputs.shape[0] }

    /// Examples `range`.
    public func slice(_ range: Range<Int>) -> Batch { Batch(inputs: inputs.rows(range), targets: targets.rows(range)) }

    /// How many predictions have their largest output where the target has its largest entry (the
    /// first such index on ties, in both). `outputs` and `targets` are `[n, positions * classes]`:
    /// each example makes `positions` predictions of `classes` outputs (1 and the row for
    /// ordinary models).
    public func correctPredictions(_ outputs: Tensor<T>, positions: Int = 1) -> Int {
        precondition(outputs.shape == targets.shape, "Batch.correctPredictions: outputs \(outputs.shape) for targets \(targets.shape)")
        precondition(positions > 0 && targets.shape[1] % positions == 0, "Batch.correctPredictions: \(positions) positions in rows of \(targets.shape[1])")
        let classes = targets.shape[1] / positions
        // Compared as Float64 (exact, order-preserving): generic comparisons here would go
        // through a witness call per element.
        func argmax(_ row: UnsafePointer<Double>) -> Int {
            var best = 0
            for j in 1..<max(classes, 1) where row[best] < row[j] { best = j }
            return best
        }
        return outputs.doubles.withUnsafeBufferPointer { z in
            targets.doubles.withUnsafeBufferPointer { y in
                (0..<(count * positions)).reduce(0) { correct, i in
                    correct + (argmax(z.baseAddress! + i * classes) == argmax(y.baseAddress! + i * classes) ? 1 : 0)
                }
            }
        }
    }

    /// Consecutive slices of at most `size` examples covering the batch, and at least `minimum`
    /// of them (fewer only when there are fewer examples); sizes differ by at most one, the
    /// larger first.
    public func chunks(of size: Int, atLeast minimum: Int = 1) -> [Batch] {
        precondition(size > 0 && minimum > 0, "Batch.chunks: size and minimum must be positive")
        let k = Swift.max(Swift.min(Swift.max((count + size - 1) / size, minimum), count), 1)
        if k == 1 { return [self] }
        let (base, extra) = count.quotientAndRemainder(dividingBy: k)
        var start = 0
        return (0..<k).map { c in
            let end = start + base + (c < extra ? 1 : 0)
            defer { start = end }
            return slice(start..<end)
        }
    }
}
