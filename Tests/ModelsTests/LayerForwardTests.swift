import Autodiff
import Models
import Tensor
import Testing
import TestSupport

@Suite("Convolution and pooling layers against direct loops (Float64)")
struct LayerForwardTests {
    static let images = ReferenceImages(count: 3, channels: 2, height: 5, width: 6)
    static var shape: [Int] { [images.channels, images.height, images.width] }

    static func input(seed: UInt64, transform: (Double) -> Double = { $0 }) -> Tensor<Double> {
        var rng = SeededGenerator(seed: seed)
        let x = Tensor<Double>.randomNormal([images.count, images.channels * images.height * images.width], using: &rng)
        return Tensor(shape: x.shape, scalars: x.scalars.map(transform))
    }

    @Test("Conv2D, stride 2 and padding 1, with and without bias: PyTorch's weight layout, the seven-loop result",
          arguments: [true, false])
    func convolution(bias: Bool) {
        let i = Self.images
        let layer = Conv2D(WindowGeometry(channels: i.channels, height: i.height, width: i.width, kernel: 3, stride: 2, padding: 1),
                           outputChannels: 4, bias: bias)
        let model = singleLayer(layer, inputShape: Self.shape)
        #expect(model.layout.names == ["layer.weight"] + (bias ? ["layer.bias"] : []))
        #expect(model.layout.shapes == [[4, 2, 3, 3]] + (bias ? [[4]] : []))
        #expect(layer.outputShape(for: Self.shape) == [4, 3, 3])
        var rng = SeededGenerator(seed: 2)
        let params = model.layout.shapes.map { Tensor<Double>.randomNormal($0, using: &rng) }
        let x = Self.input(seed: 1)
        let y = model.apply(params, x).outputs
        let expected = i.convolution(x.scalars, weight: params[0].scalars, bias: bias ? params[1].scalars : nil, outputChannels: 4,
                                     kernel: 3, stride: 2, padding: 1)
        #expect(y.shape == [i.count, 4 * 3 * 3])
        let err = maxAbsoluteError(y.scalars, expected)
        #expect(err <= 1e-13, "\(report("Conv2D", expected: expected.prefix(4), observed: y.scalars.prefix(4), error: err, bound: 1e-13))")
    }

    @Test("MaxPool2D with padding: the largest in-image value (all pixels negative, so a padding zero would show)")
    func maxPooling() {
        let i = Self.images
        let layer = MaxPool2D(WindowGeometry(channels: i.channels, height: i.height, width: i.width, kernel: 3, stride: 2, padding: 1))
        let x = Self.input(seed: 3) { -abs($0) - 0.1 }
        let y = singleLayer(layer, inputShape: Self.shape).apply([Tensor<Double>](), x).outputs
        #expect(y.scalars == i.maxPooling(x.scalars, kernel: 3, stride: 2, padding: 1))
    }

    @Test("AvgPool2D with padding: the window sum over kernel² (padding counted)", arguments: [(2, 2, 0), (3, 2, 1), (2, 1, 1)])
    func averagePooling(kernel: Int, stride: Int, padding: Int) {
        let i = Self.images
        let layer = AvgPool2D(WindowGeometry(channels: i.channels, height: i.height, width: i.width, kernel: kernel, stride: stride, padding: padding))
        let x = Self.input(seed: 4)
        let y = singleLayer(layer, inputShape: Self.shape).apply([Tensor<Double>](), x).outputs
        let expected = i.averagePooling(x.scalars, kernel: kernel, stride: stride, padding: padding)
        let err = maxAbsoluteError(y.scalars, expected)
        #expect(err <= 1e-15, "\(report("AvgPool2D", expected: expected.prefix(4), observed: y.scalars.prefix(4), error: err, bound: 1e-15))")
    }

    @Test("GlobalAveragePool: each channel's mean; Flatten keeps row-major order")
    func globalAverage() {
        let i = Self.images
        let x = Self.input(seed: 5)
        let model = Network(GlobalAveragePool(), inputShape: Self.shape)
        let y = model.apply([Tensor<Double>](), x).outputs
        #expect(y.shape == [i.count, i.channels])
        let err = maxAbsoluteError(y.scalars, i.globalAverage(x.scalars))
        #expect(err <= 1e-15, "GlobalAveragePool: max error \(err) (bound 1e-15)")
        #expect(singleLayer(Flatten(), inputShape: Self.shape).apply([Tensor<Double>](), x).outputs == x)
    }

    /// Inverted dropout: the identity in eval mode or without a seed; in train mode with a seed each
    /// element is dropped or scaled by 1/(1 - rate), a mask fixed by the seed and the layer's path.
    @Test("Dropout: identity unless training with a seed; then a fixed mask of 0 and 1/(1 - rate)")
    func dropout() {
        let rate = 0.5
        let model = Network(Sequential([("drop1", Dropout(rate: rate)), ("drop2", Sequential([("drop", Dropout(rate: rate))])),
                                        ("flatten", Flatten())]), inputShape: Self.shape)
        let first = Network(Sequential([("drop1", Dropout(rate: rate)), ("flatten", Flatten())]), inputShape: Self.shape)
        let x = Self.input(seed: 6)
        let none = [Tensor<Double>]()
        #expect(model.apply(none, x, mode: .eval, dropoutSeed: 3).outputs == x)
        #expect(model.apply(none, x, mode: .train).outputs == x)
        let once = first.apply(none, x, mode: .train, dropoutSeed: 3).outputs
        let kept = zip(once.scalars, x.scalars).filter { $0.0 != 0 }
        #expect(kept.allSatisfy { $0.0 == $0.1 / (1 - rate) })
        // 180 elements kept with probability 1/2: within four standard deviations (6.7) of 90.
        #expect(abs(kept.count - 90) < 27, "kept \(kept.count) of 180")
        #expect(first.apply(none, x, mode: .train, dropoutSeed: 3).outputs == once)
        #expect(first.apply(none, x, mode: .train, dropoutSeed: 4).outputs != once)
        // The second layer (another path) draws another mask: about a quarter of the elements survive both.
        let twice = model.apply(none, x, mode: .train, dropoutSeed: 3).outputs
        let survivors = twice.scalars.filter { $0 != 0 }.count
        #expect(survivors < kept.count && abs(survivors - 45) < 24, "\(survivors) of 180 survive both layers")
    }

    @Test("Dropout in a train-mode objective with a seed: the gradient matches central differences (one mask for every pass)")
    func dropoutGradient() {
        let model = Network(Sequential([("dense", Dense(inputs: 6, outputs: 8)), ("act", ActivationLayer(.tanh)), ("drop", Dropout(rate: 0.3)),
                                        ("head", Dense(inputs: 8, outputs: 3))]), inputShape: [6])
        var objective = Objective(model: model, loss: .crossEntropy, batch: imageBatch(count: 5, shape: [6], classes: 3, seed: 7), mode: .train)
        objective.dropoutSeed = 8
        let probe = DerivativeProbe(objective, at: perturbedParameters(model, seed: 9))
        let plain = Objective(model: model, loss: .crossEntropy, batch: objective.batch, mode: .train)
        #expect(plain(probe.parameters).scalar != probe.value, "the seed should switch dropout on")
        let (expected, observed) = (probe.centralDifferenceGradient(), probe.gradient)
        let err = relativeError(observed, expected)
        #expect(err < 1e-8, "\(report("∇L", expected: expected.prefix(3), observed: observed.prefix(3), error: err, bound: 1e-8))")
        let v = normalVector(probe.dimension, seed: 10)
        let hvError = relativeError(probe.hessianVectorProduct(v), probe.gradientDifference(along: v))
        #expect(hvError < 1e-8, "Hv relative error \(hvError) (bound 1e-8)")
    }
}
