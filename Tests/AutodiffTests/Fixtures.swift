import Autodiff
import Tensor

/// A small two-layer network written directly in `TensorOps`, independent of the Models module:
/// `loss(act(x W1 + b1) W2 + b2, y)` plus `decay/2 |W1|^2`.
struct TinyNetwork: ScalarFunction {
    typealias Scalar = Double
    enum Act { case tanh, relu, gelu }
    enum LossChoice { case crossEntropy, mse }

    let x: Tensor<Double>
    let y: Tensor<Double>
    let act: Act
    let loss: LossChoice
    var decay: Double = 0
    /// Dense layers through the fused `matmul(_:addingRowVector:)` instead of the composition.
    var fusedAffine = false

    func callAsFunction<A: TensorOps>(_ p: [A]) -> A where A.Scalar == Double {
        func dense(_ x: A, _ w: A, _ b: A) -> A { fusedAffine ? x.matmul(w, addingRowVector: b) : x.matmul(w).addingRowVector(b) }
        var h = dense(A(constant: x), p[0], p[1])
        switch act {
        case .tanh: h = h.tanh()
        case .relu: h = h.relu()
        case .gelu: h = h.gelu()
        }
        let z = dense(h, p[2], p[3])
        var total = loss == .crossEntropy ? z.softmaxCrossEntropy(targets: y) : z.meanSquaredError(targets: y)
        if decay != 0 { total = total + p[0].sumOfSquares().scaled(decay / 2) }
        return total
    }

    /// Parameters and data for `n` examples, `d` inputs, `h` hidden units, `c` classes.
    static func make(n: Int = 6, d: Int = 4, h: Int = 5, c: Int = 3, act: Act, loss: LossChoice, decay: Double = 0,
                     seed: UInt64 = 7) -> (TinyNetwork, [Tensor<Double>]) {
        var rng = SeededGenerator(seed: seed)
        let x = Tensor<Double>.randomNormal([n, d], using: &rng)
        var y = Tensor<Double>(zeros: [n, c])
        for i in 0..<n { y[i, Int(rng.next() % UInt64(c))] = 1 }
        let params: [Tensor<Double>] = [
            .randomNormal([d, h], scale: 0.8, using: &rng), .randomNormal([h], scale: 0.3, using: &rng),
            .randomNormal([h, c], scale: 0.8, using: &rng), .randomNormal([c], scale: 0.3, using: &rng),
        ]
        return (TinyNetwork(x: x, y: y, act: act, loss: loss, decay: decay), params)
    }

    static var allVariants: [(Act, LossChoice, Double)] {
        [(.tanh, .crossEntropy, 0), (.relu, .crossEntropy, 0), (.gelu, .crossEntropy, 0.1),
         (.tanh, .mse, 0.05), (.gelu, .mse, 0), (.relu, .mse, 0)]
    }
}

/// Flat helpers over lists of tensors.
func flat(_ ts: [Tensor<Double>]) -> [Double] { ts.flatMap(\.scalars) }

func unflat(_ v: [Double], like ts: [Tensor<Double>]) -> [Tensor<Double>] {
    var offset = 0
    return ts.map { t in
        defer { offset += t.count }
        return Tensor(shape: t.shape, scalars: Array(v[offset..<(offset + t.count)]))
    }
}

func axpy(_ a: Double, _ x: [Double], _ y: [Double]) -> [Double] { zip(x, y).map { a * $0 + $1 } }

func dot(_ x: [Double], _ y: [Double]) -> Double { zip(x, y).reduce(0) { $0 + $1.0 * $1.1 } }

func randomDirection(_ count: Int, seed: UInt64) -> [Double] {
    var rng = SeededGenerator(seed: seed)
    return (0..<count).map { _ in rng.normal() }
}
