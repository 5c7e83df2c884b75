import Autodiff
import Tensor

/// Max pooling of `[n, C, H, W]` images over `geometry`'s windows (padding never wins).
/// The argmax is chosen from the values, then the output is a gather at it: the derivative is
/// that selection (exact wherever the maximum is unique, which is almost everywhere).
public struct MaxPool2D: Layer {
    public let geometry: WindowGeometry
    let windows: IndexMap
    public init(_ geometry: WindowGeometry) {
        self.geometry = geometry
        self.windows = geometry.windows()
    }

    public func outputShape(for input: [Int]) -> [Int] { geometry.pooledShape(for: input, layer: "MaxPool2D") }

    public func callAsFunction<A: TensorOps>(_ x: A, _ scope: Scope<A>) -> A {
        x.gathered(x.primalValue.windowMaxima(windows))
    }
}

/// Average pooling of `[n, C, H, W]` images: the mean of each window, padding counted as zeros
/// (PyTorch's `count_include_pad=True`).
public struct AvgPool2D: Layer {
    public let geometry: WindowGeometry
    let windows: IndexMap
    public init(_ geometry: WindowGeometry) {
        self.geometry = geometry
        self.windows = geometry.windows()
    }

    public func outputShape(for input: [Int]) -> [Int] { geometry.pooledShape(for: input, layer: "AvgPool2D") }

    public func callAsFunction<A: TensorOps>(_ x: A, _ scope: Scope<A>) -> A {
        let n = x.shape[0], g = geometry
        return x.gathered(windows).mean(alongAxes: [4]).reshaped([n, g.channels, g.outputHeight, g.outputWidth])
    }
}

extension WindowGeometry {
    /// A pooling layer's per-example output `[C, H_out, W_out]` for an input that must be `[C, H, W]`.
    func pooledShape(for input: [Int], layer: String) -> [Int] {
        precondition(input == [channels, height, width], "\(layer): input \(input), expected \(self)")
        return [channels, outputHeight, outputWidth]
    }
}

/// The mean over all positions of each channel: `[n, C, H, W] -> [n, C]`.
public struct GlobalAveragePool: Layer {
    public init() {}

    public func outputShape(for input: [Int]) -> [Int] {
        precondition(input.count == 3, "GlobalAveragePool: input \(input) is not [C, H, W]")
        return [input[0]]
    }

    public func callAsFunction<A: TensorOps>(_ x: A, _ scope: Scope<A>) -> A {
        x.mean(alongAxes: [2, 3]).reshaped([x.shape[0], x.shape[1]])
    }
}

/// `[n, d1, d2, ...] -> [n, d1 d2 ...]`, row-major.
public struct Flatten: Layer {
    public init() {}
    public func outputShape(for input: [Int]) -> [Int] { [input.reduce(1, *)] }
    public func callAsFunction<A: TensorOps>(_ x: A, _ scope: Scope<A>) -> A {
        x.reshaped([x.shape[0], x.count / max(x.shape[0], 1)])
    }
}
