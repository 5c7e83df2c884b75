import Foundation
import Models
import Tensor
import Testing
import Training

@Suite("Optimizers and their stability thresholds")
struct OptimizerTests {
    /// Runs `steps` updates on f(w) = (lambda/2) w² from w = 1; returns |w|.
    func run(_ kind: OptimizerKind, lambda: Double, lr: Double, beta: Double, steps: Int) -> Double {
        var optimizer = Optimizer<Double>(OptimizerSettings(kind: kind, momentum: beta))
        var w = Tensor<Double>(shape: [1], scalars: [1])
        for _ in 0..<steps { optimizer.step(&w, gradient: lambda * w, learningRate: lr) }
        return abs(w.scalars[0])
    }

    @Test("on a quadratic, iterates converge just below the threshold and diverge just above",
          arguments: [(OptimizerKind.sgd, 0.0), (.momentum, 0.5), (.momentum, 0.9), (.nesterov, 0.5), (.nesterov, 0.9)])
    func threshold(kind: OptimizerKind, beta: Double) {
        let lr = 0.1
        let threshold = OptimizerSettings(kind: kind, momentum: beta).stabilityThreshold(learningRate: lr)
        #expect(run(kind, lambda: 0.97 * threshold, lr: lr, beta: beta, steps: 6000) < 1e-3)
        let diverged = run(kind, lambda: 1.03 * threshold, lr: lr, beta: beta, steps: 3000)
        #expect(!(diverged < 1e3), "|w| = \(diverged) after 3000 steps above the threshold")
    }

    @Test("Adam's threshold for the preconditioned Hessian is (2+2β1)/((1-β1) lr): 38/lr at β1 = 0.9")
    func adamThreshold() {
        #expect(abs(OptimizerSettings(kind: .adam).stabilityThreshold(learningRate: 0.01) - 3800) < 1e-9)
    }

    @Test("heavy ball accumulates u = βu + g and steps by lr·u; Nesterov steps by lr·(g + βu)")
    func momentumUpdates() {
        let g = Tensor<Double>(shape: [2], scalars: [1, -2])
        var heavy = Optimizer<Double>(OptimizerSettings(kind: .momentum, momentum: 0.9))
        var w = Tensor<Double>(zeros: [2])
        heavy.step(&w, gradient: g, learningRate: 0.5)
        #expect(w.scalars == [-0.5, 1])
        let norm = heavy.step(&w, gradient: g, learningRate: 0.5)
        #expect(abs(w.scalars[0] + 1.45) < 1e-15 && abs(w.scalars[1] - 2.9) < 1e-15)
        #expect(abs(norm - 0.95 * 5.0.squareRoot()) < 1e-12)
        #expect(heavy.state["velocity"]!.scalars == [1.9, -3.8])
        var nesterov = Optimizer<Double>(OptimizerSettings(kind: .nesterov, momentum: 0.5))
        var v = Tensor<Double>(zeros: [2])
        nesterov.step(&v, gradient: g, learningRate: 1)
        #expect(v.scalars == [-1.5, 3])
    }

    @Test("Adam: bias-corrected moments, first step ≈ lr·sign(g), preconditioner sqrt(v̂) + ε; AdamW decays weights")
    func adam() {
        let g = Tensor<Double>(shape: [3], scalars: [0.5, -2, 1e-3])
        var adam = Optimizer<Double>(OptimizerSettings(kind: .adam, beta1: 0.9, beta2: 0.99, epsilon: 1e-8))
        #expect(adam.preconditioner == nil)
        var w = Tensor<Double>(zeros: [3])
        adam.step(&w, gradient: g, learningRate: 0.01)
        for (wi, gi) in zip(w.scalars, g.scalars) { #expect(abs(wi + 0.01 * gi / (abs(gi) + 1e-8)) < 1e-12) }
        let p = adam.preconditioner!
        for (pi, gi) in zip(p.scalars, g.scalars) { #expect(abs(pi - (abs(gi) + 1e-8)) < 1e-12) }
        for (m, gi) in zip(adam.state["m"]!.scalars, g.scalars) { #expect(abs(m - 0.1 * gi) < 1e-15) }
        // Second step: m = 0.9 m1 + 0.1 g2, v = 0.99 v1 + 0.01 g2², corrected by 1 - β^2.
        let g2 = Tensor<Double>(shape: [3], scalars: [1, 1, 1])
        let before = w
        adam.step(&w, gradient: g2, learningRate: 0.01)
        for i in 0..<3 {
            let m = 0.9 * 0.1 * g.scalars[i] + 0.1 * g2.scalars[i], v = 0.99 * 0.01 * g.scalars[i] * g.scalars[i] + 0.01
            let expected = before.scalars[i] - 0.01 * (m / (1 - 0.81)) / ((v / (1 - 0.9801)).squareRoot() + 1e-8)
            #expect(abs(w.scalars[i] - expected) < 1e-12)
        }
        var adamw = Optimizer<Double>(OptimizerSettings(kind: .adamw, decoupledWeightDecay: 0.1))
        var u = Tensor<Double>(shape: [1], scalars: [2])
        adamw.step(&u, gradient: Tensor(shape: [1], scalars: [0]), learningRate: 0.5)
        #expect(abs(u.scalars[0] - (2 - 0.5 * 0.1 * 2)) < 1e-12)
        let restored = Optimizer<Double>(adam.settings, stepCount: adam.stepCount, state: adam.state)
        #expect(restored.preconditioner == adam.preconditioner)
    }

    @Test("full-batch gradient descent lowers the digits loss and raises accuracy")
    func trainsDigits() throws {
        let raw = try Dataset.digits(in: repositoryRoot.appendingPathComponent("fixtures/digits"))
        let digits = raw.replacingFeatures(FeatureNormalization(.standardize, fittedTo: raw.features).apply(raw.features))
        let model = MLP(widths: [64, 16, 10], activation: .tanh).network
        let surface = LossSurface(model: model, loss: .crossEntropy, examples: digits.batch(as: Double.self))
        var w = model.layout.flatten(model.initialParameters(.lecunNormal, seed: 1, as: Double.self))
        var optimizer = Optimizer<Double>(OptimizerSettings(kind: .sgd))
        let (initialLoss, initialAccuracy) = (surface.value(at: w), surface.accuracy(at: w))
        for _ in 0..<60 { optimizer.step(&w, gradient: surface.valueAndGradient(at: w).gradient, learningRate: 0.5) }
        #expect(surface.value(at: w) < initialLoss / 4)
        #expect(surface.accuracy(at: w) > 0.9 && initialAccuracy < 0.3)
    }
}

@Suite("Learning-rate schedules")
struct ScheduleTests {
    @Test("linear warmup reaches the peak at the end of warmup, then each decay follows its formula")
    func schedules() {
        let warm = LearningRateSchedule(peak: 1, warmupSteps: 4, decay: .constant, totalSteps: 100)
        #expect((0..<6).map(warm.learningRate(at:)) == [0.25, 0.5, 0.75, 1, 1, 1])
        let cosine = LearningRateSchedule(peak: 2, warmupSteps: 0, decay: .cosine, totalSteps: 11, finalFraction: 0.1)
        #expect(abs(cosine.learningRate(at: 0) - 2) < 1e-12)
        #expect(abs(cosine.learningRate(at: 5) - 2 * (0.1 + 0.9 * 0.5)) < 1e-12)
        #expect(abs(cosine.learningRate(at: 10) - 0.2) < 1e-12)
        let step = LearningRateSchedule(peak: 1, warmupSteps: 2, decay: .step, stepEvery: 3, stepFactor: 0.5)
        #expect((2..<9).map(step.learningRate(at:)) == [1, 1, 1, 0.5, 0.5, 0.5, 0.25])
        let rsqrt = LearningRateSchedule(peak: 1, warmupSteps: 4, decay: .inverseSqrt)
        #expect(rsqrt.learningRate(at: 3) == 1)
        #expect(abs(rsqrt.learningRate(at: 15) - 0.5) < 1e-12)
    }
}
