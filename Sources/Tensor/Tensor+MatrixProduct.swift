/// Matrix products through BLAS GEMM.
extension Tensor {
    /// `op(self) * op(other)` for matrices, where `op` transposes when asked.
    ///
    /// Shapes: `op(self)` is `[m, k]`, `op(other)` is `[k, n]`, the result `[m, n]`.
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        let (m, k, n) = Tensor.productShape(self, other, transposeSelf, transposeOther)
        var out = Tensor(shape: [m, n]) { _, _ in }
        if k == 0 { return Tensor(zeros: [m, n]) }
        out.accumulateProduct(self, other, transposeA: transposeSelf, transposeB: transposeOther, beta: 0)
        return out
    }

    /// `self * other + 1 biasᵀ`: the product with the vector `bias` (`[n]`) added to every row,
    /// in one GEMM (beta = 1 on rows that start as the bias), with no separate pass over the result
    /// and no zeroing pass inside BLAS. Equals `matmul(other).addingRowVector(bias)` up to rounding:
    /// the bias enters the GEMM's sum first (bit for bit the same when BLAS takes the inner
    /// dimension in one block, as it does for a few hundred).
    public func matmul(_ other: Tensor, addingRowVector bias: Tensor) -> Tensor {
        let (m, k, n) = Tensor.productShape(self, other, false, false)
        precondition(bias.shape == [n], "matmul(_:addingRowVector:): product has \(n) columns, bias shape \(bias.shape)")
        var out = Tensor(rows: m, repeating: bias)
        if k > 0 { out.accumulateProduct(self, other, beta: 1) }
        return out
    }

    /// A `[rows, n]` matrix whose every row is the vector `row` (`[n]`).
    public init(rows: Int, repeating row: Tensor) {
        precondition(row.rank == 1, "Tensor(rows:repeating:): needs a vector, got shape \(row.shape)")
        let n = row.count
        self = row.scalars.withUnsafeBufferPointer { b in
            Tensor(shape: [rows, n]) { out, _ in
                for r in 0..<rows { (out + r * n).initialize(from: b.baseAddress!, count: n) }
            }
        }
    }

    /// `self = alpha * op(a) * op(b) + beta * self`, writing into this matrix's storage.
    public mutating func accumulateProduct(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false,
                                           alpha: T = 1, beta: T = 1) {
        let (m, k, n) = Tensor.productShape(a, b, transposeA, transposeB)
        precondition(shape == [m, n], "Tensor.accumulateProduct: target \(shape) but product is [\(m), \(n)]")
        guard m > 0, n > 0, k > 0 else { return }
        a.scalars.withUnsafeBufferPointer { ap in
            b.scalars.withUnsafeBufferPointer { bp in
                scalars.withUnsafeMutableBufferPointer { cp in
                    T.gemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k, alpha: alpha,
                           a: ap.baseAddress!, lda: a.shape[1], b: bp.baseAddress!, ldb: b.shape[1],
                           beta: beta, c: cp.baseAddress!, ldc: n)
                }
            }
        }
    }

    /// `(m, k, n)` of `op(a) * op(b)`; traps with both shapes when the inner dimensions differ.
    public static func productShape(_ a: Tensor, _ b: Tensor, _ ta: Bool, _ tb: Bool) -> (m: Int, k: Int, n: Int) {
        precondition(a.rank == 2 && b.rank == 2, "matmul: needs matrices, got shapes \(a.shape) and \(b.shape)")
        let (m, k) = ta ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let (k2, n) = tb ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        precondition(k == k2, "matmul: inner dimensions differ: \(a.shape)\(ta ? "ᵀ" : "") x \(b.shape)\(tb ? "ᵀ" : "")")
        return (m, k, n)
    }
}
