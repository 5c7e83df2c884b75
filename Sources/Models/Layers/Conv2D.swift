import Autodiff
import Tensor

/// 2-D convolution (cross-correlation, as in PyTorch) of `[n, C_in, H, W]` images:
/// `y[n, o, p] = sum_{c,i,j} w[o, c, i, j] x[n, c, p·stride + (i, j) - padding] + b[o]`, zero padding.
/// Output `[n, C_out, H_out, W_out]`.
///
/// Computed as columns (a gather, `WindowGeometry.columns`: im2col in Caffe's `[taps, positions]`
/// layout per example) then a batched matrix product `W [C_out, C_in k k] x columns`, which is
/// the `[C_out, positions]` output of each example in place (no transpose); its gradient and
/// Hessian-vector product come from those two operations' rules. Parameters: `weight` `[C_out, C_in, k, k]` (fan-in `C_in k²`, fan-out
/// `C_out k²`), `bias` `[C_out]` (zeros) when `bias`.
public struct Conv2D: Layer {
    public let geometry: WindowGeometry
    public let outputChannels: Int
    public let bias: Bool
    public let initialScale: Double
    let columns: IndexMap

    public init(_ geometry: WindowGeometry, outputChannels: Int, bias: Bool = true, initialScale: Double = 1) {
        precondition(outputChannels > 0, "Conv2D: output channels must be positive")
        self.geometry = geometry
        self.outputChannels = outputChannels
        self.bias = bias
        self.initialScale = initialScale
        self.columns = geometry.columns()
    }

    var taps: Int { geometry.channels * geometry.kernel * geometry.kernel }

    public var parameters: [ParameterSpec] {
        let k2 = geometry.kernel * geometry.kernel
        return [ParameterSpec("weight", [outputChannels, geometry.channels, geometry.kernel, geometry.kernel],
                              .weight(fanIn: geometry.channels * k2, fanOut: outputChannels * k2, scale: initialScale), role: .convolutionWeight)]
            + (bias ? [ParameterSpec("bias", [outputChannels], .zeros)] : [])
    }

    public func outputShape(for input: [Int]) -> [Int] {
        precondition(input == [geometry.channels, geometry.height, geometry.width], "Conv2D: input \(input), expected \(geometry)")
        return [outputChannels, geometry.outputHeight, geometry.outputWidth]
    }

    public func callAsFunction<A: TensorOps>(_ x: A, _ scope: Scope<A>) -> A {
        let n = x.shape[0]
        let w = scope.parameter("weight").reshaped([outputChannels, taps])
        var y = w.matmul(x.gathered(columns))
        if bias { y = y.adding(broadcast: scope.parameter("bias").reshaped([outputChannels, 1])) }
        return y.reshaped([n, outputChannels, geometry.outputHeight, geometry.outputWidth])
    }
}
