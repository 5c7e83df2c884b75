import Autodiff
import Tensor

/// 2-D convolution (cross-correlation, as in PyTorch) of `[n, C_in, H, W]` images:
/// `y[n, o, p] = sum_{c,i,j} w[o, c, i, j] x[n, c, p·stride + (i, j) - padding] + b[o]`, zero padding.
/// Output `[n, C_out, H_out, W_out]`.
///
/// Computed as im2col (a gather, `WindowGeometry.im2col`) then one matrix product with the
/// `[C_out, C_in k k]` weight matrix, so its gradient and Hessian-vector product come from those
/// two operations' rules. Parameters: `weight` `[C_out, C_in, k, k]` (fan-in `C_in k²`, fan-out
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
        self.columns = geometry.im2col()
    }

    var taps: Int { geometry.channels * geometry.kernel * geometry.kernel }

    public var parameters: [ParameterSpec] {
        let k2 = geometry.kernel * geometry.kernel
        return [ParameterSpec("weight", [outputChannels, geometry.channels, geometry.kernel, geometry.kernel],
                              .weight(fanIn: geometry.channels * k2, fanOut: outputChannels * k2, scale: initialScale))]
            + (bias ? [ParameterSpec("bias", [outputChannels], .zeros)] : [])
    }

    public func outputShape(for input: [Int]) -> [Int] {
        precondition(input == [geometry.channels, geometry.height, geometry.width], "Conv2D: input \(input), expected \(geometry)")
        return [outputChannels, geometry.outputHeight, geometry.outputWidth]
    }

    public func callAsFunction<A: TensorOps>(_ x: A, _ scope: Scope<A>) -> A {
        let n = x.shape[0], positions = geometry.positions
        let patches = x.gathered(columns).reshaped([n * positions, taps])
        let w = scope.parameter("weight").reshaped([outputChannels, taps]).transposed([1, 0])
        let y = bias ? patches.matmul(w, addingRowVector: scope.parameter("bias")) : patches.matmul(w)
        return y.reshaped([n, positions, outputChannels]).transposed([0, 2, 1])
            .reshaped([n, outputChannels, geometry.outputHeight, geometry.outputWidth])
    }
}
