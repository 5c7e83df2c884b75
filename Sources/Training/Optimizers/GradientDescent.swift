import Tensor

/// Gradient descent with optional heavy-ball momentum, on a flat parameter vector:
/// `u <- beta u + g`, `w <- w - lr u`.
///
/// On a quadratic with curvature lambda this is stable while `lr * lambda < 2 + 2 beta`, the
/// threshold `stabilityThreshold(lr:)` returns (Cohen et al. 2021).
public struct GradientDescent<T: TensorScalar> {
    public var learningRate: T
    public let momentum: T
    /// The momentum buffer u (zero before the first step).
    public private(set) var velocity: Tensor<T>?

    public init(learningRate: T, momentum: T = 0) {
        precondition(learningRate > 0, "GradientDescent: learning rate must be positive, got \(learningRate)")
        precondition(momentum >= 0 && momentum < 1, "GradientDescent: momentum must be in [0, 1), got \(momentum)")
        self.learningRate = learningRate
        self.momentum = momentum
    }

    /// The sharpness above which the iteration diverges on a quadratic: `(2 + 2 beta) / lr`.
    public func stabilityThreshold() -> Double {
        (2 + 2 * Double(momentum)) / Double(learningRate)
    }

    /// Updates `w` in place with gradient `g`; returns the update's norm.
    @discardableResult
    public mutating func step(_ w: inout Tensor<T>, gradient g: Tensor<T>) -> T {
        var direction = g
        if momentum > 0 {
            direction = velocity.map { $0.linearCombination(momentum, 1, g) } ?? g
            velocity = direction
        }
        let update = learningRate * direction
        w = w - update
        return update.norm()
    }
}
