import Autodiff
import Foundation
import Models
import Tensor
import Testing
import TestSupport

/// Random token sequences `[n, T]` over `vocabulary` tokens and one-hot next tokens `[n, T * V]`.
func tokenBatch(count: Int, context: Int, vocabulary: Int, seed: UInt64) -> Batch<Double> {
    var rng = SeededGenerator(seed: seed)
    let tokens = (0..<(count * context)).map { _ in Double(rng.next() % UInt64(vocabulary)) }
    var y = Tensor<Double>(zeros: [count, context * vocabulary])
    for i in 0..<count {
        for t in 0..<context { y[i, t * vocabulary + Int(rng.next() % UInt64(vocabulary))] = 1 }
    }
    return Batch(inputs: Tensor(shape: [count, context], scalars: tokens), targets: y)
}

/// The issue's small model: 1 block, 2 heads, width 8, context 4 (vocabulary 5, MLP width 16).
func smallTransformer(_ placement: LayerNormPlacement, positional: PositionalEncodingKind = .learned, tied: Bool = false) -> Network {
    Architectures.transformer(TransformerShape(vocabulary: 5, context: 4, width: 8, layers: 1, heads: 2, hidden: 16,
                                               placement: placement, positional: positional, tiedEmbedding: tied))
}

/// Attention by direct loops over examples, heads, positions and keys: the reference for
/// `CausalSelfAttention`. `x` is `[n, T, d]`; parameters in the layer's order (query, key, value,
/// output; weight `[d, d]` then bias `[d]` each).
func loopAttention(_ x: Tensor<Double>, _ p: [Tensor<Double>], heads: Int) -> Tensor<Double> {
    let (n, t, d) = (x.shape[0], x.shape[1], x.shape[2])
    let size = d / heads
    /// `input W + b` at every (example, position): flat `[n, T, d]` in and out.
    func affine(_ w: Tensor<Double>, _ b: Tensor<Double>, _ input: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: n * t * d)
        for row in 0..<(n * t) {
            for o in 0..<d {
                var sum = b.scalars[o]
                for j in 0..<d { sum += input[row * d + j] * w.scalars[j * d + o] }
                out[row * d + o] = sum
            }
        }
        return out
    }
    let (q, k, v) = (affine(p[0], p[1], x.scalars), affine(p[2], p[3], x.scalars), affine(p[4], p[5], x.scalars))
    var mixed = [Double](repeating: 0, count: n * t * d)
    for i in 0..<n {
        for h in 0..<heads {
            let cols = (h * size)..<((h + 1) * size)
            for s in 0..<t {
                // Keys 0 ... s only: the causal mask.
                var scores = [Double]()
                for j in 0...s {
                    var dot = 0.0
                    for c in cols { dot += q[(i * t + s) * d + c] * k[(i * t + j) * d + c] }
                    scores.append(dot / Double(size).squareRoot())
                }
                let top = scores.max()!
                let e = scores.map { exp($0 - top) }
                let total = e.reduce(0, +)
                for c in cols {
                    var sum = 0.0
                    for j in 0...s { sum += e[j] / total * v[(i * t + j) * d + c] }
                    mixed[(i * t + s) * d + c] = sum
                }
            }
        }
    }
    return Tensor(shape: [n, t, d], scalars: affine(p[6], p[7], mixed))
}

@Suite("Transformers: attention, blocks, gradients and Hessians")
struct TransformerTests {
    @Test("causal self-attention equals a direct loop over heads, positions and the keys before each")
    func attentionAgainstLoops() {
        let layer = CausalSelfAttention(width: 6, heads: 3)
        let model = Network(Sequential([("attention", layer)]), inputShape: [5, 6])
        var rng = SeededGenerator(seed: 3)
        let x = Tensor<Double>.randomNormal([2, 30], using: &rng)
        let params = model.initialParameters(.lecunNormal, seed: 4, as: Double.self).map { $0 + .randomNormal($0.shape, scale: 0.5, using: &rng) }
        let observed = model.apply(params, x).outputs
        let expected = loopAttention(x.reshaped([2, 5, 6]), params, heads: 3)
        let err = relativeError(observed.scalars, expected.scalars)
        #expect(err < 1e-13, "\(report("attention", expected: expected.scalars.prefix(4), observed: observed.scalars.prefix(4), error: err, bound: 1e-13))")
        // The mask is there: position 0 attends to itself only, so its output is the value projection
        // of position 0 mixed by nothing else; without the mask it would depend on later positions.
        var later = x
        for j in 6..<30 { later[1, j] += 1 }
        let moved = model.apply(params, later).outputs
        #expect((0..<6).allSatisfy { moved[1, $0] == observed[1, $0] })
        #expect((6..<30).contains { moved[1, $0] != observed[1, $0] })
    }

    @Test("a softmax of huge scores is finite (rows shifted by their largest entry)")
    func stableSoftmax() {
        let z = Tensor<Double>(shape: [1, 3], scalars: [1000, 1001, 999])
        let p = z.softmaxAlongLastAxis()
        let e = [exp(-1.0), 1, exp(-2.0)], total = e.reduce(0, +)
        #expect(relativeError(p.scalars, e.map { $0 / total }) < 1e-15)
        let masked = z.softmaxAlongLastAxis(mask: Tensor(shape: [3], scalars: [0, -.infinity, 0]))
        #expect(masked[0, 1] == 0 && abs(masked[0, 0] + masked[0, 2] - 1) < 1e-15)
    }

    @Test("changing a later token leaves every earlier position's logits bit-identical", arguments: LayerNormPlacement.allCases)
    func causality(placement: LayerNormPlacement) {
        let model = Architectures.transformer(TransformerShape(vocabulary: 7, context: 6, width: 8, layers: 2, heads: 2,
                                                               placement: placement, tiedEmbedding: true))
        let params = perturbedParameters(model, seed: 5)
        let batch = tokenBatch(count: 3, context: 6, vocabulary: 7, seed: 6)
        let base = model.apply(params, batch.inputs).outputs
        for t in 1..<6 {
            var changed = batch.inputs
            for i in 0..<3 { changed[i, t] = Double((Int(changed[i, t]) + 1 + i) % 7) }
            let moved = model.apply(params, changed).outputs
            for i in 0..<3 {
                #expect((0..<(t * 7)).allSatisfy { moved[i, $0].bitPattern == base[i, $0].bitPattern }, "position < \(t), example \(i)")
                #expect(((t * 7)..<(6 * 7)).contains { moved[i, $0] != base[i, $0] }, "position \(t) must see its own token")
            }
        }
    }

    /// Post-LN ends each block with a LayerNorm (γ = 1, β = 0 at initialization), so every
    /// position's output has mean 0 and variance 1 - O(ε); pre-LN adds to the residual stream, so a
    /// large offset in the input survives. Swapping the two placements fails both checks.
    @Test("pre-LN and post-LN blocks: post-LN outputs are normalized per position, pre-LN outputs keep the residual stream")
    func placements() {
        var rng = SeededGenerator(seed: 8)
        let x = Tensor<Double>.randomNormal([2, 4 * 8], using: &rng).shifted(by: 10)
        func block(_ placement: LayerNormPlacement) -> Tensor<Double> {
            let model = Network(Sequential([("block", TransformerBlock(width: 8, heads: 2, hidden: 16, placement: placement))]), inputShape: [4, 8])
            return model.apply(model.initialParameters(.lecunNormal, seed: 9, as: Double.self), x).outputs
        }
        for (name, y) in [("post", block(.post)), ("pre", block(.pre))] {
            for row in 0..<8 {
                let values = (0..<8).map { y.scalars[row * 8 + $0] }
                let mean = values.reduce(0, +) / 8
                let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 8
                if name == "post" {
                    #expect(abs(mean) < 1e-12 && abs(variance - 1) < 1e-3, "post-LN row \(row): mean \(mean), variance \(variance)")
                } else {
                    #expect(abs(mean - 10) < 2, "pre-LN row \(row): mean \(mean) (the input's offset 10 is kept)")
                }
            }
        }
    }

    @Test("the network's names, shapes and parameter count")
    func layout() {
        let model = smallTransformer(.pre)
        #expect(model.positions == 4 && model.classes == 5 && model.outputs == 20 && model.inputShape == [4])
        #expect(model.layout.names.prefix(4) == ["embedding.weight", "position.weight", "block0.ln1.weight", "block0.ln1.bias"])
        #expect(model.layout.names.contains("block0.attention.query.weight") && model.layout.names.last == "head.bias")
        let shape = TransformerShape(vocabulary: 5, context: 4, width: 8, layers: 1, heads: 2, hidden: 16)
        #expect(Double(model.layout.count) == shape.parameterCount)
        let tied = smallTransformer(.post, positional: .sinusoidal, tied: true)
        #expect(!tied.layout.names.contains { $0.hasPrefix("head") || $0.hasPrefix("position") || $0.hasPrefix("final_norm") })
        var sinusoidal = shape
        (sinusoidal.placement, sinusoidal.positional, sinusoidal.tiedEmbedding, sinusoidal.finalNorm) = (.post, .sinusoidal, true, false)
        #expect(Double(tied.layout.count) == sinusoidal.parameterCount)
    }

    @Test("sinusoidal encodings: sin at even, cos at odd columns, wavelengths 10000^(2i/d)")
    func sinusoids() {
        let table = PositionalEncoding.sinusoids(positions: 3, width: 4, as: Double.self)
        #expect(table[0, 0] == 0 && table[0, 1] == 1)
        #expect(abs(table[2, 0] - sin(2)) < 1e-15 && abs(table[2, 1] - cos(2)) < 1e-15)
        #expect(abs(table[2, 2] - sin(2 / 100)) < 1e-15 && abs(table[2, 3] - cos(2 / 100)) < 1e-15)
    }
}

/// One of the issue's small Transformers with its next-token loss on random sequences, at a random point.
struct TransformerCase: CustomTestStringConvertible, Sendable {
    let name: String
    let model: Network
    var testDescription: String { "\(name), \(model.layout.count) parameters" }
    var probe: DerivativeProbe<Objective<Double>> {
        let objective = Objective(model: model, loss: .crossEntropy, batch: tokenBatch(count: 3, context: 4, vocabulary: 5, seed: 11))
        return DerivativeProbe(objective, at: perturbedParameters(model, seed: 12))
    }
    static let all = [
        TransformerCase(name: "pre-LN, learned positions, separate head", model: smallTransformer(.pre)),
        TransformerCase(name: "post-LN, sinusoidal positions, tied head", model: smallTransformer(.post, positional: .sinusoidal, tied: true)),
    ]
}

/// Gradients and exact Hessians of the next-token loss against independent references: central
/// differences of the loss, and the explicit Hessian from central differences of gradients.
@Suite("Transformers: gradients and explicit Hessians of a 1-block, 2-head, width-8 model (Float64)")
struct TransformerCurvatureTests {
    @Test("∇L matches central differences of L", arguments: TransformerCase.all)
    func gradient(c: TransformerCase) { expectGradientMatchesDifferences(c.probe) }

    @Test("the Hessian from exact products equals differences of gradients, is symmetric, and gives Hv", arguments: TransformerCase.all)
    func hessian(c: TransformerCase) { expectExactHessian(c.probe, bound: 1e-7, seed: 13) }

    @Test("Float32 and Float64 agree on loss, gradient and Hv")
    func precisions() {
        let model = smallTransformer(.post)
        let batch = tokenBatch(count: 3, context: 4, vocabulary: 5, seed: 14)
        let s64 = LossSurface(model: model, loss: .crossEntropy, examples: batch)
        let s32 = LossSurface(model: model, loss: .crossEntropy, examples: Batch<Float>(inputs: batch.inputs.converted(), targets: batch.targets.converted()))
        let w32: Tensor<Float> = model.layout.flatten(perturbedParameters(model, seed: 15)).converted()
        var rng = SeededGenerator(seed: 16)
        let v32: Tensor<Float> = Tensor<Double>.randomNormal([w32.count], using: &rng).converted()
        let (w64, v64): (Tensor<Double>, Tensor<Double>) = (w32.converted(), v32.converted())
        let (l32, g32) = s32.valueAndGradient(at: w32), (l64, g64) = s64.valueAndGradient(at: w64)
        #expect(abs(Double(l32) - l64) < 1e-6 * abs(l64))
        #expect(relativeError(g32.doubles, g64.scalars) < 1e-5)
        #expect(relativeError(s32.hessianVectorProduct(at: w32, v32).doubles, s64.hessianVectorProduct(at: w64, v64).scalars) < 1e-4)
    }

    @Test("the loss is the mean next-token cross-entropy over every position of the batch")
    func lossDefinition() {
        let model = smallTransformer(.pre)
        let batch = tokenBatch(count: 3, context: 4, vocabulary: 5, seed: 17)
        let params = perturbedParameters(model, seed: 18)
        let logits = model.apply(params, batch.inputs).outputs
        var total = 0.0
        for i in 0..<3 {
            for t in 0..<4 {
                let z = (0..<5).map { logits[i, t * 5 + $0] }, y = (0..<5).map { batch.targets[i, t * 5 + $0] }
                let top = z.max()!
                let lse = top + log(z.reduce(0) { $0 + exp($1 - top) })
                total += lse - zip(z, y).reduce(0) { $0 + $1.0 * $1.1 }
            }
        }
        let loss = Objective(model: model, loss: .crossEntropy, batch: batch).valueAndAuxiliary(params).value.scalar
        #expect(abs(loss - total / 12) < 1e-13)
        let surface = LossSurface(model: model, loss: .crossEntropy, examples: batch)
        let (_, accuracy) = surface.valueAndAccuracy(at: model.layout.flatten(params))
        #expect(accuracy * 12 == (accuracy * 12).rounded(), "accuracy \(accuracy) counts positions (12 of them)")
    }
}
