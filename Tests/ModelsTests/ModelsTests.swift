import Autodiff
import Models
import Tensor
import Testing
import TestSupport

/// A small random classification problem for an MLP.
func smallProblem(n: Int = 23, widths: [Int] = [5, 7, 6, 3], activation: Activation = .tanh,
                  seed: UInt64 = 1) -> (Network, Batch<Double>, Tensor<Double>) {
    var rng = SeededGenerator(seed: seed)
    let model = MLP(widths: widths, activation: activation).network
    let x = Tensor<Double>.randomNormal([n, widths[0]], using: &rng)
    var y = Tensor<Double>(zeros: [n, widths.last!])
    for i in 0..<n { y[i, Int(rng.next() % UInt64(widths.last!))] = 1 }
    let w = model.layout.flatten(model.initialParameters(.lecunNormal, seed: seed, as: Double.self))
    return (model, Batch(inputs: x, targets: y), w)
}

@Suite("Parameter layout")
struct ParameterLayoutTests {
    @Test("flatten and unflatten are inverse, in declared order")
    func roundTrip() {
        let model = MLP(widths: [3, 4, 2], activation: .relu).network
        let layout = model.layout
        #expect(layout.names == ["dense0.weight", "dense0.bias", "dense1.weight", "dense1.bias"])
        #expect(layout.shapes == [[3, 4], [4], [4, 2], [2]])
        #expect(layout.offsets == [0, 12, 16, 24] && layout.count == 26)
        let params = model.initialParameters(.glorotUniform, seed: 9, as: Float.self)
        let flat = layout.flatten(params)
        #expect(flat.scalars == params.flatMap(\.scalars))
        #expect(layout.unflatten(flat) == params)
    }

    @Test("initial weights have the scheme's variance; biases are zero", arguments: Initialization.allCases)
    func initialization(scheme: Initialization) {
        let model = MLP(widths: [400, 300], activation: .tanh).network
        let params = model.initialParameters(scheme, seed: 3, as: Double.self)
        let w = params[0].scalars
        let variance = w.reduce(0) { $0 + $1 * $1 } / Double(w.count)
        let expected: Double = switch scheme {
        case .lecunNormal, .lecunUniform: 1.0 / 400
        case .heNormal, .heUniform: 2.0 / 400
        case .glorotNormal, .glorotUniform: 2.0 / 700
        }
        #expect(abs(variance / expected - 1) < 0.02, "variance \(variance), expected \(expected)")
        #expect(params[1].scalars.allSatisfy { $0 == 0 })
        #expect(model.initialParameters(scheme, seed: 3, as: Double.self) == params)
    }
}

@Suite("Loss surfaces over chunked examples")
struct LossSurfaceTests {
    @Test("loss, gradient and HVP do not depend on the chunk size", arguments: [1, 4, 7, 10, 23, 100])
    func chunkingIsExact(chunk: Int) {
        let (model, batch, w) = smallProblem()
        let whole = LossSurface(model: model, loss: .crossEntropy, examples: batch, weightDecay: 0.01, chunkSize: 1000)
        let chunked = LossSurface(model: model, loss: .crossEntropy, examples: batch, weightDecay: 0.01, chunkSize: chunk)
        var rng = SeededGenerator(seed: 4)
        let v = Tensor<Double>.randomNormal([whole.dimension], using: &rng)
        #expect(abs(whole.value(at: w) - chunked.value(at: w)) < 1e-14)
        let (l1, g1) = whole.valueAndGradient(at: w), (l2, g2) = chunked.valueAndGradient(at: w)
        #expect(abs(l1 - l2) < 1e-14)
        #expect(relativeError(g2.scalars, g1.scalars) < 1e-13)
        #expect(relativeError(chunked.hessianVectorProduct(at: w, v).scalars,
                              whole.hessianVectorProduct(at: w, v).scalars) < 1e-13)
    }

    @Test("the mean loss equals the mean of per-example losses")
    func meanOverExamples() {
        let (model, batch, w) = smallProblem(n: 5)
        let whole = LossSurface(model: model, loss: .meanSquaredError, examples: batch).value(at: w)
        let perExample = (0..<5).map {
            LossSurface(model: model, loss: .meanSquaredError, examples: batch.slice($0..<($0 + 1))).value(at: w)
        }
        #expect(abs(whole - perExample.reduce(0, +) / 5) < 1e-14)
    }

    @Test("weight decay adds (λ/2)|w|² to the loss and λv to the HVP")
    func weightDecay() {
        let (model, batch, w) = smallProblem()
        let plain = LossSurface(model: model, loss: .crossEntropy, examples: batch)
        let decayed = LossSurface(model: model, loss: .crossEntropy, examples: batch, weightDecay: 0.3)
        #expect(abs(decayed.value(at: w) - plain.value(at: w) - 0.15 * w.dot(w)) < 1e-13)
        var rng = SeededGenerator(seed: 6)
        let v = Tensor<Double>.randomNormal([plain.dimension], using: &rng)
        let difference = decayed.hessianVectorProduct(at: w, v) - plain.hessianVectorProduct(at: w, v)
        #expect(relativeError(difference.scalars, (0.3 * v).scalars) < 1e-12)
    }

    @Test("Float32 and Float64 agree on loss, gradient and HVP to single precision",
          arguments: Activation.allCases)
    func precisionsAgree(activation: Activation) {
        let (model, batch, w) = smallProblem(activation: activation)
        let s64 = LossSurface(model: model, loss: .crossEntropy, examples: batch)
        let s32 = LossSurface(model: model, loss: .crossEntropy,
                              examples: Batch<Float>(inputs: batch.inputs.converted(), targets: batch.targets.converted()))
        var rng = SeededGenerator(seed: 8)
        let v = Tensor<Double>.randomNormal([s64.dimension], using: &rng)
        let w32: Tensor<Float> = w.converted(), v32: Tensor<Float> = v.converted()
        #expect(abs(Double(s32.value(at: w32)) - s64.value(at: w)) < 1e-5)
        #expect(relativeError(s32.valueAndGradient(at: w32).gradient.scalars.map(Double.init),
                              s64.valueAndGradient(at: w).gradient.scalars) < 1e-5)
        #expect(relativeError(s32.hessianVectorProduct(at: w32, v32).scalars.map(Double.init),
                              s64.hessianVectorProduct(at: w, v).scalars) < 1e-4)
    }
}

@Suite("Hessian-vector products sharing their primal work")
struct PrimalMemoTests {
    /// Every activation and loss, chunked, with weight decay: memoized products along several
    /// directions equal fresh ones to the last bit, and the memo is filled by the first product only.
    @Test("memoized products equal fresh ones bit for bit",
          arguments: [(Activation.tanh, LossKind.crossEntropy), (.relu, .meanSquaredError), (.gelu, .crossEntropy), (.gelu, .meanSquaredError)])
    func memoizedEqualsFresh(activation: Activation, loss: LossKind) {
        let (model, batch, w) = smallProblem(n: 23, activation: activation)
        let surface = LossSurface(model: model, loss: loss, examples: batch, weightDecay: 0.01, chunkSize: 10)
        let params = surface.layout.unflatten(w)
        let memos = surface.primalMemos()
        #expect(memos.count == 3)
        var rng = SeededGenerator(seed: 31)
        var held = [Int]()
        for _ in 0..<4 {
            let v = Tensor<Double>.randomNormal([surface.dimension], using: &rng)
            let fresh = surface.hessianVectorProduct(at: params, v)
            let remembered = surface.hessianVectorProduct(at: params, v, memos: memos)
            #expect(remembered.scalars == fresh.scalars)
            held.append(memos.reduce(0) { $0 + $1.bytes })
        }
        #expect(held[0] > 0 && Set(held).count == 1, "bytes held after each product: \(held)")
    }

    @Test("a memo over its byte limit recomputes what it could not keep, with the same result")
    func byteLimit() {
        let (model, batch, w) = smallProblem(n: 23)
        let surface = LossSurface(model: model, loss: .crossEntropy, examples: batch)
        let params = surface.layout.unflatten(w)
        let memos = surface.primalMemos(byteLimit: 600)
        var rng = SeededGenerator(seed: 32)
        for _ in 0..<3 {
            let v = Tensor<Double>.randomNormal([surface.dimension], using: &rng)
            #expect(surface.hessianVectorProduct(at: params, v, memos: memos).scalars == surface.hessianVectorProduct(at: params, v).scalars)
        }
        #expect(memos[0].bytes > 0 && memos[0].bytes <= 600)
    }

    @Test("the accuracy read from the gradient's forward pass equals a separate forward pass's; value and gradient unchanged",
          arguments: [1, 7, 23, 100])
    func accuracyFromTheGradientPass(chunk: Int) {
        let (model, batch, w) = smallProblem(n: 23, widths: [5, 7, 4])
        let surface = LossSurface(model: model, loss: .crossEntropy, examples: batch, weightDecay: 0.01, chunkSize: chunk)
        // Reference: argmax of each output row against the label, counted by hand.
        let outputs = model.apply(surface.layout.unflatten(w), batch.inputs).outputs
        var correct = 0
        for i in 0..<batch.count {
            let z = (0..<4).map { outputs[i, $0] }, y = (0..<4).map { batch.targets[i, $0] }
            if z.indices.max(by: { z[$0] < z[$1] }) == y.indices.max(by: { y[$0] < y[$1] }) { correct += 1 }
        }
        let expected = Double(correct) / Double(batch.count)
        #expect(expected > 0 && expected < 1, "the problem should have both right and wrong answers: \(expected)")
        #expect(surface.accuracy(at: w) == expected)
        let plain = surface.valueAndGradient(at: w)
        for memos in [nil, surface.primalMemos()] {
            let both = surface.valueGradientAndAccuracy(at: w, memos: memos)
            #expect(both.accuracy == expected)
            #expect(both.value == plain.value && both.gradient.scalars == plain.gradient.scalars)
        }
        let forward = surface.valueAndAccuracy(at: w)
        #expect(forward.accuracy == expected && forward.value == surface.value(at: w))
    }

    @Test("a gradient taken through the memo equals the plain one and leaves the primal work for the products",
          arguments: [(Activation.tanh, LossKind.crossEntropy), (.gelu, .meanSquaredError)])
    func gradientFillsTheMemo(activation: Activation, loss: LossKind) {
        let (model, batch, w) = smallProblem(n: 23, activation: activation)
        let surface = LossSurface(model: model, loss: loss, examples: batch, weightDecay: 0.01, chunkSize: 10)
        let memos = surface.primalMemos()
        let (value, gradient) = surface.valueAndGradient(at: w, memos: memos)
        let plain = surface.valueAndGradient(at: w)
        #expect(value == plain.value)
        #expect(gradient.scalars == plain.gradient.scalars)
        let held = memos.reduce(0) { $0 + $1.bytes }
        #expect(held > 0)
        var rng = SeededGenerator(seed: 33)
        let params = surface.layout.unflatten(w)
        for _ in 0..<2 {
            let v = Tensor<Double>.randomNormal([surface.dimension], using: &rng)
            #expect(surface.hessianVectorProduct(at: params, v, memos: memos).scalars == surface.hessianVectorProduct(at: params, v).scalars)
        }
        // The products found the forward and backward passes already there; they add only what
        // the gradient pass did not need (the loss's own gradient in z, kept for tangents).
        #expect(memos.reduce(0) { $0 + $1.bytes } == held)
        // And the other order: a gradient after products reuses their passes, same result.
        let again = surface.valueAndGradient(at: w, memos: memos)
        #expect(again.value == value && again.gradient.scalars == gradient.scalars)
    }
}

@Suite("Chunks evaluated concurrently")
struct ConcurrentChunkTests {
    @Test("chunks cover the batch in order, at most `size` each, at least `minimum`, sizes within one")
    func chunkSizes() {
        let (_, batch, _) = smallProblem(n: 23)
        for (size, minimum, expected) in [(7, 1, [6, 6, 6, 5]), (100, 2, [12, 11]), (100, 1, [23]), (5, 2, [5, 5, 5, 4, 4]),
                                          (1, 1, Array(repeating: 1, count: 23)), (100, 40, Array(repeating: 1, count: 23))] {
            let chunks = batch.chunks(of: size, atLeast: minimum)
            #expect(chunks.map(\.count) == expected, "size \(size), minimum \(minimum)")
            #expect(chunks.flatMap(\.inputs.scalars) == batch.inputs.scalars)
        }
    }

    /// A set large enough to be cut in two concurrent chunks: loss, gradient and Hv agree with one
    /// pass over the whole batch to rounding, repeat bit for bit (the sums run in chunk order
    /// whatever the threads' timing), and memoized products equal fresh ones bit for bit.
    @Test("concurrent chunks give the whole-batch loss, gradient and Hv, the same bits every time")
    func concurrentEqualsWhole() {
        let n = LossSurface<Double>.parallelExamples + 37
        let (model, batch, w) = smallProblem(n: n, widths: [5, 9, 4])
        let surface = LossSurface(model: model, loss: .crossEntropy, examples: batch, weightDecay: 0.01)
        #expect(surface.chunks.map(\.count) == [n - n / 2, n / 2])
        let params = surface.layout.unflatten(w)
        let whole = Objective(model: model, loss: .crossEntropy, batch: batch, weightDecay: 0.01)
        let (value, gradient) = Autodiff.valueAndGradient(of: whole, at: params)
        let got = surface.valueAndGradient(at: w)
        #expect(abs(got.value - value) <= 1e-14 * abs(value))
        #expect(relativeError(got.gradient.scalars, surface.layout.flatten(gradient).scalars) < 1e-13)
        #expect(abs(surface.value(at: w) - value) <= 1e-14 * abs(value))
        var rng = SeededGenerator(seed: 41)
        let v = Tensor<Double>.randomNormal([surface.dimension], using: &rng)
        let expected = surface.layout.flatten(Autodiff.hessianVectorProduct(of: whole, at: params, along: surface.layout.unflatten(v)).product)
        let hv = surface.hessianVectorProduct(at: w, v)
        #expect(relativeError(hv.scalars, expected.scalars) < 1e-13)
        let memos = surface.primalMemos()
        for _ in 0..<3 {
            #expect(surface.valueAndGradient(at: w).gradient.scalars == got.gradient.scalars)
            #expect(surface.hessianVectorProduct(at: w, v).scalars == hv.scalars)
            #expect(surface.hessianVectorProduct(at: params, v, memos: memos).scalars == hv.scalars)
        }
        let both = surface.valueGradientAndAccuracy(at: w, memos: memos)
        #expect(both.gradient.scalars == got.gradient.scalars && both.accuracy == surface.accuracy(at: w))
        #expect(surface.valueAndAccuracy(at: w).accuracy == both.accuracy)
    }

    /// (Other tests may hold a region at the same time, so the count after is not checked here.)
    @Test("BLASThreads.singleThreaded runs BLAS on one thread, nested too")
    func blasThreads() {
        let counts = BLASThreads.singleThreaded { [BLASThreads.count, BLASThreads.singleThreaded { BLASThreads.count }, BLASThreads.count] }
        #expect(counts == [1, 1, 1])
        #expect(BLASThreads.count >= 1)
    }
}
