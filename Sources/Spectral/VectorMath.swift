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
///
/// Reorthogonalization streams the whole basis through memory twice per step, which dominates
/// Lanczos's own cost for large n. When the operator itself is only single-precision (a Float32
/// model's Hessian-vector products, relative error ~1e-6), the basis is stored in Float32: half
/// the memory traffic, and orthogonality to ~1e-7, below the operator's own noise.
struct Basis {
    let dimension: Int
    let singlePrecision: Bool
    private(set) var count = 0
    private var double: [Double] = []
    private var single: [Float] = []

    init(dimension: Int, capacity: Int, singlePrecision: Bool = false) {
        self.dimension = dimension
        self.singlePrecision = singlePrecision
        if singlePrecision { single.reserveCapacity(dimension * capacity) } else { double.reserveCapacity(dimension * capacity) }
    }

    mutating func append(_ v: [Double]) {
        if singlePrecision { single.append(contentsOf: v.lazy.map { Float($0) }) } else { double.append(contentsOf: v) }
        count += 1
    }

    func vector(_ i: Int) -> [Double] {
        let range = (i * dimension)..<((i + 1) * dimension)
        return singlePrecision ? single[range].map { Double($0) } : Array(double[range])
    }

    /// `w -= Q (Qᵀ w)` over all stored vectors: one classical Gram-Schmidt pass.
    func orthogonalize(_ w: inout [Double]) {
        guard count > 0 else { return }
        let (m, n) = (blasint(count), blasint(dimension))
        if singlePrecision {
            let wf = w.map { Float($0) }
            var h = [Float](repeating: 0, count: count), correction = [Float](repeating: 0, count: dimension)
            single.withUnsafeBufferPointer { q in
                cblas_sgemv(CblasRowMajor, CblasNoTrans, m, n, 1, q.baseAddress, n, wf, 1, 0, &h, 1)
                cblas_sgemv(CblasRowMajor, CblasTrans, m, n, 1, q.baseAddress, n, h, 1, 0, &correction, 1)
            }
            for i in 0..<dimension { w[i] -= Double(correction[i]) }
            return
        }
        var h = [Double](repeating: 0, count: count)
        double.withUnsafeBufferPointer { q in
            cblas_dgemv(CblasRowMajor, CblasNoTrans, m, n, 1, q.baseAddress, n, w, 1, 0, &h, 1)
            cblas_dgemv(CblasRowMajor, CblasTrans, m, n, -1, q.baseAddress, n, h, 1, 1, &w, 1)
        }
    }

    /// `sum_i c[i] q_i`: a linear combination of the stored vectors (Ritz vectors).
    func combination(_ c: [Double]) -> [Double] {
        precondition(c.count == count)
        let (m, n) = (blasint(count), blasint(dimension))
        if singlePrecision {
            let cf = c.map { Float($0) }
            var out = [Float](repeating: 0, count: dimension)
            single.withUnsafeBufferPointer { q in
                cblas_sgemv(CblasRowMajor, CblasTrans, m, n, 1, q.baseAddress, n, cf, 1, 0, &out, 1)
            }
            return out.map { Double($0) }
        }
        var out = [Double](repeating: 0, count: dimension)
        double.withUnsafeBufferPointer { q in
            cblas_dgemv(CblasRowMajor, CblasTrans, m, n, 1, q.baseAddress, n, c, 1, 0, &out, 1)
        }
        return out
    }
}
