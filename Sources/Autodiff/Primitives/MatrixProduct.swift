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

extension Dual {
    public func matmulSummedOverBatch(_ other: Dual, transposeSelf ta: Bool, transposeOther tb: Bool) -> Dual {
        let (a, b) = (primal, other.primal)
        var t: Tensor<T>? = tangent.map { $0.matmulSummedOverBatch(b, transposeSelf: ta, transposeOther: tb) }
        if let bt = other.tangent {
            let second = a.matmulSummedOverBatch(bt, transposeSelf: ta, transposeOther: tb)
            t = t.map { $0 + second } ?? second
        }
        let m = ta ? a.shape[2] : a.shape[1], n = tb ? b.shape[1] : b.shape[2]
        return Dual(shape: [m, n], deferred: { a.matmulSummedOverBatch(b, transposeSelf: ta, transposeOther: tb) }, tangent: t,
                    memo: Dual.memo(self, other), operation: "matmulSummed")
    }
}

extension Traced {
    public func matmul(_ other: Traced, transposeSelf ta: Bool, transposeOther tb: Bool) -> Traced {
        let (a, b) = (value, other.value)
        return .record(a.matmul(b, transposeSelf: ta, transposeOther: tb), [self, other]) { g, needs in
            // A matrix shared by a batched product gets the adjoints of the batch summed.
            let (sharedA, sharedB) = (a.shape.count == 2 && g.shape.count == 3, b.shape.count == 2 && g.shape.count == 3)
            let adjA: V? = !needs[0] ? nil
                : ta ? b.product(g, tb, true, summed: sharedA)
                : g.product(b, false, !tb, summed: sharedA)
            let adjB: V? = !needs[1] ? nil
                : tb ? g.product(a, true, ta, summed: sharedB)
                : a.product(g, !ta, false, summed: sharedB)
            return [adjA, adjB]
        }
    }

    public func matmulSummedOverBatch(_ other: Traced, transposeSelf ta: Bool, transposeOther tb: Bool) -> Traced {
        // C = Σ_i op(A_i) op(B_i): each A_i's and B_i's adjoint is a batched product with the shared G.
        let (a, b) = (value, other.value)
        return .record(a.matmulSummedOverBatch(b, transposeSelf: ta, transposeOther: tb), [self, other]) { g, needs in
            [!needs[0] ? nil : ta ? b.matmul(g, transposeSelf: tb, transposeOther: true) : g.matmul(b, transposeSelf: false, transposeOther: !tb),
             !needs[1] ? nil : tb ? g.matmul(a, transposeSelf: true, transposeOther: ta) : a.matmul(g, transposeSelf: !ta, transposeOther: false)]
        }
    }
}

extension TensorOps {
    /// `op(self) op(other)`, summed over the batch when `summed` (both operands batched).
    func product(_ other: Self, _ ta: Bool, _ tb: Bool, summed: Bool) -> Self {
        summed ? matmulSummedOverBatch(other, transposeSelf: ta, transposeOther: tb) : matmul(other, transposeSelf: ta, transposeOther: tb)
    }
}
