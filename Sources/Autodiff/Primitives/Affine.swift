import Tensor

// Y = X W + 1 bᵀ: a matrix product and a row vector added to every row, fused so the product is
// written once (Tensor.matmul(_:addingRowVector:)). Its rules are those of the composition
// (MatrixProduct.swift, RowVectorSum.swift), in the same differentiable operations:
// JVP: Y' = X' W + X W' + 1 b'ᵀ, accumulated into one matrix.
// VJP: X̄ = Ȳ Wᵀ, W̄ = Xᵀ Ȳ, b̄ = column sums of Ȳ.

extension Dual {
    public func matmul(_ w: Dual, addingRowVector b: Dual) -> Dual {
        let (x, wp) = (primal, w.primal)
        let (m, _, n) = Tensor<T>.productShape(x, wp, false, false)
        var t: Tensor<T>? = nil
        if let xt = tangent { t = b.tangent.map { xt.matmul(wp, addingRowVector: $0) } ?? xt.matmul(wp) }
        if let wt = w.tangent {
            if t == nil { t = b.tangent.map { x.matmul(wt, addingRowVector: $0) } ?? x.matmul(wt) }
            else { t!.accumulateProduct(x, wt) }
        }
        if t == nil, let bt = b.tangent { t = Tensor(rows: m, repeating: bt) }
        let bp = b.primal
        return Dual(shape: [m, n], deferred: { x.matmul(wp, addingRowVector: bp) }, tangent: t,
                    memo: Dual.memo(self, w, b), operation: "affine")
    }
}

extension Traced {
    public func matmul(_ w: Traced, addingRowVector b: Traced) -> Traced {
        let (x, wv) = (value, w.value)
        return .record(x.matmul(wv, addingRowVector: b.value), [self, w, b]) { g, needs in
            [needs[0] ? g.matmul(wv, transposeSelf: false, transposeOther: true) : nil,
             needs[1] ? x.matmul(g, transposeSelf: true, transposeOther: false) : nil,
             needs[2] ? g.columnSums() : nil]
        }
    }
}
