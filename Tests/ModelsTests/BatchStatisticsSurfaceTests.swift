import Autodiff
import Models
import Tensor
import Testing
import TestSupport

/// A loss surface of a CNN with BatchNorm in train mode: examples are normalized in groups of
/// `normalizationGroup`, and the surface's chunks must be whole groups for the loss to be the one
/// defined (`Objective`), whatever the chunk size.
@Suite("Loss surfaces with batch statistics: chunks are whole normalization groups")
struct BatchStatisticsSurfaceTests {
    static let model = Architectures.cnn(inputShape: [1, 4, 4], channels: [2], hidden: [], outputs: 3, activation: .tanh, batchNorm: true)

    static func surface(examples: Int, group: Int?, chunkSize: Int) -> LossSurface<Double> {
        LossSurface(model: model, loss: .crossEntropy, examples: imageBatch(count: examples, shape: [1, 4, 4], classes: 3, seed: 11),
                    weightDecay: 0.01, chunkSize: chunkSize, mode: .train, normalizationGroup: group)
    }

    static var point: (w: Tensor<Double>, v: Tensor<Double>) {
        var rng = SeededGenerator(seed: 12)
        return (model.layout.flatten(perturbedParameters(model, seed: 13)), .randomNormal([model.layout.count], using: &rng))
    }

    /// (examples, group, chunk sizes): groups dividing the batch; a remainder group (10 = 4 + 4 + 2).
    @Test("value, gradient and Hv do not depend on the chunk size", arguments: [(12, 4, [1, 4, 5, 8, 11, 12]), (10, 4, [3, 4, 7, 8, 9])])
    func chunkSizeInvariance(examples: Int, group: Int, chunkSizes: [Int]) {
        let whole = Self.surface(examples: examples, group: group, chunkSize: 1000)
        #expect(whole.chunks.count == 1)
        let (w, v) = Self.point
        let (value, gradient) = whole.valueAndGradient(at: w)
        let hv = whole.hessianVectorProduct(at: w, v)
        for size in chunkSizes {
            let chunked = Self.surface(examples: examples, group: group, chunkSize: size)
            let counts = chunked.chunks.map(\.count)
            #expect(counts.dropLast().allSatisfy { $0 % group == 0 } && counts.reduce(0, +) == examples, "chunk size \(size): chunks \(counts)")
            #expect(counts.count > 1 || size >= examples, "chunk size \(size): chunks \(counts)")
            let (v2, g2) = chunked.valueAndGradient(at: w)
            #expect(abs(v2 - value) <= 1e-14 * abs(value), "chunk size \(size): value \(v2) vs \(value)")
            #expect(relativeError(g2.scalars, gradient.scalars) < 1e-13, "chunk size \(size): gradient")
            #expect(chunked.value(at: w) == v2, "chunk size \(size): value(at:) vs valueAndGradient")
            let err = relativeError(chunked.hessianVectorProduct(at: w, v).scalars, hv.scalars)
            #expect(err < 1e-13, "chunk size \(size): Hv relative error \(err)")
        }
    }

    /// The loss is the example-weighted mean of the groups' own losses, each group normalized by
    /// itself: computed here one group at a time, independent of the surface's chunking.
    @Test("the loss and its gradient are the weighted means over the groups, each normalized alone")
    func groupsAreNormalizedAlone() {
        let surface = Self.surface(examples: 10, group: 4, chunkSize: 4)
        let (w, _) = Self.point
        let params = Self.model.layout.unflatten(w)
        var value = 0.0
        var gradient = [Double](repeating: 0, count: Self.model.layout.count)
        for range in [0..<4, 4..<8, 8..<10] {
            let alone = Objective(model: Self.model, loss: .crossEntropy, batch: surface.examples.slice(range),
                                  weight: Double(range.count) / 10, mode: .train)
            let (v, g) = valueAndGradient(of: alone, at: params)
            value += v
            gradient = zip(gradient, g.flatMap(\.scalars)).map { $0 + $1 }
        }
        value += 0.005 * w.dot(w)
        gradient = zip(gradient, w.scalars).map { $0 + 0.01 * $1 }
        let got = surface.valueAndGradient(at: w)
        #expect(abs(got.value - value) <= 1e-14 * abs(value), "surface \(got.value), groups one at a time \(value)")
        #expect(relativeError(got.gradient.scalars, gradient) < 1e-13)
    }

    /// Batches of `LossSurface.parallelExamples` or more run as concurrent chunks (two at a time,
    /// single-threaded BLAS): still whole groups, and the same loss, gradient and Hv as one chunk.
    @Test("concurrent chunks of a large batch are whole groups and give the one-chunk result")
    func concurrentChunks() {
        let n = LossSurface<Double>.parallelExamples + 44
        let whole = Self.surface(examples: n, group: 25, chunkSize: 100_000)
        let (w, v) = Self.point
        let small = Self.surface(examples: n, group: 25, chunkSize: 50)
        #expect(whole.chunks.count == 2, "a batch of \(n) is cut in two at least: \(whole.chunks.map(\.count))")
        for surface in [whole, small] {
            #expect(surface.chunks.dropLast().allSatisfy { $0.count % 25 == 0 }, "chunks \(surface.chunks.map(\.count))")
        }
        // The reference: one group at a time, sequentially.
        let params = Self.model.layout.unflatten(w)
        var value = 0.005 * w.dot(w)
        var hv = (0.01 * v).scalars
        for start in stride(from: 0, to: n, by: 25) {
            let range = start..<min(start + 25, n)
            let alone = Objective(model: Self.model, loss: .crossEntropy, batch: whole.examples.slice(range),
                                  weight: Double(range.count) / Double(n), mode: .train)
            value += valueAndGradient(of: alone, at: params).value
            let product = hessianVectorProduct(of: alone, at: params, along: Self.model.layout.unflatten(v)).product
            hv = zip(hv, product.flatMap(\.scalars)).map { $0 + $1 }
        }
        for surface in [whole, small] {
            #expect(abs(surface.value(at: w) - value) <= 1e-13 * abs(value))
            #expect(relativeError(surface.hessianVectorProduct(at: w, v).scalars, hv) < 1e-12)
        }
    }

    /// The teeth of the invariance test: the grouping is part of the loss, so surfaces whose groups
    /// differ (or a batch normalized as one group) differ in value, gradient and Hv.
    @Test("surfaces whose groups differ have different values, gradients and Hv", arguments: [6, 3, nil] as [Int?])
    func groupsMatter(other: Int?) {
        let (w, v) = Self.point
        let reference = Self.surface(examples: 12, group: 4, chunkSize: 4)
        let changed = Self.surface(examples: 12, group: other, chunkSize: 4)
        let (a, b) = (reference.valueAndGradient(at: w), changed.valueAndGradient(at: w))
        #expect(abs(a.value - b.value) > 1e-4 * abs(a.value), "values \(a.value) and \(b.value)")
        #expect(relativeError(b.gradient.scalars, a.gradient.scalars) > 1e-3)
        #expect(relativeError(changed.hessianVectorProduct(at: w, v).scalars, reference.hessianVectorProduct(at: w, v).scalars) > 1e-3)
        // In eval mode (running statistics) the grouping is irrelevant.
        let (e1, e2) = (reference.with(mode: .eval), changed.with(mode: .eval))
        #expect(abs(e1.value(at: w) - e2.value(at: w)) <= 1e-14 * abs(e1.value(at: w)))
        #expect(relativeError(e2.hessianVectorProduct(at: w, v).scalars, e1.hessianVectorProduct(at: w, v).scalars) < 1e-13)
    }

    @Test("a gradient and products through the chunks' memos equal fresh ones bit for bit")
    func memoizedProducts() {
        let surface = Self.surface(examples: 12, group: 4, chunkSize: 8)
        let (w, _) = Self.point
        let params = Self.model.layout.unflatten(w)
        let memos = surface.primalMemos()
        #expect(memos.count == 2)
        let (value, gradient) = surface.valueAndGradient(at: w, memos: memos)
        let plain = surface.valueAndGradient(at: w)
        #expect(value == plain.value && gradient.scalars == plain.gradient.scalars)
        for seed in UInt64(14)...16 {
            var rng = SeededGenerator(seed: seed)
            let v = Tensor<Double>.randomNormal([surface.dimension], using: &rng)
            #expect(surface.hessianVectorProduct(at: params, v, memos: memos).scalars == surface.hessianVectorProduct(at: params, v).scalars)
        }
    }

    /// A training step over a batch of several groups moves the running statistics once per group,
    /// in order, as if the groups were consecutive training batches: `r ← (1 - m) r + m s_g`.
    @Test("a training step updates the running statistics once per group, in order")
    func runningStatisticsPerGroup() {
        let momentum = 0.2
        let model = Network(Sequential([("bn", BatchNorm(channels: 1, momentum: momentum)), ("flatten", Flatten()),
                                        ("head", Dense(inputs: 16, outputs: 3))]), inputShape: [1, 4, 4])
        let examples = imageBatch(count: 10, shape: [1, 4, 4], classes: 3, seed: 17)
        let surface = LossSurface(model: model, loss: .crossEntropy, examples: examples, mode: .train, normalizationGroup: 4)
        let w = model.layout.flatten(perturbedParameters(model, seed: 18))
        var (mean, variance) = (0.0, 1.0)
        for range in [0..<4, 4..<8, 8..<10] {
            let x = examples.inputs.rows(range).scalars
            let mu = x.reduce(0, +) / Double(x.count)
            let unbiased = x.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / Double(x.count - 1)
            (mean, variance) = ((1 - momentum) * mean + momentum * mu, (1 - momentum) * variance + momentum * unbiased)
        }
        let buffers = surface.trainingStep(at: w).buffers
        #expect(buffers.map(\.shape) == [[1], [1]])
        #expect(abs(buffers[0].scalar - mean) < 1e-15 && abs(buffers[1].scalar - variance) < 1e-14,
                "running statistics \(buffers.map(\.scalar)), expected \([mean, variance])")
    }
}
