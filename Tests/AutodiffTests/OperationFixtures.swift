import Autodiff
import Testing
import Tensor

/// One general operation (`TensorOps`) inside a small scalar function of two parameters a, b:
/// `f(a, b) = |op(a) ∘ b|²`, b shaped like op's output. Every second derivative of f goes through
/// op's rules: `∂²f/∂a²` through op's JVP and the JVP of its VJP, `∂²f/∂a∂b` through the product's.
/// For a linear op the Hessian is `2 Jᵀ diag(b²) J` plus the cross terms; for an elementwise
/// function it also holds `f''` (from the VJP written in differentiable operations).
struct OperationProbe: ScalarFunction, CustomTestStringConvertible {
    typealias Scalar = Double

    enum Operation: Sendable {
        /// `a ∘ c` for a second parameter c (f then has three parameters a, c, b).
        case product
        case elementwise(ElementwiseFunction)
        case shifted(Double)
        case reshaped([Int])
        case transposed([Int])
        case summed([Int])
        /// a of the given shape broadcast to the target.
        case broadcast(from: [Int], to: [Int])
        /// Gather by im2col of the geometry.
        case im2col(WindowGeometry)
        /// Gather by the windows of the geometry.
        case windows(WindowGeometry)
        /// Max pooling: gather at the argmax of a's own values (a data-dependent map).
        case windowMaxima(WindowGeometry)
        /// Scatter-add of window taps back onto the image (overlapping windows add up).
        case scattered(WindowGeometry)
    }

    let operation: Operation
    let examples = 2

    var testDescription: String {
        switch operation {
        case .product: return "product"
        case .elementwise(let f): return "\(f)"
        case .shifted(let c): return "shifted by \(c)"
        case .reshaped(let s): return "reshaped to \(s)"
        case .transposed(let p): return "transposed \(p)"
        case .summed(let axes): return "summed along \(axes)"
        case .broadcast(let from, let to): return "broadcast \(from) to \(to)"
        case .im2col(let g): return "im2col gather, \(g)"
        case .windows(let g): return "windows gather, \(g)"
        case .windowMaxima(let g): return "argmax gather, \(g)"
        case .scattered(let g): return "windows scatter, \(g)"
        }
    }

    /// The shape of a.
    var inputShape: [Int] {
        switch operation {
        case .product, .elementwise, .shifted, .reshaped, .transposed, .summed: return [2, 3, 4]
        case .broadcast(let from, _): return from
        case .im2col(let g), .windows(let g), .windowMaxima(let g): return [examples, g.channels, g.height, g.width]
        case .scattered(let g): return [examples] + g.windows().outputShape
        }
    }

    func callAsFunction<A: TensorOps>(_ p: [A]) -> A where A.Scalar == Double {
        (apply(p[0], p.count == 3 ? p[1] : nil) * p[p.count - 1]).sumOfSquares()
    }

    func apply<A: TensorOps>(_ a: A, _ c: A?) -> A where A.Scalar == Double {
        switch operation {
        case .product: return a * c!
        case .elementwise(let f): return a.applying(f)
        case .shifted(let k): return a.shifted(by: k)
        case .reshaped(let shape): return a.reshaped(shape)
        case .transposed(let permutation): return a.transposed(permutation)
        case .summed(let axes): return a.summed(alongAxes: axes)
        case .broadcast(_, let shape): return a.broadcast(to: shape)
        case .im2col(let g): return a.gathered(g.im2col())
        case .windows(let g): return a.gathered(g.windows())
        case .windowMaxima(let g): return a.gathered(a.primalValue.windowMaxima(g))
        case .scattered(let g): return a.scattered(g.windows())
        }
    }

    /// A point: a positive (elementwise functions need it: log, sqrt, rsqrt, reciprocal), the
    /// other parameters standard normal.
    func parameters(seed: UInt64) -> [Tensor<Double>] {
        var rng = SeededGenerator(seed: seed)
        let a = Tensor<Double>.randomUniform(inputShape, low: 0.5, high: 2, using: &rng)
        let outputShape = apply(a, a).shape
        let b = Tensor<Double>.randomNormal(outputShape, scale: 0.7, using: &rng)
        if case .product = operation { return [a, .randomNormal(inputShape, using: &rng), b] }
        return [a, b]
    }

    static var all: [OperationProbe] {
        let image = WindowGeometry(channels: 2, height: 4, width: 3, kernel: 3, stride: 2, padding: 1)
        let overlapping = WindowGeometry(channels: 1, height: 3, width: 4, kernel: 2, stride: 1, padding: 1)
        let pooling = WindowGeometry(channels: 2, height: 4, width: 5, kernel: 2, stride: 2, padding: 1)
        let functions: [ElementwiseFunction] = [.exp, .log, .sqrt, .rsqrt, .reciprocal, .square]
        let operations: [Operation] = [.product] + functions.map { .elementwise($0) } + [
            .shifted(-0.3), .reshaped([4, 6]), .reshaped([24]),
            // Cycles, so a rule that applied the permutation instead of its inverse would fail.
            .transposed([2, 0, 1]), .transposed([1, 2, 0]),
            .summed([0, 2]), .summed([1]), .summed([0, 1, 2]),
            .broadcast(from: [2, 1, 4], to: [2, 3, 4]), .broadcast(from: [1, 3, 1], to: [2, 3, 4]),
            .im2col(image), .windows(overlapping), .windowMaxima(pooling), .scattered(overlapping),
        ]
        return operations.map { OperationProbe(operation: $0) }
    }
}
