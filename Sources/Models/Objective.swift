import Autodiff
import Tensor

/// The training objective of an MLP on a batch:
/// `L(w) = weight * mean_i loss(f(x_i; w), y_i) + (weightDecay / 2) |w|^2`.
///
/// `weight` lets a large batch be split into chunks whose objectives add up to the whole one's:
/// chunk c gets `weight = n_c / n`, and the decay term is carried by one chunk only.
/// Its by-product (`valueAndAuxiliary`) is the model's outputs on the batch, `[n, outputs]`.
public struct Objective<T: TensorScalar>: AuxiliaryScalarFunction {
    public typealias Scalar = T
    public let model: MLP
    public let loss: LossKind
    public let batch: Batch<T>
    public let weight: T
    public let weightDecay: T

    public init(model: MLP, loss: LossKind, batch: Batch<T>, weight: T = 1, weightDecay: T = 0) {
        self.model = model
        self.loss = loss
        self.batch = batch
        self.weight = weight
        self.weightDecay = weightDecay
    }

    public func valueAndAuxiliary<A: TensorOps>(_ parameters: [A]) -> (value: A, auxiliary: A) where A.Scalar == T {
        let outputs = model(parameters, A(constant: batch.inputs))
        var total = loss.apply(outputs, batch.targets)
        if weight != 1 { total = total.scaled(weight) }
        if weightDecay != 0 {
            for p in parameters { total = total + p.sumOfSquares().scaled(weightDecay / 2) }
        }
        return (total, outputs)
    }
}
