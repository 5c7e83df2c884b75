import Autodiff
import Tensor

/// `x W + 1 bᵀ`: inputs `[n, inputs]`, outputs `[n, outputs]`; inputs with more axes
/// (`[n, positions, inputs]`) are mapped along the last one, position by position.
/// Parameters: `weight` `[inputs, outputs]` (the scheme's fans), `bias` `[outputs]` (zeros) when `bias`.
public struct Dense: Layer {
    public let inputs: Int
    public let outputs: Int
    public let bias: Bool
    /// Multiplies the scheme's initial weights (0: zero-initialized, as Fixup's last layer).
    public let initialScale: Double

    public init(inputs: Int, outputs: Int, bias: Bool = true, initialScale: Double = 1) {
        precondition(inputs > 0 && outputs > 0, "Dense: sizes must be positive, got \(inputs) -> \(outputs)")
        self.inputs = inputs
        self.outputs = outputs
        self.bias = bias
        self.initialScale = initialScale
    }

    public var parameters: [ParameterSpec] {
        [ParameterSpec("weight", [inputs, outputs], .weight(fanIn: inputs, fanOut: outputs, scale: initialScale), role: .denseWeight)]
            + (bias ? [ParameterSpec("bias", [outputs], .zeros)] : [])
    }

    public func outputShape(for input: [Int]) -> [Int] {
        precondition(input.last == inputs, "Dense: input \(input), expected [..., \(inputs)]")
        return input.dropLast() + [outputs]
    }

    public func callAsFunction<A: TensorOps>(_ x: A, _ scope: Scope<A>) -> A {
        let w = scope.parameter("weight")
        let rows = x.shape.count == 2 ? x : x.reshaped([x.count / inputs, inputs])
        let y = bias ? rows.matmul(w, addingRowVector: scope.parameter("bias")) : rows.matmul(w)
        return x.shape.count == 2 ? y : y.reshaped(x.shape.dropLast() + [outputs])
    }
}
