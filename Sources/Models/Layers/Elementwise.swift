import Autodiff
import Tensor

/// An activation function applied to every element.
public struct ActivationLayer: Layer {
    public let activation: Activation
    public init(_ activation: Activation) { self.activation = activation }
    public func outputShape(for input: [Int]) -> [Int] { input }
    public func callAsFunction<A: TensorOps>(_ x: A, _ scope: Scope<A>) -> A { activation.apply(x) }
}

/// Inverted dropout: in train mode with a dropout seed, each element is kept with probability
/// `1 - rate` and scaled by `1 / (1 - rate)`; otherwise the identity. The mask is a constant drawn
/// from the pass's seed and the layer's path, so the gradient and every Hessian-vector product of
/// one pass see the same mask. Curvature is measured with dropout off unless asked.
public struct Dropout: Layer {
    public let rate: Double
    public init(rate: Double) {
        precondition(rate >= 0 && rate < 1, "Dropout: rate must be in [0, 1), got \(rate)")
        self.rate = rate
    }
    public func outputShape(for input: [Int]) -> [Int] { input }

    public func callAsFunction<A: TensorOps>(_ x: A, _ scope: Scope<A>) -> A {
        guard scope.mode == .train, rate > 0, let seed = scope.pass.dropoutSeed else { return x }
        // FNV-1a of the path, so layers draw different masks from one seed.
        let pathHash = scope.path.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        var rng = SeededGenerator(seed: seed ^ pathHash)
        let keep = A.Scalar(1 / (1 - rate))
        let mask = (0..<x.count).map { _ in rng.uniform() >= rate ? keep : 0 }
        return x * A(constant: Tensor(shape: x.shape, scalars: mask))
    }
}

/// A learned scalar added to every element (Fixup's biases): parameter `bias` `[1]`, zeros.
public struct ScalarBias: Layer {
    public init() {}
    public var parameters: [ParameterSpec] { [ParameterSpec("bias", [1], .zeros)] }
    public func outputShape(for input: [Int]) -> [Int] { input }
    public func callAsFunction<A: TensorOps>(_ x: A, _ scope: Scope<A>) -> A {
        x.adding(broadcast: scope.parameter("bias").reshaped([Int](repeating: 1, count: x.shape.count)))
    }
}

/// A learned scalar multiplying every element (Fixup's multiplier): parameter `scale` `[1]`, ones.
public struct ScalarScale: Layer {
    public init() {}
    public var parameters: [ParameterSpec] { [ParameterSpec("scale", [1], .ones)] }
    public func outputShape(for input: [Int]) -> [Int] { input }
    public func callAsFunction<A: TensorOps>(_ x: A, _ scope: Scope<A>) -> A {
        x.multiplying(broadcast: scope.parameter("scale").reshaped([Int](repeating: 1, count: x.shape.count)))
    }
}
