import Tensor

// y = gelu(x) = x Φ(x);  y' = gelu'(x) x';  x̄ = gelu'(x) ȳ (geluBackward, with x saved).
// gelu'(x) = Φ(x) + x φ(x),  gelu''(x) = φ(x) (2 - x²).
// geluBackward g gelu'(x) has JVP  g' gelu'(x) + g gelu''(x) x'.

extension Dual {
    public func gelu() -> Dual {
        // With a memo the slot always holds the derivative too, so passes with and without
        // tangents (an HVP, a gradient) share it.
        if tangent == nil && memo == nil { return Dual(primal.gelu()) }
        let y = Dual.primals(memo, "gelu") { [primal.gelu(), primal.geluDerivative()] }
        return Dual(y[0], tangent: tangent.map { y[1] * $0 }, memo: memo)
    }

    public func geluBackward(_ g: Dual) -> Dual {
        let memo = Dual.memo(self, g)
        let gp = g.primal
        let d = Dual.primals(memo, "geluBackward") {
            let (d1, d2) = primal.geluDerivatives()
            return [d1, d2, d1 * gp]
        }
        let t = sumTangents(g.tangent.map { d[0] * $0 }, tangent.map { d[1] * gp * $0 })
        return Dual(d[2], tangent: t, memo: memo)
    }
}

extension Traced {
    public func gelu() -> Traced {
        let x = value
        return .record(x.gelu(), [self]) { g, _ in [x.geluBackward(g)] }
    }
}
