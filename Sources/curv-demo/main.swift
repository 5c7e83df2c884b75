// curv-demo: full-batch gradient descent on the bundled digits with a tanh MLP, printing the loss
// and the top Hessian eigenvalue (sharpness) against the stability threshold 2/lr as training
// goes. With a large enough learning rate the sharpness rises until it meets 2/lr and hovers
// there: the edge of stability (Cohen et al. 2021).
//
//   curv-demo [--data fixtures/digits] [--steps N] [--lr X] [--every K] [--loss cross_entropy|mse] [--seed N]
import Foundation
import Models
import Spectral
import Tensor
import Training

var data = "fixtures/digits", steps = 400, lr = 0.5, every = 25, seed: UInt64 = 0
var loss = LossKind.meanSquaredError
var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
    let value = args.next() ?? ""
    switch a {
    case "--data": data = value
    case "--steps": steps = Int(value) ?? steps
    case "--lr": lr = Double(value) ?? lr
    case "--every": every = Int(value) ?? every
    case "--seed": seed = UInt64(value) ?? seed
    case "--loss": loss = LossKind(rawValue: value) ?? loss
    default:
        FileHandle.standardError.write("curv-demo: unknown option \(a)\n".data(using: .utf8)!)
        exit(2)
    }
}

do {
    let raw = try Dataset.digits(in: URL(fileURLWithPath: data))
    let digits = raw.replacingFeatures(FeatureNormalization(.standardize, fittedTo: raw.features).apply(raw.features))
    let model = MLP(widths: [64, 64, 64, 10], activation: .tanh)
    let surface = LossSurface(model: model, loss: loss, examples: digits.batch(as: Double.self))
    var w = model.layout.flatten(model.initialParameters(.lecunNormal, seed: seed, as: Double.self))
    let settings = OptimizerSettings(kind: .sgd)
    var optimizer = Optimizer<Double>(settings)
    print("digits: \(digits.count) examples, MLP \(model.widths.map(String.init).joined(separator: "-")) tanh, \(surface.dimension) parameters, \(loss.rawValue) loss")
    print("full-batch gradient descent, lr = \(lr): stable on a quadratic while sharpness < 2/lr = \(String(format: "%.3f", settings.stabilityThreshold(learningRate: lr)))")
    print(" step      loss   accuracy   sharpness (λ_max)   residual   λ_max·lr/2")
    var topVector: [Double]? = nil
    for step in 0...steps {
        let (value, gradient) = surface.valueAndGradient(at: w)
        guard value.isFinite else {
            print("step \(step): the loss is \(value); training diverged")
            exit(0)
        }
        if step % every == 0 || step == steps {
            let top = try extremeEigenvalues(of: surface.hessianOperator(at: w), top: 1, steps: 20, start: topVector,
                                             seed: UInt64(step), keepVectors: true).top[0]
            topVector = top.vector
            print(String(format: "%5d  %8.5f   %6.2f%%   %12.4f      %9.2e   %6.3f",
                         step, value, 100 * surface.accuracy(at: w), top.value, top.residual, top.value * lr / 2))
        }
        if step < steps { optimizer.step(&w, gradient: gradient, learningRate: lr) }
    }
} catch {
    FileHandle.standardError.write("curv-demo: \(error)\n".data(using: .utf8)!)
    exit(1)
}
