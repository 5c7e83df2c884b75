// MetaInit and GradInit held to their defining properties on small networks, their exact parts
// against independent references (finite differences), and the recorder's use of their scales.

import Foundation
import Models
import RunStore
import Tensor
import Testing
@testable import Training

@Suite("Learned initializations: MetaInit and GradInit")
struct LearnedInitTests {
    /// A Float64 tanh MLP 4-8-8-3 on 60 mixture examples, its drawn parameters and their scaling.
    func problem(include: (String, [Int]) -> Bool = { _, _ in true })
        throws -> (surface: LossSurface<Double>, w0: Tensor<Double>, layout: ParameterLayout, scaling: TensorScaling<Double>) {
        var c = mixtureConfig(name: "learned", steps: 1, dimension: 4, hidden: [8, 8])
        c.model.activation = .tanh
        let data = try PreparedData.prepare(c)
        let spec = try Recording<Double>.modelSpec(c, data: data.train, source: "test")
        let surface = LossSurface(model: spec.network, loss: spec.loss, examples: data.train.batch(as: Double.self))
        let layout = spec.network.layout
        let w0 = layout.flatten(spec.network.initialParameters(spec.initialization, seed: 3, as: Double.self))
        return (surface, w0, layout, TensorScaling(w0, layout: layout, include: include))
    }

    @Test("the gradient quotient: Hg against a central difference of gradients, GQ against its formula")
    func quotientDefinition() throws {
        let (surface, w0, _, scaling) = try problem { _, shape in shape.count >= 2 }
        var settings = LearnedInitConfig()
        settings.method = .metainit
        let meta = MetaInit(surface: surface, scaling: scaling, settings: settings)
        let g = surface.valueAndGradient(at: w0).gradient.doubles
        // Hg by central differences of the gradient along g (independent of the autodiff HVP).
        let h = 1e-5
        let gt = Tensor<Double>(shape: w0.shape, converting: g)
        let plus: [Double] = surface.valueAndGradient(at: w0.linearCombination(1, h, gt)).gradient.doubles
        let minus: [Double] = surface.valueAndGradient(at: w0.linearCombination(1, -h, gt)).gradient.doubles
        var total = 0.0
        for j in g.indices {
            let hg = (plus[j] - minus[j]) / (2 * h)
            let denominator = g[j] + 1e-5 * (g[j] >= 0 ? 1 : -1)
            total += abs((g[j] - hg) / denominator - 1)
        }
        let expected = total / Double(g.count)
        let gq = meta.quotient(at: w0)
        #expect(abs(gq - expected) <= 1e-5 * expected, "GQ \(gq), by differences \(expected)")
        #expect(scaling.names == ["dense0.weight", "dense1.weight", "dense2.weight"])

        // Its derivative in the scales (exact but for a central difference of HVPs in the third-order
        // term) against central differences of GQ itself, with steps small enough that no g_j
        // changes sign between them (GQ jumps where one does).
        let scales = [0.9, 1.1, 1.0]
        let (q, derivative) = meta.quotientAndGradient(scales: scales)
        #expect(q == meta.quotient(scales: scales))
        for i in scales.indices {
            var up = scales, down = scales
            up[i] += 1e-7
            down[i] -= 1e-7
            let fd = (meta.quotient(scales: up) - meta.quotient(scales: down)) / 2e-7
            #expect(abs(derivative[i] - fd) <= 1e-4 * abs(fd), "\(scaling.names[i]): \(derivative[i]) against differences \(fd)")
        }
    }

    @Test("MetaInit: the gradient quotient falls; the recorded history ends at the quotient of the final scales")
    func metaInitLowersTheQuotient() throws {
        let (surface, w0, layout, _) = try problem()
        var settings = LearnedInitConfig()
        settings.method = .metainit
        settings.steps = 60
        settings.examples = 60
        let (weights, result) = try #require(LearnedInitialization.run(settings, surface: surface, w0: w0, layout: layout,
                                                                        optimizer: OptimizerSettings(kind: .sgd), peakLR: 0.1, seed: 1))
        let gq = try #require(result.series.first { $0.name == "gradient_quotient" }?.values)
        #expect(gq.count == 61 && result.scaleHistory.count == 61)
        // Sign descent hovers around a minimum: the last value and the mean of the last ten sit
        // below the start (here 4.03 -> 3.3; GQ's landscape is rough where gradient coordinates
        // cross zero, its terms then growing like 1/ε).
        let lastTen = gq.suffix(10).reduce(0, +) / 10
        #expect(gq.last! < 0.9 * gq.first! && lastTen < 0.9 * gq.first!, "GQ \(gq.first!) -> \(gq.last!), last ten \(lastTen)")
        // From weights drawn 0.3 times too small, the quotient falls steadily, below a third.
        let small = w0.linearCombination(0.3, 0, w0)
        let fromSmall = try #require(LearnedInitialization.run(settings, surface: surface, w0: small, layout: layout,
                                                                optimizer: OptimizerSettings(kind: .sgd), peakLR: 0.1, seed: 1)).result.series[0].values
        #expect(fromSmall.suffix(10).allSatisfy { $0 < fromSmall[0] / 3 }, "GQ \(fromSmall[0]) -> \(fromSmall.suffix(10))")
        let scaling = TensorScaling(w0, layout: layout) { _, shape in shape.count >= 2 }
        let fresh = MetaInit(surface: surface, scaling: scaling, settings: settings).quotient(at: weights)
        #expect(fresh == gq.last!)
        #expect(result.scales == result.scaleHistory.last!)
        // The weights are the drawn ones, each weight tensor times its scale; biases untouched.
        let (drawn, now) = (w0.doubles, weights.doubles)
        for (i, name) in layout.names.enumerated() {
            let range = layout.offsets[i]..<(layout.offsets[i] + layout.shapes[i].reduce(1, *))
            let s = result.tensors.firstIndex(of: name).map { result.scales[$0] } ?? 1
            for j in range { #expect(now[j] == drawn[j] * s) }
        }
    }

    @Test("GradInit's gradient in the scales is exact: against central differences of its objective, every optimizer, both branches",
          arguments: [OptimizerKind.sgd, .nesterov, .adam, .adamw], [false, true])
    func gradInitGradient(kind: OptimizerKind, constrained: Bool) throws {
        let (surface, w0, _, scaling) = try problem()
        var settings = LearnedInitConfig()
        settings.method = .gradinit
        settings.gradientBound = constrained ? 1e-6 : 1e6
        // Adam's ε as large as 1e-2 so that its term in the derivative matters here.
        let optimizer = OptimizerSettings(kind: kind, momentum: 0.9, epsilon: kind == .adam || kind == .adamw ? 1e-2 : 1e-8,
                                          decoupledWeightDecay: kind == .adamw ? 0.1 : 0)
        let search = GradInit(surface: surface, scaling: scaling, settings: settings, optimizer: optimizer, stepLR: 0.3, seed: 1)
        let first = surface.restricted(to: Array(0..<30)), second = surface.restricted(to: Array(30..<60))
        let alpha = scaling.names.indices.map { 0.8 + 0.1 * Double($0) }
        let e = search.evaluate(alpha, first: first, second: second)
        #expect(e.constrained == constrained)
        let h = 1e-6
        for i in alpha.indices {
            var up = alpha, down = alpha
            up[i] += h
            down[i] -= h
            let fd = (search.evaluate(up, first: first, second: second).objective - search.evaluate(down, first: first, second: second).objective) / (2 * h)
            #expect(abs(e.gradient[i] - fd) <= 1e-6 * max(1, abs(fd)), "\(kind) \(scaling.names[i]): exact \(e.gradient[i]), differences \(fd)")
        }
    }

    @Test("GradInit: the gradient norm is brought under the bound, then the loss after the first step falls")
    func gradInitProperty() throws {
        let (surface, w0, layout, scaling) = try problem()
        var settings = LearnedInitConfig()
        settings.method = .gradinit
        settings.steps = 150
        settings.examples = 60   // the whole set: S = S', one deterministic objective
        settings.lr = 0.02
        let g0 = surface.valueAndGradient(at: w0).gradient.norm()
        settings.gradientBound = 0.5 * g0
        let optimizer = OptimizerSettings(kind: .sgd)
        let (weights, result) = try #require(LearnedInitialization.run(settings, surface: surface, w0: w0, layout: layout,
                                                                        optimizer: optimizer, peakLR: 0.5, seed: 1))
        let constrained = try #require(result.series.first { $0.name == "constrained" }?.values)
        let loss = try #require(result.series.first { $0.name == "post_step_loss" }?.values)
        #expect(constrained.first == 1, "the bound starts violated")
        let free = loss.indices.filter { constrained[$0] == 0 }
        #expect(free.count > 50)
        #expect(loss[free.last!] < loss[free.first!], "post-step loss \(loss[free.first!]) -> \(loss[free.last!])")
        // At the final scales, recomputed from scratch: the bound holds and the step lowers the loss below the start's.
        let g = surface.valueAndGradient(at: weights).gradient
        #expect(g.norm() <= settings.gradientBound * 1.02, "‖g‖ \(g.norm()) against γ \(settings.gradientBound)")
        var stepped = weights
        var opt = Optimizer<Double>(optimizer)
        opt.step(&stepped, gradient: g, learningRate: 0.5)
        #expect(surface.value(at: stepped) < loss[free.first!])
        // Every tensor with a non-zero drawn norm: the three weights (the biases start at zero).
        #expect(scaling.names == ["dense0.weight", "dense1.weight", "dense2.weight"])
    }

    @Test("the recorder applies the found scales at step 0 and stores them; the run file reads them back",
          arguments: [LearnedInitConfig.Method.metainit, .gradinit])
    func recorded(method: LearnedInitConfig.Method) throws {
        var c = mixtureConfig(name: "learned-\(method.rawValue)", steps: 3, dimension: 4, hidden: [8])
        c.learnedInit.steps = 10
        try checkScalesApplied(c, method: method)
    }

    /// Every model spec: a CNN with BatchNorm, a Fixup ResNet (its zero-initialized tensors keep
    /// no scale) and a pre-LN Transformer, each with both methods for 4 iterations.
    @Test("both methods work for every model kind", arguments: ["cnn-bn", "resnet-fixup", "transformer"], [LearnedInitConfig.Method.metainit, .gradinit])
    func everyModel(kind: String, method: LearnedInitConfig.Method) throws {
        var c = RunConfig()
        c.name = "learned-\(kind)"
        c.steps = 2
        c.dtype = "f64"
        c.learnedInit.steps = 4
        c.learnedInit.examples = 16
        switch kind {
        case "transformer":
            c.useTinyCopyTransformer()
        default:
            c.data.path = repositoryRoot.appendingPathComponent("fixtures/digits").path
            c.data.subset = 60
            c.model.kind = kind == "cnn-bn" ? "cnn" : "resnet"
            if kind == "cnn-bn" {
                c.model.channels = [2]
                c.model.hidden = []
                c.model.batchNorm = true
            } else {
                c.model.blocks = 1
                c.model.width = 2
                c.model.normalization = .fixup
            }
            c.model.activation = .relu
            c.model.initialization = .heNormal
            c.training.batchSize = 20
        }
        try checkScalesApplied(c, method: method)
    }

    /// Records `c` with `method`; the step-0 checkpoint holds the drawn parameters times the stored
    /// scales (every other tensor as drawn), the history is finite, the stored config parses back.
    private func checkScalesApplied(_ config: RunConfig, method: LearnedInitConfig.Method) throws {
        var c = config
        c.record.checkpointAt = [0]
        c.record.sharpnessEvery = 1
        c.learnedInit.method = method
        try withRecording(c) { path in
            let reader = try RunReader.open(path)
            defer { reader.close() }
            let record = try #require(try reader.learnedInit())
            let iterations = c.learnedInit.steps
            #expect(record.method == method.rawValue && record.scaleHistory.count == iterations + 1 && record.scales == record.scaleHistory.last!)
            #expect(record.series.allSatisfy { s in s.values.count >= iterations && s.values.allSatisfy { $0.isFinite || s.name == "post_step_loss" } })
            let spec = try ModelSpec.parse(json: reader.modelSpec(), source: path)
            let layout = spec.network.layout
            let drawn = spec.network.initialParameters(spec.initialization, seed: UInt64(c.seed), as: Double.self)
            let stored = try reader.checkpoint(at: 0, as: Double.self).weights
            for (i, name) in layout.names.enumerated() {
                let s = record.tensors.firstIndex(of: name).map { record.scales[$0] } ?? 1
                let saved = try #require(stored.first { $0.name == name })
                #expect(saved.values == drawn[i].doubles.map { $0 * s }, "\(name): scale \(s)")
                // Tensors drawn as zeros (biases, Fixup's last convolutions) are never scaled.
                if drawn[i].doubles.allSatisfy({ $0 == 0 }) { #expect(!record.tensors.contains(name)) }
            }
            #expect(!record.tensors.isEmpty && record.scales.contains { $0 != 1 })
            let parsed = try RunConfig.parse(reader.configTOML(), file: path)
            #expect(parsed.learnedInit == c.learnedInit)
        }
    }

    @Test("learned_init settings: defaults per method, refusals naming the key")
    func config() throws {
        let meta = try RunConfig.parse("[learned_init]\nmethod = \"metainit\"\n", file: "a.toml")
        #expect(meta.learnedInit.lr == 0.01 && meta.learnedInit.steps == 200 && meta.learnedInit.momentum == 0.9)
        let grad = try RunConfig.parse("[learned_init]\nmethod = \"gradinit\"\n", file: "a.toml")
        #expect(grad.learnedInit.lr == 0.01 && grad.learnedInit.gradientBound == 1)
        expectConfigErrorHere("[learned_init]\nmethod = \"lsuv\"\n", ["learned_init.method", "metainit", "gradinit"])
        expectConfigErrorHere("[learned_init]\nmethod = \"metainit\"\nlr = 0\n", ["learned_init.lr"])
        expectConfigErrorHere("[learned_init]\nmethod = \"gradinit\"\ngradient_bound = -1\n", ["learned_init.gradient_bound"])
        expectConfigErrorHere("[learned_init]\nmethod = \"gradinit\"\nbound = 1\n", ["unknown key 'learned_init.bound'"])
    }

    private func expectConfigErrorHere(_ text: String, _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try RunConfig.parse(text, file: "a.toml")
            Issue.record("accepted: \(text)", sourceLocation: sourceLocation)
        } catch {
            for f in fragments { #expect("\(error)".contains(f), "'\(f)' missing from: \(error)", sourceLocation: sourceLocation) }
        }
    }
}
