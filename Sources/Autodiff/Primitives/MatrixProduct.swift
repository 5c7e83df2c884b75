import Tensor

// C = op(A) op(B), where op transposes when asked.
// JVP: C' = op(A') op(B) + op(A) op(B').
// VJP: adj op(A) = G op(B)ᵀ, adj op(B) = op(A)ᵀ G (transposed back when A or B entered transposed).

extension Dual {
    public func matmul(_ other: Dual, transposeSelf ta: Bool, transposeOther tb: Bool) -> Dual {
        let (a, b) = (primal, other.primal)
        var t: Tensor<T>? = tangent.map { $0.matmul(b, transposeSelf: ta, transposeOther: tb) }
        if let bt = other.tangent {
            if t == nil { t = a.matmul(bt, transposeSelf: ta, transposeOther: tb) }
            else { t!.accumulateProduct(a, bt, transposeA: ta, transposeB: tb) }
        }
        let (m, _, n) = Tensor<T>.productShape(a, b, ta, tb)
        return Dual(shape: [m, n], deferred: { a.matmul(b, transposeSelf: ta, transposeOther: tb) }, tangent: t,
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
            return [adjA, adjB]
        }
    }
}
