import Autodiff
import Tensor

/// Batch normalization of `[n, C]` or `[n, C, H, W]` inputs, per channel:
/// `y = γ (x - μ) / sqrt(σ² + ε) + β`.
///
/// Train mode: μ and σ² are the batch's mean and biased variance over every axis but the channel
/// one, so each output depends on every example of the batch (see `Objective` for what that means
/// for the Hessian), and the pass records new running statistics:
/// `running_mean ← (1 - momentum) running_mean + momentum μ`, the same for `running_var` with the
/// unbiased variance (PyTorch's convention). Eval mode: μ, σ² are the running statistics, constants.
/// Parameters `weight` (γ, ones, or zeros with `zeroInitialScale`) and `bias` (β, zeros), `[C]`;
/// buffers `running_mean` (zeros) and `running_var` (ones), `[C]`.
public struct BatchNorm: Layer {
    public let channels: Int
    public let epsilon: Double
    public let momentum: Double
    /// γ starts at zero (the last normalization of a residual branch, so each block starts as the identity).
    public let zeroInitialScale: Bool

    public init(channels: Int, epsilon: Double = 1e-5, momentum: Double = 0.1, zeroInitialScale: Bool = false) {
        precondition(channels > 0, "BatchNorm: channels must be positive")
        self.channels = channels
        self.epsilon = epsilon
        self.momentum = momentum
        self.zeroInitialScale = zeroInitialScale
    }

    public var parameters: [ParameterSpec] {
        [ParameterSpec("weight", [channels], zeroInitialScale ? .zeros : .ones, role: .normScale), ParameterSpec("bias", [channels], .zeros)]
    }
    public var buffers: [ParameterSpec] {
        [ParameterSpec("running_mean", [channels], .zeros), ParameterSpec("running_var", [channels], .ones)]
    }

    public func outputShape(for input: [Int]) -> [Int] {
        precondition((input.count == 1 || input.count == 3) && input[0] == channels, "BatchNorm: input \(input), expected [\(channels)] or [\(channels), H, W]")
        return input
    }

    public func callAsFunction<A: TensorOps>(_ x: A, _ scope: Scope<A>) -> A {
        let shape = x.shape
        let axes = shape.count == 2 ? [0] : [0, 2, 3]
        let statShape = shape.count == 2 ? [1, channels] : [1, channels, 1, 1]
        let normalized: A
        switch scope.mode {
        case .train:
            let mean = x.mean(alongAxes: axes)
            let centred = x - mean.broadcast(to: shape)
            let variance = (centred * centred).mean(alongAxes: axes)
            normalized = centred * variance.shifted(by: A.Scalar(epsilon)).applying(.rsqrt).broadcast(to: shape)
            let m = Double(x.count / channels)
            let (mu, v) = (mean.primalValue.reshaped([channels]), variance.primalValue.reshaped([channels]))
            let unbiased = m > 1 ? A.Scalar(m / (m - 1)) * v : v
            let k = A.Scalar(momentum)
            scope.update(buffer: "running_mean", to: scope.buffer("running_mean").linearCombination(1 - k, k, mu))
            scope.update(buffer: "running_var", to: scope.buffer("running_var").linearCombination(1 - k, k, unbiased))
        case .eval:
            let mean = scope.buffer("running_mean").reshaped(statShape)
            let scale = scope.buffer("running_var").shifted(by: A.Scalar(epsilon)).applying(.rsqrt).reshaped(statShape)
            normalized = (x - A(constant: mean.broadcast(to: shape))) * A(constant: scale.broadcast(to: shape))
        }
        return normalized.multiplying(broadcast: scope.parameter("weight").reshaped(statShape))
            .adding(broadcast: scope.parameter("bias").reshaped(statShape))
    }
}

/// Layer normalization over each example's trailing `normalizedShape` axes:
/// `y = γ (x - μ) / sqrt(σ² + ε) + β`, μ and σ² (biased) over those axes, γ (ones) and β (zeros)
/// of shape `normalizedShape`. Examples are independent; train and eval modes agree.
public struct LayerNorm: Layer {
    public let normalizedShape: [Int]
    public let epsilon: Double

    public init(normalizedShape: [Int], epsilon: Double = 1e-5) {
        precondition(!normalizedShape.isEmpty && normalizedShape.allSatisfy { $0 > 0 }, "LayerNorm: bad shape \(normalizedShape)")
        self.normalizedShape = normalizedShape
        self.epsilon = epsilon
    }

    public var parameters: [ParameterSpec] {
        [ParameterSpec("weight", normalizedShape, .ones, role: .normScale), ParameterSpec("bias", normalizedShape, .zeros)]
    }

    public func outputShape(for input: [Int]) -> [Int] {
        precondition(input.suffix(normalizedShape.count).elementsEqual(normalizedShape), "LayerNorm: input \(input) does not end in \(normalizedShape)")
        return input
    }

    public func callAsFunction<A: TensorOps>(_ x: A, _ scope: Scope<A>) -> A {
        let shape = x.shape
        let axes = Array((shape.count - normalizedShape.count)..<shape.count)
        let centred = x - x.mean(alongAxes: axes).broadcast(to: shape)
        let variance = (centred * centred).mean(alongAxes: axes)
        let normalized = centred * variance.shifted(by: A.Scalar(epsilon)).applying(.rsqrt).broadcast(to: shape)
        return normalized.multiplying(broadcast: scope.parameter("weight")).adding(broadcast: scope.parameter("bias"))
    }
}
