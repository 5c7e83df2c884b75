/// The sliding windows of a 2-D convolution or pooling over `[channels, height, width]` images:
/// `kernel x kernel` windows moved by `stride`, the image padded by `padding` zeros on each side.
/// Output extent `(height + 2 padding - kernel) / stride + 1` (rounded down), as in PyTorch.
public struct WindowGeometry: Equatable, Sendable, CustomStringConvertible {
    public let channels: Int
    public let height: Int
    public let width: Int
    public let kernel: Int
    public let stride: Int
    public let padding: Int

    public init(channels: Int, height: Int, width: Int, kernel: Int, stride: Int = 1, padding: Int = 0) {
        precondition(channels > 0 && height > 0 && width > 0 && kernel > 0 && stride > 0 && padding >= 0,
                     "WindowGeometry: channels, sizes, kernel and stride must be positive, padding >= 0")
        precondition(height + 2 * padding >= kernel && width + 2 * padding >= kernel,
                     "WindowGeometry: a \(kernel)x\(kernel) window does not fit a \(height)x\(width) image padded by \(padding)")
        self.channels = channels
        self.height = height
        self.width = width
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
    }

    public var outputHeight: Int { (height + 2 * padding - kernel) / stride + 1 }
    public var outputWidth: Int { (width + 2 * padding - kernel) / stride + 1 }
    /// Output positions per channel.
    public var positions: Int { outputHeight * outputWidth }
    public var description: String { "\(channels)x\(height)x\(width), \(kernel)x\(kernel) windows, stride \(stride), padding \(padding)" }

    /// Input offset of window tap `(i, j)` of output position `(oy, ox)` in channel `c`, or -1 in the padding.
    @inline(__always)
    func offset(_ c: Int, _ oy: Int, _ ox: Int, _ i: Int, _ j: Int) -> Int32 {
        let y = oy * stride - padding + i, x = ox * stride - padding + j
        guard y >= 0 && y < height && x >= 0 && x < width else { return -1 }
        return Int32((c * height + y) * width + x)
    }

    /// im2col: per example `[positions, channels * kernel * kernel]`, row `oy * outputWidth + ox`,
    /// column `(c * kernel + i) * kernel + j` (the order of a `[out, channels, kernel, kernel]`
    /// weight's flattened rows); padding reads 0.
    public func im2col() -> IndexMap {
        var indices = [Int32]()
        indices.reserveCapacity(positions * channels * kernel * kernel)
        for oy in 0..<outputHeight { for ox in 0..<outputWidth {
            for c in 0..<channels { for i in 0..<kernel { for j in 0..<kernel { indices.append(offset(c, oy, ox, i, j)) } } }
        } }
        return IndexMap(inputShape: [channels, height, width], outputShape: [positions, channels * kernel * kernel], indices: indices)
    }

    /// im2col transposed (Caffe's layout): per example `[channels * kernel * kernel, positions]`,
    /// row `(c * kernel + i) * kernel + j`, column `oy * outputWidth + ox`; padding reads 0. A row
    /// reads one input plane shifted, so its offsets run in long consecutive stretches (copied as
    /// blocks by `gathered`), and `W [out, taps] x columns` is the `[out, positions]` output.
    public func columns() -> IndexMap {
        var indices = [Int32]()
        indices.reserveCapacity(positions * channels * kernel * kernel)
        for c in 0..<channels { for i in 0..<kernel { for j in 0..<kernel {
            for oy in 0..<outputHeight { for ox in 0..<outputWidth { indices.append(offset(c, oy, ox, i, j)) } }
        } } }
        return IndexMap(inputShape: [channels, height, width], outputShape: [channels * kernel * kernel, positions], indices: indices)
    }

    /// Every window's taps: per example `[channels, outputHeight, outputWidth, kernel * kernel]`; padding reads 0.
    public func windows() -> IndexMap {
        var indices = [Int32]()
        indices.reserveCapacity(channels * positions * kernel * kernel)
        for c in 0..<channels { for oy in 0..<outputHeight { for ox in 0..<outputWidth {
            for i in 0..<kernel { for j in 0..<kernel { indices.append(offset(c, oy, ox, i, j)) } }
        } } }
        return IndexMap(inputShape: [channels, height, width], outputShape: [channels, outputHeight, outputWidth, kernel * kernel],
                        indices: indices)
    }
}

extension Tensor {
    /// For `[n, channels, height, width]` images and the map of `geometry.windows()`, the position
    /// of each window's largest element (the first on ties; padding never wins; NaN wins, so it
    /// propagates), as a per-example map to `[channels, outputHeight, outputWidth]`: `gathered`
    /// with it is max pooling.
    public func windowMaxima(_ windows: IndexMap) -> IndexMap {
        precondition(windows.outputShape.count == 4 && Array(shape.dropFirst()) == windows.inputShape,
                     "Tensor.windowMaxima: input \(shape) does not fit windows over \(windows.inputShape)")
        let n = shape[0], perExample = windows.inputCount
        let taps = windows.outputShape[3], groups = windows.outputCount / taps
        var indices = [Int32](repeating: -1, count: n * groups)
        scalars.withUnsafeBufferPointer { x in
            windows.indices.withUnsafeBufferPointer { w in
                indices.withUnsafeMutableBufferPointer { out in
                    for e in 0..<n {
                        T.groupArgmax(x.baseAddress! + e * perExample, w.baseAddress!, groups: groups, size: taps, out.baseAddress! + e * groups)
                    }
                }
            }
        }
        return IndexMap(inputShape: windows.inputShape, outputShape: Array(windows.outputShape.dropLast()), indices: indices, examples: n)
    }

    /// `windowMaxima(geometry.windows())` (layers keep the windows map and call that).
    public func windowMaxima(_ geometry: WindowGeometry) -> IndexMap { windowMaxima(geometry.windows()) }
}
