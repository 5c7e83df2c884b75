import Models
import Tensor
import Testing
import TestSupport

/// Residual networks whose branches start at zero. Fixup (Zhang et al. 2019): every residual branch
/// starts as zero, so the network is its trunk (stem, projection shortcuts, pooling, head) whatever
/// the branches' other parameters are. With BatchNorm, `zeroInitResidual` zeroes each branch's last scale.
@Suite("Residual networks at initialization: Fixup, zero-initialized BatchNorm scales")
struct FixupTests {
    static let inputShape = [1, 6, 6]
    static let fixup = Architectures.resnet(inputShape: inputShape, blocks: 1, width: 2, outputs: 3, normalization: .fixup)
    static let seed: UInt64 = 5

    static func parameter(_ name: String, _ params: [Tensor<Double>]) -> Tensor<Double> { params[fixup.layout.index(of: name)!] }

    /// The names of one kind of parameter: those ending in `suffix`.
    static func names(endingIn suffix: String) -> [String] { fixup.layout.names.filter { $0.hasSuffix(suffix) } }

    @Test("zero-initialized: each branch's last convolution, the classifier, every scalar bias; multipliers one")
    func zeroInitialized() {
        let params = Self.fixup.initialParameters(.heNormal, seed: Self.seed, as: Double.self)
        #expect(!Self.fixup.usesBatchStatistics)
        let zero = Self.names(endingIn: "conv2.weight") + Self.names(endingIn: "bias") + ["head.weight"]
        #expect(Self.names(endingIn: "conv2.weight").count == 3 && Self.names(endingIn: "bias").count == 3 * 4 + 2)
        for name in zero { #expect(Self.parameter(name, params).scalars.allSatisfy { $0 == 0 }, "\(name) is not zero") }
        let scales = Self.names(endingIn: ".scale")
        #expect(scales.count == 3)
        for name in scales { #expect(Self.parameter(name, params).scalars == [1], "\(name)") }
        // Everything else was drawn: nonzero.
        for name in Self.fixup.layout.names where !zero.contains(name) && !scales.contains(name) {
            #expect(Self.parameter(name, params).scalars.contains { $0 != 0 }, "\(name) is all zero")
        }
    }

    /// The same scheme and seed draw the same weights in the same order in both networks (constants
    /// draw nothing), so Fixup's rescaling can be read off exactly.
    @Test("each branch's first convolution is the scheme's draw times L^(-1/2); stem and shortcuts are not rescaled")
    func branchScaling() {
        let plain = Architectures.resnet(inputShape: Self.inputShape, blocks: 1, width: 2, outputs: 3, normalization: .none)
        let drawn = plain.initialParameters(.heNormal, seed: Self.seed, as: Double.self)
        let params = Self.fixup.initialParameters(.heNormal, seed: Self.seed, as: Double.self)
        let scale = 1 / 3.0.squareRoot()
        for name in Self.names(endingIn: "conv1.weight") {
            let expected = drawn[plain.layout.index(of: name)!].scalars.map { scale * $0 }
            #expect(Self.parameter(name, params).scalars == expected, "\(name)")
        }
        for name in ["stem.conv.weight"] + Self.names(endingIn: "shortcut.conv.weight") {
            #expect(Self.parameter(name, params) == drawn[plain.layout.index(of: name)!], "\(name)")
        }
    }

    /// The trunk as a network of its own, with the same parameter names: stem, then per stage the
    /// projection (or identity) followed by the block's ReLU, pooling, scalar bias and head.
    static var trunk: Network {
        func conv(_ c: Int, _ size: Int, _ out: Int, kernel: Int, stride: Int) -> Conv2D {
            Conv2D(WindowGeometry(channels: c, height: size, width: size, kernel: kernel, stride: stride, padding: kernel / 2),
                   outputChannels: out, bias: false)
        }
        func stage(_ shortcut: Conv2D?) -> Sequential {
            let block = Sequential((shortcut.map { [("shortcut", Sequential([("conv", $0)]) as any Layer)] } ?? []) + [("act", ActivationLayer(.relu))])
            return Sequential([("block0", block)])
        }
        return Network(Sequential([
            ("stem", Sequential([("conv", conv(1, 6, 2, kernel: 3, stride: 1)), ("act", ActivationLayer(.relu))])),
            ("stage1", stage(nil)), ("stage2", stage(conv(2, 6, 4, kernel: 1, stride: 2))), ("stage3", stage(conv(4, 3, 8, kernel: 1, stride: 2))),
            ("pool", GlobalAveragePool()), ("head_bias", ScalarBias()), ("head", Dense(inputs: 8, outputs: 3)),
        ]), inputShape: Self.inputShape)
    }

    @Test("the output is the trunk's, whatever the branches' other parameters; a live branch changes it")
    func branchesAreSilent() {
        var params = Self.fixup.initialParameters(.heNormal, seed: Self.seed, as: Double.self)
        var rng = SeededGenerator(seed: 6)
        // A trained-looking classifier, so the outputs depend on the features.
        params[Self.fixup.layout.index(of: "head.weight")!] = .randomNormal([8, 3], using: &rng)
        let x = imageBatch(count: 4, shape: Self.inputShape, classes: 3, seed: 7).inputs
        let outputs = Self.fixup.apply(params, x).outputs

        let trunk = Self.trunk
        #expect(Set(trunk.layout.names).isSubset(of: Self.fixup.layout.names))
        let trunkOutputs = trunk.apply(trunk.layout.names.map { Self.parameter($0, params) }, x).outputs
        #expect(outputs == trunkOutputs)

        // Every parameter of the branches but the two zeros that silence them (the last convolution
        // and the bias after it), changed at random: same outputs, bit for bit.
        let silencing = Self.names(endingIn: "conv2.weight") + Self.names(endingIn: "bias2b.bias")
        var scrambled = params
        for (k, name) in Self.fixup.layout.names.enumerated() where name.contains(".body.") && !silencing.contains(name) {
            scrambled[k] = .randomNormal(params[k].shape, using: &rng)
        }
        #expect(Self.fixup.apply(scrambled, x).outputs == outputs)

        // Teeth: either of those nonzero opens its branch; the stem feeds everything.
        for name in silencing + ["stem.conv.weight"] {
            var live = scrambled
            let k = Self.fixup.layout.index(of: name)!
            live[k] = .randomNormal(params[k].shape, using: &rng)
            let changed = maxAbsoluteError(Self.fixup.apply(live, x).outputs.scalars, outputs.scalars)
            #expect(changed > 1e-6, "changing \(name) moved the outputs by \(changed)")
        }
    }

    @Test("zeroInitResidual: each branch's last BatchNorm scale starts at zero, every other scale at one")
    func zeroInitializedBatchNormScales() {
        let model = Architectures.resnet(inputShape: Self.inputShape, blocks: 2, width: 2, outputs: 3, normalization: .batchNorm,
                                         zeroInitResidual: true)
        let params = model.initialParameters(.heNormal, seed: Self.seed, as: Double.self)
        let scales = model.layout.names.filter { $0.contains("bn") && $0.hasSuffix(".weight") }
        let last = scales.filter { $0.hasSuffix("body.bn2.weight") }
        #expect(last.count == 6 && scales.count == 1 + 6 * 2 + 2)
        for (name, p) in zip(model.layout.names, params) where scales.contains(name) {
            #expect(p.scalars.allSatisfy { $0 == (last.contains(name) ? 0 : 1) }, "\(name): \(p.scalars)")
        }
        let plain = Architectures.resnet(inputShape: Self.inputShape, blocks: 2, width: 2, outputs: 3, normalization: .batchNorm)
        #expect(plain.initialParameters(.heNormal, seed: Self.seed, as: Double.self)[plain.layout.index(of: last[0])!].scalars == [1, 1])
    }
}
