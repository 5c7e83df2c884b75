import Foundation
import Models
import Tensor
import Testing
import TestSupport

/// Textbook normalization written as loops: `γ (x - μ) / sqrt(σ² + ε) + β` with μ and σ² given per
/// group of elements (`group(flat index) -> group number`), γ and β per element (`parameter(flat index)`).
private func textbookNormalization(_ x: [Double], group: (Int) -> Int, mean: [Double], variance: [Double],
                                   gamma: [Double], beta: [Double], parameter: (Int) -> Int, epsilon: Double) -> [Double] {
    x.indices.map { k in
        let (g, p) = (group(k), parameter(k))
        return gamma[p] * (x[k] - mean[g]) / (variance[g] + epsilon).squareRoot() + beta[p]
    }
}

/// Mean and biased variance of the elements of each group.
private func statistics(_ x: [Double], groups: Int, group: (Int) -> Int) -> (mean: [Double], variance: [Double], count: [Int]) {
    var sum = [Double](repeating: 0, count: groups), count = [Int](repeating: 0, count: groups)
    for k in x.indices { sum[group(k)] += x[k]; count[group(k)] += 1 }
    let mean = zip(sum, count).map { $0 / Double($1) }
    var squares = [Double](repeating: 0, count: groups)
    for k in x.indices { squares[group(k)] += (x[k] - mean[group(k)]) * (x[k] - mean[group(k)]) }
    return (mean, zip(squares, count).map { $0 / Double($1) }, count)
}

@Suite("BatchNorm and LayerNorm against their textbook formulas (Float64)")
struct NormalizationTests {
    /// `[n, C]` vectors and `[n, C, H, W]` images; shifted and scaled away from N(0, 1), so the batch
    /// statistics differ from the running ones by far more than any tolerance.
    static let shapes: [[Int]] = [[3], [3, 4, 5]]
    static let (count, epsilon, momentum) = (6, 1e-3, 0.25)

    static func input(_ shape: [Int], seed: UInt64) -> Tensor<Double> {
        var rng = SeededGenerator(seed: seed)
        let x = Tensor<Double>.randomNormal([count, shape.reduce(1, *)], scale: 3, using: &rng)
        return Tensor(shape: x.shape, scalars: x.scalars.map { $0 + 2 })
    }

    static func batchNorm(_ shape: [Int]) -> (Network, params: [Tensor<Double>], buffers: [Tensor<Double>]) {
        let model = singleLayer(BatchNorm(channels: shape[0], epsilon: epsilon, momentum: momentum), inputShape: shape)
        #expect(model.layout.names == ["layer.weight", "layer.bias"])
        #expect(model.bufferLayout.names == ["layer.running_mean", "layer.running_var"])
        var rng = SeededGenerator(seed: 40)
        let params = [Tensor<Double>.randomUniform([shape[0]], low: 0.5, high: 1.5, using: &rng), .randomNormal([shape[0]], using: &rng)]
        let buffers = [Tensor<Double>.randomNormal([shape[0]], scale: 0.5, using: &rng), .randomUniform([shape[0]], low: 0.5, high: 2, using: &rng)]
        return (model, params, buffers)
    }

    /// The channel of flat element k of `[n] + shape` rows.
    static func channel(_ shape: [Int]) -> (Int) -> Int {
        let perChannel = shape.dropFirst().reduce(1, *)
        return { k in (k / perChannel) % shape[0] }
    }

    @Test("train mode: batch mean and biased variance per channel over examples and positions", arguments: shapes)
    func batchNormTrain(shape: [Int]) {
        let (model, params, buffers) = Self.batchNorm(shape)
        let x = Self.input(shape, seed: 1)
        let y = model.apply(params, x, buffers: buffers, mode: .train).outputs
        let c = Self.channel(shape)
        let s = statistics(x.scalars, groups: shape[0], group: c)
        let expected = textbookNormalization(x.scalars, group: c, mean: s.mean, variance: s.variance,
                                             gamma: params[0].scalars, beta: params[1].scalars, parameter: c, epsilon: Self.epsilon)
        let err = maxAbsoluteError(y.scalars, expected)
        #expect(err <= 1e-13, "\(report("BatchNorm train", expected: expected.prefix(3), observed: y.scalars.prefix(3), error: err, bound: 1e-13))")
    }

    @Test("eval mode: the running statistics, whatever the batch", arguments: shapes)
    func batchNormEval(shape: [Int]) {
        let (model, params, buffers) = Self.batchNorm(shape)
        let x = Self.input(shape, seed: 2)
        let (y, pass) = model.apply(params, x, buffers: buffers, mode: .eval)
        let c = Self.channel(shape)
        let expected = textbookNormalization(x.scalars, group: c, mean: buffers[0].scalars, variance: buffers[1].scalars,
                                             gamma: params[0].scalars, beta: params[1].scalars, parameter: c, epsilon: Self.epsilon)
        let err = maxAbsoluteError(y.scalars, expected)
        #expect(err <= 1e-13, "\(report("BatchNorm eval", expected: expected.prefix(3), observed: y.scalars.prefix(3), error: err, bound: 1e-13))")
        #expect(pass.updatedBuffers.isEmpty, "eval mode updated \(pass.updatedBuffers.map(\.name))")
        // One example alone gets the same output in eval mode (examples are independent).
        let alone = model.apply(params, x.rows(0..<1), buffers: buffers, mode: .eval).outputs
        #expect(alone.scalars == Array(y.scalars.prefix(alone.count)))
    }

    /// Properties of the modes, not of the formula: with γ = 1, β = 0, train mode standardizes each
    /// channel of the batch (mean 0, variance σ²/(σ² + ε)); eval mode with running statistics
    /// (0, 1) is nearly the identity. Swapping the modes fails both halves.
    @Test("train and eval modes are told apart: train standardizes the batch, eval applies the running statistics", arguments: shapes)
    func modesDiffer(shape: [Int]) {
        let model = singleLayer(BatchNorm(channels: shape[0]), inputShape: shape)
        let params = model.initialParameters(.lecunNormal, seed: 1, as: Double.self)
        let buffers = model.initialBuffers(as: Double.self)
        #expect(params.map(\.scalars) == [[1, 1, 1], [0, 0, 0]] && buffers.map(\.scalars) == [[0, 0, 0], [1, 1, 1]])
        let x = Self.input(shape, seed: 3)
        let c = Self.channel(shape)
        let train = model.apply(params, x, buffers: buffers, mode: .train).outputs
        let s = statistics(train.scalars, groups: shape[0], group: c)
        let inputVariance = statistics(x.scalars, groups: shape[0], group: c).variance
        for k in 0..<shape[0] {
            #expect(abs(s.mean[k]) < 1e-12, "train: channel \(k) mean \(s.mean[k])")
            let expected = inputVariance[k] / (inputVariance[k] + 1e-5)
            #expect(abs(s.variance[k] - expected) < 1e-12, "train: channel \(k) variance \(s.variance[k]), expected \(expected)")
        }
        let eval = model.apply(params, x, buffers: buffers, mode: .eval).outputs
        let scale = 1 / (1 + 1e-5).squareRoot()
        #expect(maxAbsoluteError(eval.scalars, x.scalars.map { $0 * scale }) < 1e-14)
        #expect(maxAbsoluteError(eval.scalars, train.scalars) > 1, "the inputs' statistics (mean 2, sd 3) should separate the modes")
    }

    @Test("a train pass records running statistics (1 - m) old + m batch, the variance unbiased", arguments: shapes)
    func runningStatistics(shape: [Int]) throws {
        let (model, params, buffers) = Self.batchNorm(shape)
        let x = Self.input(shape, seed: 4)
        let pass = model.apply(params, x, buffers: buffers, mode: .train).pass
        try #require(pass.updatedBuffers.map(\.name) == ["layer.running_mean", "layer.running_var"])
        let s = statistics(x.scalars, groups: shape[0], group: Self.channel(shape))
        let m = Self.momentum
        let mean = zip(buffers[0].scalars, s.mean).map { (1 - m) * $0 + m * $1 }
        let unbiased = zip(s.variance, s.count).map { $0 * Double($1) / Double($1 - 1) }
        let variance = zip(buffers[1].scalars, unbiased).map { (1 - m) * $0 + m * $1 }
        #expect(s.count.allSatisfy { $0 == Self.count * shape.dropFirst().reduce(1, *) })
        #expect(maxAbsoluteError(pass.updatedBuffers[0].value.scalars, mean) < 1e-14, "running mean \(pass.updatedBuffers[0].value.scalars), expected \(mean)")
        #expect(maxAbsoluteError(pass.updatedBuffers[1].value.scalars, variance) < 1e-13, "running var \(pass.updatedBuffers[1].value.scalars), expected \(variance)")
        // The same update through a training step of a loss surface (the optimizer's path).
        var rng = SeededGenerator(seed: 5)
        let head = Network(Sequential([("bn", BatchNorm(channels: shape[0], epsilon: Self.epsilon, momentum: m)), ("flatten", Flatten()),
                                       ("head", Dense(inputs: shape.reduce(1, *), outputs: 2))]), inputShape: shape)
        var y = Tensor<Double>(zeros: [Self.count, 2])
        for i in 0..<Self.count { y[i, i % 2] = 1 }
        let surface = LossSurface(model: head, loss: .crossEntropy, examples: Batch(inputs: x, targets: y), mode: .train, buffers: buffers)
        let w = head.layout.flatten(params + [.randomNormal([shape.reduce(1, *), 2], using: &rng), .randomNormal([2], using: &rng)])
        let step = surface.trainingStep(at: w)
        #expect(maxAbsoluteError(step.buffers[0].scalars, mean) < 1e-14 && maxAbsoluteError(step.buffers[1].scalars, variance) < 1e-13)
        #expect(surface.with(mode: .eval).trainingStep(at: w).buffers == buffers)
    }

    /// LayerNorm over the trailing axes named by `normalizedShape` (per example); γ, β of that shape.
    @Test("LayerNorm: per-example mean and biased variance over the trailing axes; modes agree; examples independent",
          arguments: [([12], [12]), ([3, 4, 5], [3, 4, 5]), ([3, 4, 5], [4, 5])])
    func layerNorm(inputShape: [Int], normalizedShape: [Int]) {
        let model = singleLayer(LayerNorm(normalizedShape: normalizedShape, epsilon: Self.epsilon), inputShape: inputShape)
        #expect(model.layout.shapes == [normalizedShape, normalizedShape])
        var rng = SeededGenerator(seed: 6)
        let params = [Tensor<Double>.randomUniform(normalizedShape, low: 0.5, high: 1.5, using: &rng), .randomNormal(normalizedShape, using: &rng)]
        let x = Self.input(inputShape, seed: 7)
        let span = normalizedShape.reduce(1, *)
        let group: (Int) -> Int = { $0 / span }
        let s = statistics(x.scalars, groups: x.count / span, group: group)
        let expected = textbookNormalization(x.scalars, group: group, mean: s.mean, variance: s.variance,
                                             gamma: params[0].scalars, beta: params[1].scalars, parameter: { $0 % span }, epsilon: Self.epsilon)
        let train = model.apply(params, x, mode: .train).outputs
        let err = maxAbsoluteError(train.scalars, expected)
        #expect(err <= 1e-13, "\(report("LayerNorm", expected: expected.prefix(3), observed: train.scalars.prefix(3), error: err, bound: 1e-13))")
        #expect(model.apply(params, x, mode: .eval).outputs == train)
        let alone = model.apply(params, x.rows(1..<2), mode: .train).outputs
        #expect(maxAbsoluteError(alone.scalars, train.rows(1..<2).scalars) <= 1e-15)
    }
}
