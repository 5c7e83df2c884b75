import CLAPACKE

/// A symmetric tridiagonal matrix: `alpha` on the diagonal (length m), `beta` beside it (m - 1).
/// Lanczos produces one per probe; a density is rebuilt from these alone, with no new matvecs.
public struct Tridiagonal: Equatable, Sendable {
    public let alpha: [Double]
    public let beta: [Double]

    public init(alpha: [Double], beta: [Double]) {
        precondition(beta.count == max(alpha.count - 1, 0), "Tridiagonal: \(alpha.count) diagonal and \(beta.count) off-diagonal entries")
        self.alpha = alpha
        self.beta = beta
    }

    public var size: Int { alpha.count }

    /// Eigenvalues (ascending) and eigenvectors by LAPACK `dstevd`.
    ///
    /// `vectors[i][k]` is component k of the eigenvector for `values[i]`. Accuracy: backward stable,
    /// eigenvalues to a few ulp of `|T|`.
    public func eigendecomposition() throws -> (values: [Double], vectors: [[Double]]) {
        let m = size
        guard m > 0 else { return ([], []) }
        var d = alpha, e = beta + [0]
        var z = [Double](repeating: 0, count: m * m)
        let info = LAPACKE_dstevd(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "V")), curv_lapack_int(m), &d, &e, &z, curv_lapack_int(m))
        guard info == 0 else { throw SpectralError.lapack(routine: "dstevd", info: Int(info)) }
        let vectors = (0..<m).map { i in Array(z[(i * m)..<((i + 1) * m)]) }
        return (d, vectors)
    }

    /// Eigenvalues only (ascending), by LAPACK `dstev`.
    public func eigenvalues() throws -> [Double] {
        let m = size
        guard m > 0 else { return [] }
        var d = alpha, e = beta + [0]
        var z = [Double](repeating: 0, count: 1)
        let info = LAPACKE_dstev(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "N")), curv_lapack_int(m), &d, &e, &z, 1)
        guard info == 0 else { throw SpectralError.lapack(routine: "dstev", info: Int(info)) }
        return d
    }

    /// Gauss quadrature for the spectral measure seen from the (unit) start vector q:
    /// `sum_i weights[i] f(nodes[i]) ≈ qᵀ f(A) q`, exact for polynomials of degree <= 2m - 1.
    /// Nodes are the Ritz values; weights the squared FIRST components of T's eigenvectors (sum 1).
    public func gaussQuadrature() throws -> (nodes: [Double], weights: [Double]) {
        let (values, vectors) = try eigendecomposition()
        return (values, vectors.map { $0[0] * $0[0] })
    }
}

/// Eigenvalues (ascending) of a dense symmetric row-major `n x n` matrix, by LAPACK `dsyevd`: the
/// independent reference the tests hold Lanczos to.
public func denseSymmetricEigenvalues(_ matrix: [Double], dimension n: Int) throws -> [Double] {
    precondition(matrix.count == n * n)
    var a = matrix, w = [Double](repeating: 0, count: n)
    let info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "N")), Int8(UInt8(ascii: "U")), curv_lapack_int(n), &a,
                              curv_lapack_int(n), &w)
    guard info == 0 else { throw SpectralError.lapack(routine: "dsyevd", info: Int(info)) }
    return w
}

/// Eigenvalues (ascending) and eigenvectors of a dense symmetric row-major `n x n` matrix, by
/// LAPACK `dsyevd`: `vectors[i]` is the unit eigenvector of `values[i]`. Backward stable.
public func symmetricEigendecomposition(_ matrix: [Double], dimension n: Int) throws -> (values: [Double], vectors: [[Double]]) {
    precondition(matrix.count == n * n)
    guard n > 0 else { return ([], []) }
    var a = matrix, w = [Double](repeating: 0, count: n)
    let info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "V")), Int8(UInt8(ascii: "U")), curv_lapack_int(n), &a,
                              curv_lapack_int(n), &w)
    guard info == 0 else { throw SpectralError.lapack(routine: "dsyevd", info: Int(info)) }
    // Row-major: eigenvector j is column j, a[i * n + j].
    let vectors = (0..<n).map { j in (0..<n).map { i in a[i * n + j] } }
    return (w, vectors)
}
