/// Matrix products through BLAS GEMM, single or batched.
///
/// Batched products take rank-3 operands `[batch, rows, cols]`: matrix b of the result is the
/// product of matrix b of each operand; a rank-2 operand is shared by every matrix of the batch
/// (NumPy's `matmul` broadcasting, for one batch axis). `op` transposes each matrix, not the batch.
extension Tensor {
    /// `op(self) * op(other)`, where `op` transposes when asked.
    ///
    /// Shapes: `op(self)` is `[m, k]` (or `[batch, m, k]`), `op(other)` is `[k, n]` (or
    /// `[batch, k, n]`), the result `[m, n]` (or `[batch, m, n]`).
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        let shape = Tensor.productResultShape(self, other, transposeSelf, transposeOther)
        var out = Tensor(shape: shape) { _, _ in }
        out.accumulateProduct(self, other, transposeA: transposeSelf, transposeB: transposeOther, beta: 0)
        return out
    }

    /// `Σ_i op(self[i]) * op(other[i])` over the batch of two `[batch, ., .]` tensors: the
    /// adjoint of a matrix shared by a batched product, accumulated in one `[m, n]` matrix by
    /// successive GEMMs (no `[batch, m, n]` intermediate).
    public func matmulSummedOverBatch(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        precondition(rank == 3 && other.rank == 3 && shape[0] == other.shape[0],
                     "matmulSummedOverBatch: needs two batches of equal size, got \(shape) and \(other.shape)")
        let (batch, m, k, n) = Tensor.batchedProductShape(self, other, transposeSelf, transposeOther)
        var out = Tensor(zeros: [m, n])
        guard m > 0, n > 0, k > 0 else { return out }
        let (lda, ldb) = (shape[2], other.shape[2])
        scalars.withUnsafeBufferPointer { ap in
            other.scalars.withUnsafeBufferPointer { bp in
                out.scalars.withUnsafeMutableBufferPointer { cp in
                    for i in 0..<batch! {
                        T.gemm(transA: transposeSelf, transB: transposeOther, m: m, n: n, k: k, alpha: 1,
                               a: ap.baseAddress! + i * m * k, lda: lda, b: bp.baseAddress! + i * k * n, ldb: ldb,
                               beta: i == 0 ? 0 : 1, c: cp.baseAddress!, ldc: n)
                    }
                }
            }
        }
        return out
    }

    /// The shape of `op(a) * op(b)`: `[m, n]` for matrices, `[batch, m, n]` when either is rank 3.
    public static func productResultShape(_ a: Tensor, _ b: Tensor, _ ta: Bool, _ tb: Bool) -> [Int] {
        let (batch, m, _, n) = batchedProductShape(a, b, ta, tb)
        return batch.map { [$0, m, n] } ?? [m, n]
    }

    /// `(batch, m, k, n)` of `op(a) * op(b)`, batch nil for two matrices; traps with both shapes
    /// when the inner dimensions or the batch sizes differ.
    static func batchedProductShape(_ a: Tensor, _ b: Tensor, _ ta: Bool, _ tb: Bool) -> (batch: Int?, m: Int, k: Int, n: Int) {
        precondition((a.rank == 2 || a.rank == 3) && (b.rank == 2 || b.rank == 3),
                     "matmul: needs matrices or batches of matrices, got shapes \(a.shape) and \(b.shape)")
        let (ar, br) = (a.shape.suffix(2).map { $0 }, b.shape.suffix(2).map { $0 })
        let (m, k) = ta ? (ar[1], ar[0]) : (ar[0], ar[1])
        let (k2, n) = tb ? (br[1], br[0]) : (br[0], br[1])
        precondition(k == k2, "matmul: inner dimensions differ: \(a.shape)\(ta ? "ᵀ" : "") x \(b.shape)\(tb ? "ᵀ" : "")")
        let batch = a.rank == 3 ? a.shape[0] : b.rank == 3 ? b.shape[0] : nil
        precondition(a.rank == 2 || b.rank == 2 || a.shape[0] == b.shape[0], "matmul: batch sizes differ: \(a.shape) and \(b.shape)")
        return (batch, m, k, n)
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

    /// `self = alpha * op(a) * op(b) + beta * self`, writing into this matrix's (or batch's) storage.
    public mutating func accumulateProduct(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false,
                                           alpha: T = 1, beta: T = 1) {
        let (batch, m, k, n) = Tensor.batchedProductShape(a, b, transposeA, transposeB)
        let target = batch.map { [$0, m, n] } ?? [m, n]
        precondition(shape == target, "Tensor.accumulateProduct: target \(shape) but product is \(target)")
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            if beta != 1 { self = beta == 0 ? Tensor(zeros: shape) : beta * self }
            return
        }
        let (lda, ldb) = (a.shape[a.rank - 1], b.shape[b.rank - 1])
        // Offsets between the matrices of a batch: 0 for a shared (rank-2) operand.
        let (strideA, strideB) = (a.rank == 3 ? m * k : 0, b.rank == 3 ? k * n : 0)
        a.scalars.withUnsafeBufferPointer { ap in
            b.scalars.withUnsafeBufferPointer { bp in
                scalars.withUnsafeMutableBufferPointer { cp in
                    for i in 0..<(batch ?? 1) {
                        T.gemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k, alpha: alpha,
                               a: ap.baseAddress! + i * strideA, lda: lda, b: bp.baseAddress! + i * strideB, ldb: ldb,
                               beta: beta, c: cp.baseAddress! + i * m * n, ldc: n)
                    }
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
