import Tensor

// Sums, constant scaling, scaling by a rank-0 value, and the sum of squares.
// JVPs: (a + b)' = a' + b';  (αx)' = αx';  (x s)' = x' s + x s';  (Σ x²)' = 2 x·x'.
// VJPs: ā = b̄ = ḡ;  x̄ = α ḡ;  x̄ = 2 x ḡ (ḡ rank 0).

extension Dual {
    public static func + (a: Dual, b: Dual) -> Dual {
        precondition(a.shape == b.shape, "Dual +: shapes \(a.shape) and \(b.shape) differ")
        return Dual(shape: a.shape, deferred: { a.primal + b.primal }, tangent: sumTangents(a.tangent, b.tangent))
    }

    public func scaled(_ alpha: T) -> Dual {
        Dual(alpha * primal, tangent: tangent.map { alpha * $0 })
    }

    public func scaled(by s: Dual) -> Dual {
        let (x, k) = (primal, s.primal.scalar)
        return Dual(k * x, tangent: sumTangents(tangent.map { k * $0 }, s.tangent.map { $0.scalar * x }))
    }

    public func sumOfSquares() -> Dual {
        let x = primal
        return Dual(Tensor(scalar: x.dot(x)), tangent: tangent.map { Tensor(scalar: 2 * x.dot($0)) })
    }
}

extension Traced {
    public static func + (a: Traced, b: Traced) -> Traced {
        .record(a.value + b.value, [a, b]) { g, needs in [needs[0] ? g : nil, needs[1] ? g : nil] }
    }

    public func scaled(_ alpha: Scalar) -> Traced {
        .record(value.scaled(alpha), [self]) { g, _ in [g.scaled(alpha)] }
    }

    public func sumOfSquares() -> Traced {
        let x = value
        return .record(x.sumOfSquares(), [self]) { g, _ in [x.scaled(by: g).scaled(2)] }
    }
}
