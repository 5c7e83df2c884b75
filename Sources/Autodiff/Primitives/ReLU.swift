import Tensor

// y = max(x, 0);  y' = [x > 0] x';  x̄ = [x > 0] ȳ (reluBackward, with x saved).
// reluBackward is linear in g with a mask whose derivative is zero almost everywhere:
// its JVP is [x > 0] g'.

extension Dual {
    public func relu() -> Dual {
        let x = primal
        return Dual(Dual.primal(memo, "relu") { x.relu() }, tangent: tangent.map { x.reluBackward($0) }, memo: memo)
    }

    public func reluBackward(_ g: Dual) -> Dual {
        let x = primal
        let memo = Dual.memo(self, g)
        return Dual(Dual.primal(memo, "reluBackward") { x.reluBackward(g.primal) },
                    tangent: g.tangent.map { x.reluBackward($0) }, memo: memo)
    }
}

extension Traced {
    public func relu() -> Traced {
        let x = value
        return .record(x.relu(), [self]) { g, _ in [x.reluBackward(g)] }
    }
}
