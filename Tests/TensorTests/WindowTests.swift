import Testing
import Tensor
import TestSupport

/// A window geometry with the loop reference for the same images.
struct WindowCase: CustomTestStringConvertible, Sendable {
    let count: Int, channels: Int, height: Int, width: Int, kernel: Int, stride: Int, padding: Int

    var geometry: WindowGeometry {
        WindowGeometry(channels: channels, height: height, width: width, kernel: kernel, stride: stride, padding: padding)
    }
    var reference: ReferenceImages { ReferenceImages(count: count, channels: channels, height: height, width: width) }
    var imageShape: [Int] { [count, channels, height, width] }
    var testDescription: String { "\(count)x\(channels)x\(height)x\(width), k\(kernel) s\(stride) p\(padding)" }

    func images(seed: UInt64) -> Tensor<Double> {
        var rng = SeededGenerator(seed: seed)
        return .randomNormal(imageShape, using: &rng)
    }

    /// Non-square images, strides that skip pixels, padding wider than one, a 1x1 projection.
    static let all = [
        WindowCase(count: 2, channels: 2, height: 5, width: 6, kernel: 3, stride: 2, padding: 1),
        WindowCase(count: 2, channels: 3, height: 4, width: 4, kernel: 2, stride: 1, padding: 1),
        WindowCase(count: 1, channels: 2, height: 7, width: 5, kernel: 3, stride: 3, padding: 2),
        WindowCase(count: 3, channels: 2, height: 6, width: 5, kernel: 1, stride: 2, padding: 0),
        WindowCase(count: 2, channels: 1, height: 6, width: 6, kernel: 2, stride: 2, padding: 0),
    ]
}

@Suite("Index maps: gather, scatter, im2col, pooling windows (Float64)")
struct WindowTests {
    /// `<G x, y> = <x, Gᵀ y>` with `G = gathered(map)` and `Gᵀ = scattered(map)`, for random x, y.
    func expectAdjoint(_ map: IndexMap, _ c: WindowCase, _ what: String) {
        var rng = SeededGenerator(seed: 9)
        let x = Tensor<Double>.randomNormal(c.imageShape, using: &rng)
        let y = Tensor<Double>.randomNormal([c.count] + map.outputShape, using: &rng)
        let gx = x.gathered(map), gty = y.scattered(map)
        #expect(gx.shape == y.shape && gty.shape == x.shape)
        let (left, right) = (gx.dot(y), x.dot(gty))
        let err = abs(left - right) / max(abs(left), 1e-300)
        #expect(err <= 1e-13, "\(report("\(what) <Gx, y> vs <x, Gᵀy>", expected: left, observed: right, error: err, bound: 1e-13))")
    }

    @Test("scatter is the adjoint of gather for im2col, window and argmax maps", arguments: WindowCase.all)
    func adjoint(c: WindowCase) {
        expectAdjoint(c.geometry.im2col(), c, "im2col")
        expectAdjoint(c.geometry.columns(), c, "columns")
        expectAdjoint(c.geometry.windows(), c, "windows")
        expectAdjoint(c.images(seed: 4).windowMaxima(c.geometry), c, "windowMaxima")
    }

    @Test("im2col then a matrix product is the direct convolution loop", arguments: WindowCase.all)
    func convolution(c: WindowCase) {
        let g = c.geometry, outputs = 3
        var rng = SeededGenerator(seed: 5)
        let weight = Tensor<Double>.randomNormal([outputs, c.channels, c.kernel, c.kernel], using: &rng)
        let bias = Tensor<Double>.randomNormal([outputs], using: &rng)
        let x = c.images(seed: 6)
        let taps = c.channels * c.kernel * c.kernel
        let patches = x.gathered(g.im2col())
        #expect(patches.shape == [c.count, g.positions, taps])
        let y = patches.reshaped([c.count * g.positions, taps])
            .matmul(weight.reshaped([outputs, taps]), transposeOther: true).addingRowVector(bias)
            .reshaped([c.count, g.positions, outputs]).transposed([0, 2, 1])
        let expected = c.reference.convolution(x.scalars, weight: weight.scalars, bias: bias.scalars, outputChannels: outputs,
                                               kernel: c.kernel, stride: c.stride, padding: c.padding)
        #expect((g.outputHeight, g.outputWidth) == c.reference.outputSize(kernel: c.kernel, stride: c.stride, padding: c.padding))
        let err = maxAbsoluteError(y.scalars, expected)
        #expect(err <= 1e-13, "\(report("convolution", expected: expected.prefix(4), observed: y.scalars.prefix(4), error: err, bound: 1e-13))")
    }

    /// `columns()` is `im2col()` transposed per example, and its gather and scatter (block copies
    /// over consecutive stretches of offsets) equal the element-by-element ones.
    @Test("columns is im2col transposed; block-copy gather and scatter equal the element loops", arguments: WindowCase.all)
    func columnsLayout(c: WindowCase) {
        let x = c.images(seed: 8)
        let (columns, im2col) = (c.geometry.columns(), c.geometry.im2col())
        let taps = c.channels * c.kernel * c.kernel
        #expect(x.gathered(columns) == x.gathered(im2col).transposed([0, 2, 1]))
        #expect(columns.outputShape == [taps, c.geometry.positions])
        // The same map without stretches (one per example, so the element loop runs).
        let plain = IndexMap(inputShape: columns.inputShape, outputShape: columns.outputShape,
                             indices: Array((0..<c.count).map { _ in columns.indices }.joined()), examples: c.count)
        #expect(x.gathered(columns) == x.gathered(plain))
        #expect(!plain.copiesStretches)
        var rng = SeededGenerator(seed: 10)
        let y = Tensor<Double>.randomNormal([c.count] + columns.outputShape, using: &rng)
        #expect(maxAbsoluteError(y.scattered(columns).scalars, y.scattered(plain).scalars) <= 1e-13)
    }

    /// A 12x12 image with a 3x3 stride-1 kernel: rows of 12 consecutive offsets, copied as blocks.
    @Test("columns of a larger image copy stretches as blocks and still equal the element loops")
    func columnsStretches() {
        let g = WindowGeometry(channels: 2, height: 12, width: 12, kernel: 3, padding: 1)
        let columns = g.columns()
        #expect(columns.copiesStretches)
        let plain = IndexMap(inputShape: columns.inputShape, outputShape: columns.outputShape,
                             indices: columns.indices + columns.indices, examples: 2)
        var rng = SeededGenerator(seed: 11)
        let x = Tensor<Double>.randomNormal([2, 2, 12, 12], using: &rng)
        let y = Tensor<Double>.randomNormal([2] + columns.outputShape, using: &rng)
        #expect(x.gathered(columns) == x.gathered(plain))
        #expect(maxAbsoluteError(y.scattered(columns).scalars, y.scattered(plain).scalars) <= 1e-13)
        #expect(x.gathered(columns) == x.gathered(g.im2col()).transposed([0, 2, 1]))
    }

    @Test("windowMaxima then gathered is max pooling; padding never wins, even over negative pixels", arguments: WindowCase.all)
    func maxPooling(c: WindowCase) {
        // All pixels negative: a zero read from the padding would beat every one of them.
        let x = Tensor<Double>(shape: c.imageShape, scalars: c.images(seed: 7).scalars.map { -abs($0) - 0.1 })
        let map = x.windowMaxima(c.geometry)
        #expect(map.examples == c.count && map.outputShape == [c.channels, c.geometry.outputHeight, c.geometry.outputWidth])
        let pooled = x.gathered(map)
        #expect(pooled.scalars == c.reference.maxPooling(x.scalars, kernel: c.kernel, stride: c.stride, padding: c.padding))
    }

    @Test("the mean over each window's taps is average pooling, padding counted as zeros", arguments: WindowCase.all)
    func averagePooling(c: WindowCase) {
        let x = c.images(seed: 8)
        let g = c.geometry
        let windows = x.gathered(g.windows())
        #expect(windows.shape == [c.count, c.channels, g.outputHeight, g.outputWidth, c.kernel * c.kernel])
        let pooled = (1 / Double(c.kernel * c.kernel)) * windows.summed(alongAxes: [4])
        let expected = c.reference.averagePooling(x.scalars, kernel: c.kernel, stride: c.stride, padding: c.padding)
        let err = maxAbsoluteError(pooled.scalars, expected)
        #expect(err <= 1e-15, "\(report("average pooling", expected: expected.prefix(4), observed: pooled.scalars.prefix(4), error: err, bound: 1e-15))")
    }

    @Test("windowMaxima picks the first of equal maxima, and NaN wins its window")
    func tiesAndNaN() {
        let g = WindowGeometry(channels: 1, height: 2, width: 4, kernel: 2, stride: 2)
        let x = Tensor<Double>(shape: [1, 1, 2, 4], scalars: [3, 1, 2, .nan, 0, 3, 2, 5])
        let map = x.windowMaxima(g)
        #expect(map.indices == [0, 3])
        let pooled = x.gathered(map)
        #expect(pooled.scalars[0] == 3 && pooled.scalars[1].isNaN)
    }
}
