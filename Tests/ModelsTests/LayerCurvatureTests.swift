import Autodiff
import Models
import Tensor
import Testing
import TestSupport

/// A small network with its train-mode objective on a random batch, at a random point.
struct CurvatureCase: CustomTestStringConvertible, Sendable {
    let name: String
    let model: Network
    let examples: Int
    let seed: UInt64
    var testDescription: String { "\(name), \(model.layout.count) parameters" }

    var objective: Objective<Double> {
        Objective(model: model, loss: .crossEntropy, batch: imageBatch(count: examples, shape: model.inputShape, classes: model.outputs, seed: seed),
                  mode: .train)
    }
    var probe: DerivativeProbe<Objective<Double>> { DerivativeProbe(objective, at: perturbedParameters(model, seed: seed)) }

    /// Two channels of 5x5 images: a 3x3 convolution (padding 1), tanh, 2x2 max pooling, a dense head
    /// (`Architectures.cnn`). Smooth activations only: central differences step over no kinks.
    static let convolution = CurvatureCase(
        name: "2-channel 5x5 CNN (conv, tanh, max pooling, dense)",
        model: Architectures.cnn(inputShape: [2, 5, 5], channels: [3], hidden: [], outputs: 3, activation: .tanh, batchNorm: false),
        examples: 4, seed: 1)

    /// A strided convolution, GELU, average pooling, LayerNorm over the features, a dense head.
    static let stridedAveraging: CurvatureCase = {
        let conv = WindowGeometry(channels: 2, height: 5, width: 5, kernel: 3, stride: 2, padding: 1)
        let pool = WindowGeometry(channels: 3, height: 3, width: 3, kernel: 2, stride: 1)
        let layers: [(name: String, layer: any Layer)] = [
            ("conv", Conv2D(conv, outputChannels: 3)), ("act", ActivationLayer(.gelu)), ("pool", AvgPool2D(pool)),
            ("flatten", Flatten()), ("norm", LayerNorm(normalizedShape: [12])), ("head", Dense(inputs: 12, outputs: 3)),
        ]
        return CurvatureCase(name: "2-channel 5x5 CNN (strided conv, GELU, average pooling, LayerNorm, dense)",
                             model: Network(Sequential(layers), inputShape: [2, 5, 5]), examples: 4, seed: 2)
    }()

    /// Two residual blocks with BatchNorm in train mode (batch statistics couple the examples): a
    /// stem convolution, an identity block and a block that halves the resolution with a
    /// projection shortcut (strided 1x1 convolution and BatchNorm), global average pooling, a dense
    /// head; GELU, so central differences step over no kinks.
    static let residual: CurvatureCase = {
        func conv(_ c: Int, _ size: Int, _ out: Int, kernel: Int = 3, stride: Int = 1) -> Conv2D {
            Conv2D(WindowGeometry(channels: c, height: size, width: size, kernel: kernel, stride: stride, padding: kernel / 2),
                   outputChannels: out, bias: false)
        }
        func block(_ c: Int, _ size: Int, _ out: Int, stride: Int) -> Residual {
            let first = conv(c, size, out, stride: stride)
            let body = Sequential([("conv1", first), ("bn1", BatchNorm(channels: out)), ("act1", ActivationLayer(.gelu)),
                                   ("conv2", conv(out, first.geometry.outputHeight, out)), ("bn2", BatchNorm(channels: out))])
            let shortcut = stride == 1 && c == out ? nil
                : Sequential([("conv", conv(c, size, out, kernel: 1, stride: stride)), ("bn", BatchNorm(channels: out))])
            return Residual(body: body, shortcut: shortcut, activation: .gelu)
        }
        let layers: [(name: String, layer: any Layer)] = [
            ("stem", Sequential([("conv", conv(1, 5, 2)), ("bn", BatchNorm(channels: 2)), ("act", ActivationLayer(.gelu))])),
            ("block1", block(2, 5, 2, stride: 1)), ("block2", block(2, 5, 3, stride: 2)),
            ("pool", GlobalAveragePool()), ("head", Dense(inputs: 3, outputs: 3)),
        ]
        return CurvatureCase(name: "2-block ResNet with BatchNorm (train mode)", model: Network(Sequential(layers), inputShape: [1, 5, 5]),
                             examples: 6, seed: 3)
    }()

    static let all = [convolution, stridedAveraging, residual]
}

/// Exact Hessian-vector products of small convolutional and residual networks against independent
/// references: the explicit Hessian from central differences of gradients, and central differences
/// of the loss for the gradient itself.
@Suite("Layers: gradients and Hessians of small CNNs and ResNets (Float64)")
struct LayerCurvatureTests {
    @Test("the parameter counts stay small (explicit Hessians)")
    func sizes() {
        #expect(CurvatureCase.all.map(\.model.layout.count) == [96, 120, 273])
        #expect(CurvatureCase.residual.model.usesBatchStatistics)
    }

    @Test("∇L matches central differences of L, coordinate by coordinate", arguments: CurvatureCase.all)
    func gradient(c: CurvatureCase) { expectGradientMatchesDifferences(c.probe) }

    @Test("the Hessian from exact products equals differences of gradients, is symmetric, and gives Hv", arguments: CurvatureCase.all)
    func hessian(c: CurvatureCase) { expectExactHessian(c.probe, bound: 1e-8, seed: 17) }

    @Test("products through a PrimalMemo equal fresh ones bit for bit", arguments: CurvatureCase.all)
    func memoizedProducts(c: CurvatureCase) {
        let probe = c.probe
        let memo = PrimalMemo<Double>()
        for seed in UInt64(20)...22 {
            let v = normalVector(probe.dimension, seed: seed)
            #expect(probe.hessianVectorProduct(v, memo: memo) == probe.hessianVectorProduct(v), "direction \(seed)")
        }
    }

    /// The same networks in Float32, the precision runs are recorded in: loss, gradient and Hv agree
    /// with Float64 to single precision (loss surfaces, train mode, inputs and point rounded to Float32).
    @Test("Float32 and Float64 agree on loss, gradient and Hv", arguments: CurvatureCase.all)
    func precisionsAgree(c: CurvatureCase) {
        let batch = c.objective.batch
        let s64 = LossSurface(model: c.model, loss: .crossEntropy, examples: batch, mode: .train)
        let s32 = LossSurface(model: c.model, loss: .crossEntropy,
                              examples: Batch<Float>(inputs: batch.inputs.converted(), targets: batch.targets.converted()), mode: .train)
        let w = c.model.layout.flatten(perturbedParameters(c.model, seed: c.seed))
        var rng = SeededGenerator(seed: 23)
        let v = Tensor<Double>.randomNormal([w.count], using: &rng)
        let (w32, v32): (Tensor<Float>, Tensor<Float>) = (w.converted(), v.converted())
        // The references at the rounded point, so only the arithmetic's precision differs.
        let (w64, v64): (Tensor<Double>, Tensor<Double>) = (w32.converted(), v32.converted())
        let (l32, g32) = s32.valueAndGradient(at: w32), (l64, g64) = s64.valueAndGradient(at: w64)
        #expect(abs(Double(l32) - l64) < 1e-6 * abs(l64), "loss \(l32) vs \(l64)")
        let gradientError = relativeError(g32.doubles, g64.scalars)
        #expect(gradientError < 1e-5, "gradient relative error \(gradientError) (bound 1e-5)")
        let hvError = relativeError(s32.hessianVectorProduct(at: w32, v32).doubles, s64.hessianVectorProduct(at: w64, v64).scalars)
        #expect(hvError < 1e-4, "Hv relative error \(hvError) (bound 1e-4)")
    }

    /// `Architectures.resnet` as configured (ReLU, three stages of one block, projection shortcuts),
    /// width 1, each normalization: BatchNorm in train mode, none (convolution biases), Fixup (scalar
    /// biases and multipliers; at a perturbed point, so its branches are live). Hv against
    /// differences of gradients along random directions; the step is small because the error of
    /// the difference, h² times third derivatives, is largest here (BatchNorm over few values).
    @Test("Architectures.resnet: Hv matches differences of gradients", arguments: ResidualNormalization.allCases)
    func resnetArchitecture(normalization: ResidualNormalization) {
        let model = Architectures.resnet(inputShape: [1, 6, 6], blocks: 1, width: 1, outputs: 3, normalization: normalization)
        let probe = CurvatureCase(name: "resnet-8", model: model, examples: 5, seed: 4).probe
        for seed in [UInt64(30), 31] {
            let v = normalVector(probe.dimension, seed: seed)
            let (expected, observed) = (probe.gradientDifference(along: v, step: 2e-6), probe.hessianVectorProduct(v))
            let err = relativeError(observed, expected)
            #expect(err < 1e-7, "\(report("Hv", expected: expected.prefix(3), observed: observed.prefix(3), error: err, bound: 1e-7))")
        }
    }
}
