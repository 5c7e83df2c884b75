import Models
import Tensor

/// A Float64 loss surface of `model` (cross-entropy) on `count` random examples, standard normal
/// inputs and one-hot targets drawn from a generator seeded by `seed`, in chunks of `chunkSize`;
/// and the model's initial point (LeCun normal, seeded by `pointSeed`).
func randomSurface(_ model: Network, examples count: Int, chunkSize: Int = 4096, seed: UInt64,
                   pointSeed: UInt64) -> (LossSurface<Double>, Tensor<Double>) {
    var rng = SeededGenerator(seed: seed)
    let x = Tensor<Double>.randomNormal([count, model.inputFeatures], using: &rng)
    var y = Tensor<Double>(zeros: [count, model.outputs])
    for i in 0..<count { y[i, Int(rng.next() % UInt64(model.outputs))] = 1 }
    let surface = LossSurface(model: model, loss: .crossEntropy, examples: Batch(inputs: x, targets: y), chunkSize: chunkSize)
    return (surface, model.layout.flatten(model.initialParameters(.lecunNormal, seed: pointSeed, as: Double.self)))
}
