import Tensor

// Elementwise product, elementwise functions and constant shifts.
// Product:  (a b)' = a' b + a b';  ā = ḡ b, b̄ = ḡ a.
// y = f(x): y' = f'(x) x';  x̄ = f'(x) ḡ, with f' written in these same operations
// (exp: y; log: 1/x; sqrt: 1/(2y); rsqrt: -y³/2; reciprocal: -y²; square: 2x), so the VJP's own
// tangent, the Hessian's contribution, follows from the rules here without a second derivative.
// Shift: (x + c)' = x';  x̄ = ḡ.

extension ElementwiseFunction {
    /// `f'` at x, given x and y = f(x).
    func derivative<T>(_ x: Tensor<T>, _ y: Tensor<T>) -> Tensor<T> {
        switch self {
        case .exp: return y
        case .log: return x.applying(.reciprocal)
        case .sqrt: return T(0.5) * y.applying(.reciprocal)
        case .rsqrt: return T(-0.5) * (y.applying(.square) * y)
        case .reciprocal: return T(-1) * y.applying(.square)
        case .square: return T(2) * x
        }
    }

    /// `f'(x) g` in differentiable operations on the input x and output y.
    func pullback<V: TensorOps>(_ g: V, x: V, y: V) -> V {
        switch self {
        case .exp: return g * y
        case .log: return g * x.applying(.reciprocal)
        case .sqrt: return (g * y.applying(.reciprocal)).scaled(0.5)
        case .rsqrt: return (g * (y.applying(.square) * y)).scaled(-0.5)
        case .reciprocal: return (g * y.applying(.square)).scaled(-1)
        case .square: return (g * x).scaled(2)
        }
    }
}

extension Dual {
    public var primalValue: Tensor<T> { primal }

    public static func * (a: Dual, b: Dual) -> Dual {
        precondition(a.shape == b.shape, "Dual *: shapes \(a.shape) and \(b.shape) differ")
        let (ap, bp) = (a.primal, b.primal)
        return Dual(shape: a.shape, deferred: { ap * bp }, tangent: sumTangents(a.tangent.map { $0 * bp }, b.tangent.map { ap * $0 }),
                    memo: Dual.memo(a, b), operation: "multiply")
    }

    public func applying(_ f: ElementwiseFunction) -> Dual {
        if tangent == nil && memo == nil { return Dual(primal.applying(f)) }
        // With a memo the slot always holds the derivative too, so passes with and without
        // tangents share it.
        let x = primal
        let v = Dual.primals(memo, "applying") {
            let y = x.applying(f)
            return [y, f.derivative(x, y)]
        }
        return Dual(v[0], tangent: tangent.map { v[1] * $0 }, memo: memo)
    }

    public func shifted(by c: T) -> Dual {
        let x = primal
        return Dual(shape: shape, deferred: { x.shifted(by: c) }, tangent: tangent, memo: memo, operation: "shifted")
    }
}

extension Traced {
    public var primalValue: Tensor<Scalar> { value.primalValue }

    public static func * (a: Traced, b: Traced) -> Traced {
        let (av, bv) = (a.value, b.value)
        return .record(av * bv, [a, b]) { g, needs in [needs[0] ? g * bv : nil, needs[1] ? g * av : nil] }
    }

    public func applying(_ f: ElementwiseFunction) -> Traced {
        let x = value
        let y = x.applying(f)
        return .record(y, [self]) { g, _ in [f.pullback(g, x: x, y: y)] }
    }

    public func shifted(by c: Scalar) -> Traced {
        .record(value.shifted(by: c), [self]) { g, _ in [g] }
    }
}
