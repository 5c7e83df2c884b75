import Tensor

// C = op(A) op(B), where op transposes when asked; matrices or batches of them (a rank-2 operand
// shared by the batch: Tensor+MatrixProduct.swift).
// JVP: C' = op(A') op(B) + op(A) op(B').
// VJP: adj op(A) = G op(B)ᵀ, adj op(B) = op(A)ᵀ G (transposed back when A or B entered transposed);
// a shared operand's adjoint is summed over the batch (the adjoint of sharing is the sum).

extension Dual {
    public func matmul(_ other: Dual, transposeSelf ta: Bool, transposeOther tb: Bool) -> Dual {
        let (a, b) = (primal, other.primal)
        var t: Tensor<T>? = tangent.map { $0.matmul(b, transposeSelf: ta, transposeOther: tb) }
        if let bt = other.tangent {
            if t == nil { t = a.matmul(bt, transposeSelf: ta, transposeOther: tb) }
            else { t!.accumulateProduct(a, bt, transposeA: ta, transposeB: tb) }
        }
        return Dual(shape: Tensor<T>.productResultShape(a, b, ta, tb), deferred: { a.matmul(b, transposeSelf: ta, transposeOther: tb) }, tangent: t,
                    memo: Dual.memo(self, other), operation: "matmul")
    }
}

extension Traced {
    public func matmul(_ other: Traced, transposeSelf ta: Bool, transposeOther tb: Bool) -> Traced {
        let (a, b) = (value, other.value)
        return .record(a.matmul(b, transposeSelf: ta, transposeOther: tb), [self, other]) { g, needs in
            let adjA: V? = !needs[0] ? nil
                : ta ? b.matmul(g, transposeSelf: tb, transposeOther: true)
                : g.matmul(b, transposeSelf: false, transposeOther: !tb)
            let adjB: V? = !needs[1] ? nil
                : tb ? g.matmul(a, transposeSelf: true, transposeOther: ta)
                : a.matmul(g, transposeSelf: !ta, transposeOther: false)
            return [adjA.map { $0.summedOverBatch(to: a.shape) }, adjB.map { $0.summedOverBatch(to: b.shape) }]
        }
    }
}

extension TensorOps {
    /// A batched adjoint `[batch, r, c]` summed over the batch when the operand it belongs to was a
    /// shared `[r, c]` matrix; unchanged otherwise.
    func summedOverBatch(to operandShape: [Int]) -> Self {
        shape.count == 3 && operandShape.count == 2 ? summed(alongAxes: [0]).reshaped(operandShape) : self
    }
}
