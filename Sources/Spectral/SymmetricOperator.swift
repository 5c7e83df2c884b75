/// A symmetric linear operator `A` on R^n, seen only through `v -> A v`.
///
/// Everything in this module (Lanczos, densities, traces) works on this abstraction, so it is
/// tested on plain matrices and used on network Hessians alike. `apply` receives a vector of
/// `dimension` Float64 values and must return `A v` of the same length; it is assumed symmetric
/// (`u . A v == v . A u`), which the algorithms rely on and do not check.
public struct SymmetricOperator {
    public let dimension: Int
    public let apply: ([Double]) -> [Double]
    /// Relative rounding level of `apply` (|computed - exact| / (|A| |v|)): Float64 arithmetic by
    /// default; about 1e-7 for a Float32 model's Hessian-vector products. Partial
    /// reorthogonalization models the loss of orthogonality from this level.
    public let precision: Double

    public init(dimension: Int, precision: Double = Double.ulpOfOne, apply: @escaping ([Double]) -> [Double]) {
        precondition(dimension > 0, "SymmetricOperator: dimension must be positive")
        precondition(precision > 0 && precision < 1, "SymmetricOperator: precision must be in (0, 1)")
        self.dimension = dimension
        self.precision = precision
        self.apply = apply
    }

    /// A dense symmetric matrix stored row-major (`n x n`).
    public static func dense(_ matrix: [Double], dimension n: Int) -> SymmetricOperator {
        precondition(matrix.count == n * n, "SymmetricOperator.dense: \(matrix.count) entries for n = \(n)")
        return SymmetricOperator(dimension: n) { v in symmetricMatrixVector(matrix, v, n) }
    }

    /// `diag(d)`.
    public static func diagonal(_ d: [Double]) -> SymmetricOperator {
        SymmetricOperator(dimension: d.count) { v in zip(d, v).map { $0 * $1 } }
    }

    /// `scale * A + shift * I`.
    public func affine(scale: Double, shift: Double) -> SymmetricOperator {
        SymmetricOperator(dimension: dimension, precision: precision) { v in
            var out = self.apply(v)
            for i in out.indices { out[i] = scale * out[i] + shift * v[i] }
            return out
        }
    }

    /// `D^-1/2 A D^-1/2` for a positive diagonal `D` (Adam's preconditioner `sqrt(v_hat) + eps`).
    ///
    /// Same eigenvalues as `D^-1 A`, whose largest governs Adam's stability (threshold
    /// `(2 + 2 beta1) / ((1 - beta1) lr)`); symmetric, so Lanczos applies.
    public func diagonallyPreconditioned(by d: [Double]) -> SymmetricOperator {
        precondition(d.count == dimension, "diagonallyPreconditioned: \(d.count) entries for dimension \(dimension)")
        precondition(d.allSatisfy { $0 > 0 && $0.isFinite }, "diagonallyPreconditioned: the diagonal must be positive and finite")
        let s = d.map { 1 / $0.squareRoot() }
        return SymmetricOperator(dimension: dimension, precision: precision) { v in
            var out = self.apply(zip(s, v).map { $0 * $1 })
            for i in out.indices { out[i] *= s[i] }
            return out
        }
    }

    /// The principal submatrix `A_bb` on the coordinates `ranges` (ascending, disjoint): `v_b ->
    /// (A [v_b; 0])_b`, one application of `A` per product. For a Hessian, the curvature of the
    /// loss when only those parameters move; its eigenvalues interlace with `A`'s, so its largest is
    /// at most `A`'s.
    public func principalSubmatrix(_ ranges: [Range<Int>]) -> SymmetricOperator {
        let size = ranges.reduce(0) { $0 + $1.count }
        precondition(size > 0 && ranges.allSatisfy { $0.lowerBound >= 0 && $0.upperBound <= dimension },
                     "principalSubmatrix: ranges \(ranges) outside 0..<\(dimension)")
        return SymmetricOperator(dimension: size, precision: precision) { v in
            var full = [Double](repeating: 0, count: self.dimension)
            var k = 0
            for r in ranges { for i in r { full[i] = v[k]; k += 1 } }
            let product = self.apply(full)
            var out = [Double]()
            out.reserveCapacity(size)
            for r in ranges { out.append(contentsOf: product[r]) }
            return out
        }
    }

    /// The operator formed densely, column by column (`n` applications): for tests and small models.
    public func denseMatrix() -> [Double] {
        let n = dimension
        var m = [Double](repeating: 0, count: n * n)
        var e = [Double](repeating: 0, count: n)
        for j in 0..<n {
            e[j] = 1
            let column = apply(e)
            for i in 0..<n { m[i * n + j] = column[i] }
            e[j] = 0
        }
        return m
    }
}
