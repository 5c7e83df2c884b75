import Tensor

// y = tanh(x);  y' = (1 - y²) x';  x̄ = (1 - y²) ȳ (tanhBackward, with y saved).
// tanhBackward g(1 - y²) has JVP  g'(1 - y²) - 2 g y y'.

extension Dual {
    public func tanh() -> Dual {
        let y = Dual.primal(memo, "tanh") { primal.tanh() }
        return Dual(y, tangent: tangent.map { y.tanhBackward($0) }, memo: memo)
    }

    public func tanhBackward(_ g: Dual) -> Dual {
        let (y, gp) = (primal, g.primal)
        let memo = Dual.memo(self, g)
        let t: Tensor<T>?
        switch (tangent, g.tangent) {
        case (nil, nil): t = nil
        case let (nil, dg?): t = y.tanhBackward(dg)
        default: t = y.tanhBackwardTangent(g: gp, dy: tangentOrZero, dg: g.tangentOrZero)
        }
        return Dual(Dual.primal(memo, "tanhBackward") { y.tanhBackward(gp) }, tangent: t, memo: memo)
    }
}

extension Traced {
    public func tanh() -> Traced {
        let y = value.tanh()
        return .record(y, [self]) { g, _ in [y.tanhBackward(g)] }
    }
}
