import Autodiff
import Tensor

/// The training objective of a model on a batch:
/// `L(w) = weight * mean_i loss(f(x_i; w), y_i) + (weightDecay / 2) |w|^2`.
///
/// `weight` lets a large batch be split into chunks whose objectives add up to the whole one's:
/// chunk c gets `weight = n_c / n`, and the decay term is carried by one chunk only.
/// Its by-product (`valueAndAuxiliary`) is the model's outputs on the batch, `[n, outputs]`.
///
/// **What the loss is when examples are coupled.** In train mode a BatchNorm normalizes each
/// example with statistics of the others, so the loss is no longer a mean of independent terms.
/// The batch is then cut into consecutive groups of `normalizationGroup` examples (the last holds
/// the remainder), each normalized with its own statistics, and the loss is the example-weighted
/// mean of the groups' losses: the loss the optimizer's steps see when the group is the training
/// batch size. Its Hessian is the one measured; chunks of a `LossSurface` are whole groups, so
/// chunking does not change it. In eval mode (running statistics) examples are independent.
public struct Objective<T: TensorScalar>: AuxiliaryScalarFunction {
    public typealias Scalar = T
    public let model: Network
    public let loss: LossKind
    public let batch: Batch<T>
    public let weight: T
    public let weightDecay: T
    public let mode: Mode
    /// The model's buffers (`model.bufferLayout`): read in eval mode, the start of the running
    /// statistics' update in train mode.
    public let buffers: [Tensor<T>]
    /// Examples normalized together in train mode; nil: the whole batch.
    public let normalizationGroup: Int?
    /// Receives the buffers a train-mode pass computes (the last group's running statistics).
    public var bufferSink: BufferSink<T>?
    /// Seeds dropout in train mode; nil: no dropout.
    public var dropoutSeed: UInt64?

    public init(model: Network, loss: LossKind, batch: Batch<T>, weight: T = 1, weightDecay: T = 0, mode: Mode = .train,
                buffers: [Tensor<T>]? = nil, normalizationGroup: Int? = nil) {
        self.model = model
        self.loss = loss
        self.batch = batch
        self.weight = weight
        self.weightDecay = weightDecay
        self.mode = mode
        self.buffers = buffers ?? model.initialBuffers()
        self.normalizationGroup = normalizationGroup
    }

    /// How many of the model's predictions on the batch (`outputs`, the auxiliary) are right:
    /// one per example, or one per position of a sequence model.
    public func correctPredictions(_ outputs: Tensor<T>) -> Int { batch.correctPredictions(outputs, positions: model.positions) }

    /// The groups of examples normalized together (one group unless batch statistics couple them).
    public var groups: [Range<Int>] {
        let n = batch.count
        guard mode == .train, model.usesBatchStatistics, let g = normalizationGroup, g < n else { return [0..<n] }
        return stride(from: 0, to: n, by: g).map { $0..<Swift.min($0 + g, n) }
    }

    public func valueAndAuxiliary<A: TensorOps>(_ parameters: [A]) -> (value: A, auxiliary: A) where A.Scalar == T {
        let groups = self.groups
        var total: A? = nil
        var outputs = [A]()
        var current = buffers
        for range in groups {
            let part = groups.count == 1 ? batch : batch.slice(range)
            let (y, pass) = model.apply(parameters, A(constant: part.inputs), buffers: current, mode: mode, dropoutSeed: dropoutSeed)
            var term = loss.apply(y, part.targets, positions: model.positions)
            let share = weight * T(range.count) / T(batch.count)
            if share != 1 { term = term.scaled(share) }
            total = total.map { $0 + term } ?? term
            outputs.append(y)
            if !pass.updatedBuffers.isEmpty {
                let updated = Dictionary(pass.updatedBuffers.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
                current = zip(model.bufferLayout.names, current).map { updated[$0] ?? $1 }
            }
        }
        if weightDecay != 0 {
            for p in parameters { total = total! + p.sumOfSquares().scaled(weightDecay / 2) }
        }
        bufferSink?.buffers = current
        let auxiliary = outputs.count == 1 ? outputs[0]
            : A(constant: Tensor(shape: [batch.count, model.outputs], scalars: outputs.flatMap(\.primalValue.scalars)))
        return (total!, auxiliary)
    }
}

/// Where a train-mode pass leaves the model's new buffers (a class: objectives are values).
public final class BufferSink<T: TensorScalar>: @unchecked Sendable {
    public var buffers: [Tensor<T>]?
    public init() {}
}
