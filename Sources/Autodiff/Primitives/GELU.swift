import Tensor

// y = gelu(x) = x Φ(x);  y' = gelu'(x) x';  x̄ = gelu'(x) ȳ (geluBackward, with x saved).
// gelu'(x) = Φ(x) + x φ(x),  gelu''(x) = φ(x) (2 - x²).
// geluBackward g gelu'(x) has JVP  g' gelu'(x) + g gelu''(x) x'.

extension Dual {
    public func gelu() -> Dual {
        let x = primal
        return Dual(x.gelu(), tangent: tangent.map { x.geluDerivative() * $0 })
    }

    public func geluBackward(_ g: Dual) -> Dual {
        let (x, gp) = (primal, g.primal)
        let (d1, d2) = x.geluDerivatives()
        let t = sumTangents(g.tangent.map { d1 * $0 }, tangent.map { d2 * gp * $0 })
        return Dual(d1 * gp, tangent: t)
    }
}

extension Traced {
    public func gelu() -> Traced {
        let x = value
        return .record(x.gelu(), [self]) { g, _ in [x.geluBackward(g)] }
    }
}
