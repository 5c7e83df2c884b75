import Foundation
import Models
import Tensor
import Testing
import Training

@Suite("Gradient descent and its stability threshold")
struct OptimizerTests {
    /// Runs `steps` of the optimizer on f(w) = (lambda/2) w² from w = 1; returns |w|.
    func run(lambda: Double, lr: Double, momentum: Double, steps: Int = 400) -> Double {
        var optimizer = GradientDescent<Double>(learningRate: lr, momentum: momentum)
        var w = Tensor<Double>(shape: [1], scalars: [1])
        for _ in 0..<steps { optimizer.step(&w, gradient: lambda * w) }
        return abs(w.scalars[0])
    }

    @Test("on a quadratic, iterates converge just below (2+2β)/lr and diverge just above", arguments: [0.0, 0.5, 0.9])
    func threshold(momentum: Double) {
        let lr = 0.1
        let threshold = GradientDescent<Double>(learningRate: lr, momentum: momentum).stabilityThreshold()
        #expect(abs(threshold - (2 + 2 * momentum) / lr) < 1e-12)
        #expect(run(lambda: 0.98 * threshold, lr: lr, momentum: momentum, steps: 4000) < 1e-3)
        #expect(run(lambda: 1.02 * threshold, lr: lr, momentum: momentum) > 1e3)
    }

    @Test("heavy-ball momentum accumulates u = βu + g and steps by lr·u")
    func momentumUpdate() {
        var optimizer = GradientDescent<Double>(learningRate: 0.5, momentum: 0.9)
        var w = Tensor<Double>(shape: [2], scalars: [0, 0])
        let g = Tensor<Double>(shape: [2], scalars: [1, -2])
        optimizer.step(&w, gradient: g)
        #expect(w.scalars == [-0.5, 1])
        let norm = optimizer.step(&w, gradient: g)
        // u = 0.9 * g + g = 1.9 g
        #expect(abs(w.scalars[0] - (-0.5 - 0.95)) < 1e-15 && abs(w.scalars[1] - (1 + 1.9)) < 1e-15)
        #expect(abs(norm - 0.95 * 5.0.squareRoot()) < 1e-12)
    }

    @Test("full-batch gradient descent lowers the digits loss and raises accuracy")
    func trainsDigits() throws {
        let digits = try LabelledData.digits(in: repositoryRoot.appendingPathComponent("fixtures/digits")).standardized()
        let model = MLP(widths: [64, 16, 10], activation: .tanh)
        let surface = LossSurface(model: model, loss: .crossEntropy, examples: digits.batch(as: Double.self))
        var w = model.layout.flatten(model.initialParameters(.lecunNormal, seed: 1, as: Double.self))
        var optimizer = GradientDescent<Double>(learningRate: 0.5)
        let (initialLoss, initialAccuracy) = (surface.value(at: w), surface.accuracy(at: w))
        for _ in 0..<60 { optimizer.step(&w, gradient: surface.valueAndGradient(at: w).gradient) }
        #expect(surface.value(at: w) < initialLoss / 4)
        #expect(surface.accuracy(at: w) > 0.9 && initialAccuracy < 0.3)
    }
}
