import Autodiff
import Tensor

/// First and second derivatives of a Float64 scalar function of parameter tensors at a point: the
/// quantities under test (the reverse-mode gradient, exact Hessian-vector products, the explicit
/// Hessian assembled column by column from them) beside their references: central differences of
/// values for the gradient, central differences of gradients for Hessian-vector products (no
/// second-derivative rule enters those). Vectors are the parameters flattened in list order, row-major.
public struct DerivativeProbe<F: ScalarFunction> where F.Scalar == Double {
    public let function: F
    /// The point `w`.
    public let parameters: [Tensor<Double>]

    public init(_ function: F, at parameters: [Tensor<Double>]) {
        self.function = function
        self.parameters = parameters
    }

    /// The number of parameters.
    public var dimension: Int { parameters.reduce(0) { $0 + $1.count } }

    /// `w + t v` as tensors shaped like the parameters.
    public func point(_ t: Double, along v: [Double]) -> [Tensor<Double>] {
        zip(parameters, tensors(v)).map { $0.linearCombination(1, t, $1) }
    }

    /// `v` cut into tensors shaped like the parameters.
    public func tensors(_ v: [Double]) -> [Tensor<Double>] {
        var offset = 0
        return parameters.map { p in
            defer { offset += p.count }
            return Tensor(shape: p.shape, scalars: Array(v[offset..<(offset + p.count)]))
        }
    }

    /// The unit vector along coordinate `j`.
    public func unit(_ j: Int) -> [Double] {
        var e = [Double](repeating: 0, count: dimension)
        e[j] = 1
        return e
    }

    /// `f(w)` by plain evaluation.
    public var value: Double { function(parameters).scalar }

    /// `∇f(w)` by reverse mode.
    public var gradient: [Double] { Autodiff.valueAndGradient(of: function, at: parameters).gradient.flatMap(\.scalars) }

    /// `∇f(w)` coordinate by coordinate, `(f(w + h e_j) - f(w - h e_j)) / 2h`.
    public func centralDifferenceGradient(step h: Double = 1e-5) -> [Double] {
        (0..<dimension).map { j in
            let e = unit(j)
            return (function(point(h, along: e)).scalar - function(point(-h, along: e)).scalar) / (2 * h)
        }
    }

    /// `H v` by the exact forward-over-reverse product (with `memo` when given).
    public func hessianVectorProduct(_ v: [Double], memo: PrimalMemo<Double>? = nil) -> [Double] {
        Autodiff.hessianVectorProduct(of: function, at: parameters, along: tensors(v), memo: memo).product.flatMap(\.scalars)
    }

    /// `H v` as `(∇f(w + h v) - ∇f(w - h v)) / 2h`, reverse-mode gradients.
    public func gradientDifference(along v: [Double], step h: Double = 1e-5) -> [Double] {
        let plus = Autodiff.valueAndGradient(of: function, at: point(h, along: v)).gradient.flatMap(\.scalars)
        let minus = Autodiff.valueAndGradient(of: function, at: point(-h, along: v)).gradient.flatMap(\.scalars)
        return zip(plus, minus).map { ($0 - $1) / (2 * h) }
    }

    /// The explicit Hessian, row-major `n x n`, column j = `H e_j` from exact products.
    public func hessian() -> [Double] { columns { hessianVectorProduct(unit($0)) } }

    /// The Hessian with column j = the central difference of gradients along `e_j`.
    public func gradientDifferenceHessian(step h: Double = 1e-5) -> [Double] { columns { gradientDifference(along: unit($0), step: h) } }

    private func columns(_ column: (Int) -> [Double]) -> [Double] {
        let n = dimension
        var h = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            let c = column(j)
            for i in 0..<n { h[i * n + j] = c[i] }
        }
        return h
    }
}

/// The largest `|H_ij - H_ji|` and the largest `|H_ij|` of a row-major `n x n` matrix.
public func asymmetry(_ h: [Double], dimension n: Int) -> (asymmetry: Double, scale: Double) {
    var asym = 0.0, scale = 0.0
    for i in 0..<n { for j in 0..<n {
        asym = max(asym, abs(h[i * n + j] - h[j * n + i]))
        scale = max(scale, abs(h[i * n + j]))
    } }
    return (asym, scale)
}

/// `A v` for a row-major `n x n` matrix.
public func matrixVectorProduct(_ a: [Double], _ v: [Double]) -> [Double] {
    let n = v.count
    return (0..<n).map { i in (0..<n).reduce(0) { $0 + a[i * n + $1] * v[$1] } }
}

/// Independent standard normal entries, reproducible from `seed`.
public func normalVector(_ count: Int, seed: UInt64) -> [Double] {
    var rng = SeededGenerator(seed: seed)
    return (0..<count).map { _ in rng.normal() }
}
