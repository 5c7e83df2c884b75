/// Direct loop references for image operations, independent of the library's index maps:
/// `[n, C, H, W]` images in row-major Float64 arrays, square `kernel x kernel` windows moved by
/// `stride`, `padding` zeros on each side (PyTorch's output extent `(H + 2 padding - kernel) / stride + 1`).
public struct ReferenceImages {
    public let count: Int
    public let channels: Int
    public let height: Int
    public let width: Int

    public init(count: Int, channels: Int, height: Int, width: Int) {
        (self.count, self.channels, self.height, self.width) = (count, channels, height, width)
    }

    public var elements: Int { count * channels * height * width }

    /// Output height and width of windows of `kernel`, `stride`, `padding`.
    public func outputSize(kernel: Int, stride: Int, padding: Int) -> (height: Int, width: Int) {
        ((height + 2 * padding - kernel) / stride + 1, (width + 2 * padding - kernel) / stride + 1)
    }

    /// Pixel `(e, c, y, x)` of `images`, or nil outside the image (in the padding).
    func pixel(_ images: [Double], _ e: Int, _ c: Int, _ y: Int, _ x: Int) -> Double? {
        guard y >= 0 && y < height && x >= 0 && x < width else { return nil }
        return images[((e * channels + c) * height + y) * width + x]
    }

    /// Cross-correlation with a `[outputChannels, channels, kernel, kernel]` weight and optional
    /// `[outputChannels]` bias: `[n, outputChannels, H_out, W_out]`, the seven loops written out.
    public func convolution(_ images: [Double], weight: [Double], bias: [Double]?, outputChannels: Int,
                            kernel: Int, stride: Int, padding: Int) -> [Double] {
        precondition(images.count == elements && weight.count == outputChannels * channels * kernel * kernel)
        let (oh, ow) = outputSize(kernel: kernel, stride: stride, padding: padding)
        var out = [Double](repeating: 0, count: count * outputChannels * oh * ow)
        for e in 0..<count { for o in 0..<outputChannels { for oy in 0..<oh { for ox in 0..<ow {
            var s = bias?[o] ?? 0
            for c in 0..<channels { for i in 0..<kernel { for j in 0..<kernel {
                if let v = pixel(images, e, c, oy * stride - padding + i, ox * stride - padding + j) {
                    s += weight[((o * channels + c) * kernel + i) * kernel + j] * v
                }
            } } }
            out[((e * outputChannels + o) * oh + oy) * ow + ox] = s
        } } } }
        return out
    }

    /// The largest in-image value of each window (padding never wins): `[n, C, H_out, W_out]`.
    public func maxPooling(_ images: [Double], kernel: Int, stride: Int, padding: Int) -> [Double] {
        pooling(images, kernel, kernel, stride: stride, padding: padding) { $0.max()! }
    }

    /// The sum of each window's in-image values divided by `kernel²` (padding counts as zeros).
    public func averagePooling(_ images: [Double], kernel: Int, stride: Int, padding: Int) -> [Double] {
        pooling(images, kernel, kernel, stride: stride, padding: padding) { $0.reduce(0, +) / Double(kernel * kernel) }
    }

    /// The mean of each channel over all its pixels: `[n, C]`.
    public func globalAverage(_ images: [Double]) -> [Double] {
        pooling(images, height, width, stride: 1, padding: 0) { $0.reduce(0, +) / Double(height * width) }
    }

    /// `reduce` of each `kh x kw` window's in-image values.
    private func pooling(_ images: [Double], _ kh: Int, _ kw: Int, stride: Int, padding: Int, _ reduce: ([Double]) -> Double) -> [Double] {
        precondition(images.count == elements)
        let (oh, ow) = ((height + 2 * padding - kh) / stride + 1, (width + 2 * padding - kw) / stride + 1)
        var out = [Double]()
        for e in 0..<count { for c in 0..<channels { for oy in 0..<oh { for ox in 0..<ow {
            var taps = [Double]()
            for i in 0..<kh { for j in 0..<kw {
                if let v = pixel(images, e, c, oy * stride - padding + i, ox * stride - padding + j) { taps.append(v) }
            } }
            out.append(reduce(taps))
        } } } }
        return out
    }
}

/// The row-major multi-index of flat position `flat` in `shape`.
public func multiIndex(_ flat: Int, in shape: [Int]) -> [Int] {
    var index = [Int](repeating: 0, count: shape.count), rest = flat
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
        index[axis] = rest % shape[axis]
        rest /= shape[axis]
    }
    return index
}

/// The flat row-major position of `index` in `shape`.
public func flatPosition(_ index: [Int], in shape: [Int]) -> Int {
    zip(index, shape).reduce(0) { $0 * $1.1 + $1.0 }
}
