import CBLAS
import Tensor

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

/// `w -= a q + b p`, in one pass; returns `|w|²` after the update (the Lanczos three-term
/// recurrence fused with the norm it needs next).
func subtractRecurrence(_ w: inout [Double], _ a: Double, _ q: [Double], _ b: Double, _ p: [Double]) -> Double {
    precondition(q.count == w.count && p.count == w.count)
    let n = w.count
    return w.withUnsafeMutableBufferPointer { wb in
        q.withUnsafeBufferPointer { qb in
            p.withUnsafeBufferPointer { pb in
                let (w, q, p) = (wb.baseAddress!, qb.baseAddress!, pb.baseAddress!)
                let (av, bv) = (SIMD4<Double>(repeating: a), SIMD4<Double>(repeating: b))
                var acc = (SIMD4<Double>.zero, SIMD4<Double>.zero)
                var i = 0
                while i + 8 <= n {
                    let x0 = load4(w + i) - av * load4(q + i) - bv * load4(p + i)
                    let x1 = load4(w + i + 4) - av * load4(q + i + 4) - bv * load4(p + i + 4)
                    store4(x0, w + i); store4(x1, w + i + 4)
                    acc.0 += x0 * x0; acc.1 += x1 * x1
                    i += 8
                }
                var s = (acc.0 + acc.1).sum()
                while i < n { w[i] -= a * q[i] + b * p[i]; s += w[i] * w[i]; i += 1 }
                return s
            }
        }
    }
}

/// `w -= c` for a Float32 correction `c`; returns `|w|²` after the update.
func subtract(_ c: [Float], from w: inout [Double]) -> Double {
    precondition(c.count == w.count)
    let n = w.count
    return w.withUnsafeMutableBufferPointer { wb in
        c.withUnsafeBufferPointer { cb in
            let (w, c) = (wb.baseAddress!, cb.baseAddress!)
            var acc = SIMD4<Double>.zero
            var i = 0
            while i + 4 <= n {
                let cf = UnsafeRawPointer(c + i).loadUnaligned(as: SIMD4<Float>.self)
                let x = load4(w + i) - SIMD4<Double>(cf)
                store4(x, w + i)
                acc += x * x
                i += 4
            }
            var s = acc.sum()
            while i < n { w[i] -= Double(c[i]); s += w[i] * w[i]; i += 1 }
            return s
        }
    }
}

@inline(__always) private func load4(_ p: UnsafePointer<Double>) -> SIMD4<Double> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Double>.self)
}
@inline(__always) private func load4(_ p: UnsafeMutablePointer<Double>) -> SIMD4<Double> { load4(UnsafePointer(p)) }
@inline(__always) private func store4(_ x: SIMD4<Double>, _ p: UnsafeMutablePointer<Double>) {
    UnsafeMutableRawPointer(p).storeBytes(of: x, as: SIMD4<Double>.self)
}

/// The vectors of a Lanczos basis, stored as the rows of one contiguous `count x dimension` array,
/// so projections against all of them are two GEMV calls.
///
/// Reorthogonalization streams the whole basis through memory twice per step, which dominates
/// Lanczos's own cost for large n (memory-bound: ~30 GB/s here, so 80 vectors of n = 670k in
/// Float32 cost ~14 ms a step). When the operator itself is only single-precision (a Float32
/// model's Hessian-vector products, relative error ~1e-6), the basis is stored in Float32: half
/// the memory traffic, and orthogonality to ~1e-7, below the operator's own noise. Scratch
/// buffers are kept between calls so a step allocates nothing.
struct Basis {
    let dimension: Int
    let singlePrecision: Bool
    private(set) var count = 0
    private var double: [Double] = []
    private var single: [Float] = []
    private var scratchVector: [Float] = []       // w in Float32, then the correction Q h
    private var scratchCoefficients: [Float] = [] // h = Qᵀ w

    init(dimension: Int, capacity: Int, singlePrecision: Bool = false) {
        self.dimension = dimension
        self.singlePrecision = singlePrecision
        if singlePrecision { single.reserveCapacity(dimension * capacity) } else { double.reserveCapacity(dimension * capacity) }
    }

    /// Forgets the vectors, keeping the storage (and room for `capacity` vectors).
    mutating func removeAll(reservingCapacity capacity: Int) {
        single.removeAll(keepingCapacity: true)
        double.removeAll(keepingCapacity: true)
        if singlePrecision { single.reserveCapacity(dimension * capacity) } else { double.reserveCapacity(dimension * capacity) }
        count = 0
    }

    mutating func append(_ v: [Double]) {
        precondition(v.count == dimension)
        if singlePrecision {
            let offset = single.count
            single.append(contentsOf: repeatElement(0, count: dimension))
            single.withUnsafeMutableBufferPointer { s in
                v.withUnsafeBufferPointer { Float.convert(fromDouble: $0.baseAddress!, s.baseAddress! + offset, dimension) }
            }
        } else {
            double.append(contentsOf: v)
        }
        count += 1
    }

    func vector(_ i: Int) -> [Double] {
        let range = (i * dimension)..<((i + 1) * dimension)
        return singlePrecision ? single[range].map { Double($0) } : Array(double[range])
    }

    /// `w -= Q (Qᵀ w)` over all stored vectors: one classical Gram-Schmidt pass. Returns `|w|²`
    /// afterwards.
    @discardableResult
    mutating func orthogonalize(_ w: inout [Double]) -> Double {
        guard count > 0 else { return dot(w, w) }
        let (m, n) = (blasint(count), blasint(dimension))
        if singlePrecision {
            if scratchVector.count != dimension { scratchVector = [Float](repeating: 0, count: dimension) }
            if scratchCoefficients.count < count { scratchCoefficients = [Float](repeating: 0, count: max(count, 2 * scratchCoefficients.count)) }
            w.withUnsafeBufferPointer { wb in scratchVector.withUnsafeMutableBufferPointer { Float.convert(fromDouble: wb.baseAddress!, $0.baseAddress!, dimension) } }
            single.withUnsafeBufferPointer { q in
                cblas_sgemv(CblasRowMajor, CblasNoTrans, m, n, 1, q.baseAddress, n, scratchVector, 1, 0, &scratchCoefficients, 1)
                cblas_sgemv(CblasRowMajor, CblasTrans, m, n, 1, q.baseAddress, n, scratchCoefficients, 1, 0, &scratchVector, 1)
            }
            return subtract(scratchVector, from: &w)
        }
        var h = [Double](repeating: 0, count: count)
        double.withUnsafeBufferPointer { q in
            cblas_dgemv(CblasRowMajor, CblasNoTrans, m, n, 1, q.baseAddress, n, w, 1, 0, &h, 1)
            cblas_dgemv(CblasRowMajor, CblasTrans, m, n, -1, q.baseAddress, n, h, 1, 1, &w, 1)
        }
        return dot(w, w)
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
