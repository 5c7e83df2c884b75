import Tensor

// Y = X + 1 bᵀ (a [cols] vector added to every row of a [rows, cols] matrix), and its adjoint
// b̄ = column sums of Ȳ.
// JVP: Y' = X' + 1 b'ᵀ; columnSums is linear: (columnSums X)' = columnSums X'.

extension Dual {
    public func addingRowVector(_ b: Dual) -> Dual {
        let t: Tensor<T>?
        switch (tangent, b.tangent) {
        case let (xt?, bt?): t = xt.addingRowVector(bt)
        case let (xt?, nil): t = xt
        case let (nil, bt?): t = Tensor(zeros: shape).addingRowVector(bt)
        case (nil, nil): t = nil
        }
        let memo = Dual.memo(self, b)
        return Dual(Dual.primal(memo, "addingRowVector") { primal.addingRowVector(b.primal) }, tangent: t, memo: memo)
    }

    public func columnSums() -> Dual {
        Dual(Dual.primal(memo, "columnSums") { primal.columnSums() }, tangent: tangent?.columnSums(), memo: memo)
    }
}

extension Traced {
    public func addingRowVector(_ b: Traced) -> Traced {
        .record(value.addingRowVector(b.value), [self, b]) { g, needs in
            [needs[0] ? g : nil, needs[1] ? g.columnSums() : nil]
        }
    }
}
