import Models
import Tensor

/// Random images (`[n, C H W]` rows, standard normal) and one-hot targets among `classes`.
func imageBatch(count: Int, shape: [Int], classes: Int, seed: UInt64) -> Batch<Double> {
    var rng = SeededGenerator(seed: seed)
    let x = Tensor<Double>.randomNormal([count, shape.reduce(1, *)], using: &rng)
    var y = Tensor<Double>(zeros: [count, classes])
    for i in 0..<count { y[i, Int(rng.next() % UInt64(classes))] = 1 }
    return Batch(inputs: x, targets: y)
}

/// The scheme's initial parameters plus N(0, `noise`²) on every entry, so biases, scales and
/// normalization parameters are away from their starting constants (a point after some training).
func perturbedParameters(_ model: Network, seed: UInt64, noise: Double = 0.3) -> [Tensor<Double>] {
    var rng = SeededGenerator(seed: seed &+ 1000)
    return model.initialParameters(.lecunNormal, seed: seed, as: Double.self).map { $0 + .randomNormal($0.shape, scale: noise, using: &rng) }
}

/// One layer applied to `[n] + inputShape` images, flattened to rows: its output in row-major order.
func singleLayer(_ layer: any Layer, inputShape: [Int]) -> Network {
    Network(Sequential([("layer", layer), ("flatten", Flatten())]), inputShape: inputShape)
}
