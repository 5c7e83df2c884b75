import Tensor

/// Plain evaluation: `Tensor` implements the model and pullback operations directly.
extension Tensor: PullbackOps {
    public typealias Scalar = T

    public init(constant: Tensor<T>) { self = constant }
    public var primalValue: Tensor<T> { self }

    public func scaled(_ alpha: T) -> Tensor { alpha * self }
    public func sumOfSquares() -> Tensor { Tensor(scalar: dot(self)) }
    public func scaled(by s: Tensor) -> Tensor { s.scalar * self }

    public func softmaxCrossEntropy(targets: Tensor) -> Tensor {
        precondition(rank == 2 && targets.shape == shape,
                     "softmaxCrossEntropy: logits \(shape) and targets \(targets.shape) must be equal [n, classes]")
        let n = T(shape[0])
        return Tensor(scalar: (logSumExpRows().sum() - targets.dot(self)) / n)
    }
    public func meanSquaredError(targets: Tensor) -> Tensor {
        precondition(shape == targets.shape, "meanSquaredError: predictions \(shape) and targets \(targets.shape) differ")
        let r = self - targets
        return Tensor(scalar: r.dot(r) / (2 * T(shape[0])))
    }

    public func geluBackward(_ g: Tensor) -> Tensor { geluDerivative() * g }
    public func softmaxCrossEntropyBackward(targets: Tensor, _ g: Tensor) -> Tensor {
        (g.scalar / T(shape[0])) * softmaxRows().crossEntropyResidualRows(targets)
    }
    public func meanSquaredErrorBackward(targets: Tensor, _ g: Tensor) -> Tensor {
        linearCombination(g.scalar / T(shape[0]), -g.scalar / T(shape[0]), targets)
    }
}
