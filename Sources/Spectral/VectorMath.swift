import CBLAS

// Float64 vector kernels through BLAS (plain Swift reductions do not vectorize).

@inline(__always) func dot(_ x: [Double], _ y: [Double]) -> Double {
    cblas_ddot(blasint(x.count), x, 1, y, 1)
}

@inline(__always) func norm(_ x: [Double]) -> Double { cblas_dnrm2(blasint(x.count), x, 1) }

/// `y += a x`.
@inline(__always) func axpy(_ a: Double, _ x: [Double], _ y: inout [Double]) {
    cblas_daxpy(blasint(x.count), a, x, 1, &y, 1)
}

/// `x *= a`.
@inline(__always) func scale(_ a: Double, _ x: inout [Double]) { cblas_dscal(blasint(x.count), a, &x, 1) }

/// `A v` for a row-major `n x n` matrix.
func symmetricMatrixVector(_ a: [Double], _ v: [Double], _ n: Int) -> [Double] {
    var out = [Double](repeating: 0, count: n)
    cblas_dgemv(CblasRowMajor, CblasNoTrans, blasint(n), blasint(n), 1, a, blasint(n), v, 1, 0, &out, 1)
    return out
}

/// The vectors of a Lanczos basis, stored as the rows of one contiguous `count x dimension` array,
/// so projections against all of them are two GEMV calls.
struct Basis {
    let dimension: Int
    private(set) var count = 0
    private var storage: [Double] = []

    init(dimension: Int, capacity: Int) {
        self.dimension = dimension
        storage.reserveCapacity(dimension * capacity)
    }

    mutating func append(_ v: [Double]) {
        storage.append(contentsOf: v)
        count += 1
    }

    func vector(_ i: Int) -> [Double] { Array(storage[(i * dimension)..<((i + 1) * dimension)]) }

    /// `w -= Q (Qᵀ w)` over all stored vectors: one classical Gram-Schmidt pass.
    func orthogonalize(_ w: inout [Double]) {
        guard count > 0 else { return }
        var h = [Double](repeating: 0, count: count)
        storage.withUnsafeBufferPointer { q in
            cblas_dgemv(CblasRowMajor, CblasNoTrans, blasint(count), blasint(dimension), 1, q.baseAddress, blasint(dimension),
                        w, 1, 0, &h, 1)
            cblas_dgemv(CblasRowMajor, CblasTrans, blasint(count), blasint(dimension), -1, q.baseAddress, blasint(dimension),
                        h, 1, 1, &w, 1)
        }
    }

    /// `sum_i c[i] q_i`: a linear combination of the stored vectors (Ritz vectors).
    func combination(_ c: [Double]) -> [Double] {
        precondition(c.count == count)
        var out = [Double](repeating: 0, count: dimension)
        storage.withUnsafeBufferPointer { q in
            cblas_dgemv(CblasRowMajor, CblasTrans, blasint(count), blasint(dimension), 1, q.baseAddress, blasint(dimension),
                        c, 1, 0, &out, 1)
        }
        return out
    }
}
