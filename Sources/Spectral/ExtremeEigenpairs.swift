import CBLAS
import Tensor

/// An eigenvalue estimate, its accuracy, and whether it met the requested tolerance.
public struct RitzPair: Sendable {
    /// The Ritz value θ (a Rayleigh quotient of A).
    public let value: Double
    /// `‖A y − θ y‖` for the unit Ritz vector y, with `A y` computed by the operator itself (not a
    /// recurrence estimate): a rigorous bound on the distance from θ to the nearest eigenvalue
    /// of A, up to the operator's own rounding.
    public let residual: Double
    /// Whether the pair met the solve's stopping rule (see `EigenSettings.tolerance`).
    public let converged: Bool
    /// The unit Ritz vector y, when asked for.
    public let vector: [Double]?

    public init(value: Double, residual: Double, converged: Bool = true, vector: [Double]? = nil) {
        self.value = value
        self.residual = residual
        self.converged = converged
        self.vector = vector
    }
}

/// What an extreme-eigenvalue solve is after, and when a pair counts as found.
public struct EigenSettings: Sendable {
    /// How a top pair is judged converged.
    public enum TopRule: String, Sendable {
        /// `residual ≤ tolerance × ‖A‖`: a rigorous bound on the distance to an eigenvalue.
        case residual
        /// The Kato-Temple estimate of λ₁ − θ₁, `r₁² / (θ₁ − θ₂ − r₂)`, at most `tolerance × |θ₁|`
        /// (the residual rule when the gap is not resolved). Ritz values converge as the square
        /// of residuals, so this stops well before the residual rule: what tracking λ_max wants.
        case gap
    }

    /// Largest eigenvalues to report, descending (vectors are returned for these when asked).
    public var top = 1
    /// Smallest eigenvalues to report, ascending.
    public var bottom = 0
    /// How many of the reported top pairs must meet `tolerance` before the solve stops (default: all).
    public var convergeTop: Int? = nil
    /// The other reported top pairs must have residuals at most this fraction of ‖A‖ (nil: no
    /// requirement). Tracking uses it to keep the vectors it carries to the next measurement
    /// close to the top eigenvectors, so a swap or a direction rising through them is seen.
    public var companionTolerance: Double? = nil
    /// Expansion steps spent on the least converged of those other top pairs whatever their
    /// residuals (tracking: Krylov steps each measurement for the directions just below the top,
    /// which accumulates across measurements as the operator changes slowly).
    public var companionSteps = 0
    /// A pair is converged when its residual is at most `tolerance × ‖A‖`, with ‖A‖ estimated by
    /// the largest |Ritz value| seen (relative to λ₁ under `TopRule.gap`).
    public var tolerance = 1e-6
    public var topRule = TopRule.residual
    /// The most operator applications (a budget); pairs not converged by then are reported as such.
    public var maxProducts = 2000
    /// Stop early once the largest residual of the unconverged wanted pairs (relative to ‖A‖) has
    /// not halved over this many products (0: never): the operator's own rounding can hold every
    /// residual above the tolerance (a Float32 Hessian of a Transformer stays near 3e-3 ‖A‖), and
    /// the rest of the budget would change nothing. The pairs are then reported unconverged and
    /// `ExtremeEigenpairs.stalled` is set. In exact arithmetic residuals fall steadily, by far
    /// more than half over a few hundred products, unless the wanted eigenvalues are clustered
    /// tighter than the tolerance can resolve.
    public var stallProducts = 500
    /// Basis vectors kept before a thick restart (0: `max(40, 4 (top + bottom) + 8)`).
    public var maxBasis = 0
    /// Random start vectors added to the warm start. Two or more make a missed eigenvalue (one
    /// whose component in every start vector is small) unlikely, and resolve pairs of nearly
    /// equal eigenvalues that a single Krylov sequence cannot separate.
    public var randomVectors = 2
    public var seed: UInt64 = 0
    /// Return the Ritz vectors of the reported pairs.
    public var keepVectors = false
    /// Compute each reported residual with one fresh product `A y` (else from the products of the
    /// basis vectors, `Σ s_i (A v_i)`: the same quantity up to the operator's rounding, for free).
    public var freshResiduals = true

    public init(top: Int = 1, bottom: Int = 0, tolerance: Double = 1e-6) {
        self.top = top
        self.bottom = bottom
        self.tolerance = tolerance
    }
}

/// The extreme eigenpairs found by one solve.
public struct ExtremeEigenpairs: Sendable {
    /// Largest first.
    public let top: [RitzPair]
    /// Smallest first (the most negative curvature).
    public let bottom: [RitzPair]
    /// Operator applications spent, including the fresh residuals.
    public let products: Int
    /// Thick restarts made.
    public let restarts: Int
    /// The solve stopped because residuals stopped falling (`EigenSettings.stallProducts`).
    public var stalled = false
}

/// The `top` largest and `bottom` smallest eigenvalues of `op` by thick-restart block Lanczos
/// (Rayleigh-Ritz on a growing orthonormal basis V with the products A V kept), iterated until
/// every wanted pair meets `settings.tolerance` or the product budget is spent.
///
/// Each step adds the residuals `A y − θ y` of the unconverged wanted Ritz pairs to the basis
/// (from one start vector this is exactly the Lanczos recurrence, since then all Ritz residuals
/// are parallel); when the basis is full it restarts from the Ritz vectors nearest the wanted
/// ends, which keeps the convergence of an unrestarted run at bounded memory (`2 × maxBasis × n`
/// Float64). Full reorthogonalization (Gram-Schmidt twice) throughout.
///
/// - `warmStart`: vectors to start from (e.g. the previous measurement's top Ritz vectors), before
///   `settings.randomVectors` random ones.
/// - Guarantee: each reported residual bounds |θ − λ| for some eigenvalue λ. That λ is the k-th
///   extreme eigenvalue unless an eigenvector was missed by every start vector, which random
///   start vectors make improbable but cannot exclude; see docs/run-format.md.
/// Throws `SpectralError.nonFiniteProduct` when the operator returns NaN or Inf.
public func extremeEigenpairs(of op: SymmetricOperator, settings: EigenSettings, warmStart: [[Double]] = []) throws -> ExtremeEigenpairs {
    let n = op.dimension
    guard settings.top >= 0, settings.bottom >= 0, settings.top + settings.bottom >= 1 else {
        throw SpectralError.invalidArgument("extremeEigenpairs: ask for at least one eigenvalue (top \(settings.top), bottom \(settings.bottom))")
    }
    guard settings.tolerance > 0, settings.maxProducts >= 1 else {
        throw SpectralError.invalidArgument("extremeEigenpairs: tolerance \(settings.tolerance) and product budget \(settings.maxProducts) must be positive")
    }
    for v in warmStart where v.count != n {
        throw SpectralError.badStartVector("warm start of length \(v.count), operator dimension \(n)")
    }
    let maxBasis = min(n, settings.maxBasis > 0 ? settings.maxBasis : max(40, 4 * (settings.top + settings.bottom) + 8))
    var space = RitzSpace(dimension: n, capacity: maxBasis)
    var rng = SeededGenerator(seed: settings.seed)
    var products = 0, restarts = 0, companionStepsTaken = 0

    /// Orthonormalizes `block` against the basis and each other, applies the operator to the
    /// survivors and adds them. Returns how many were added.
    func expand(_ block: [[Double]]) throws -> Int {
        var added = 0
        for var v in block {
            let before = norm(v)
            guard before > 0, before.isFinite else { continue }
            space.orthogonalize(&v)
            let after = norm(v)
            // Nearly inside the span already: adds nothing but rounding.
            guard after > 1e-6 * before, space.count < maxBasis else { continue }
            scale(1 / after, &v)
            let w = op.apply(v)
            products += 1
            guard w.count == n else { throw SpectralError.invalidArgument("the operator returned \(w.count) values for dimension \(n)") }
            guard space.append(v, product: w) else { throw SpectralError.nonFiniteProduct(step: products, probe: 0) }
            added += 1
        }
        return added
    }
    func randomVector() -> [Double] { (0..<n).map { _ in rng.normal() } }

    let convergeTop = min(settings.convergeTop ?? settings.top, settings.top)
    var start = warmStart.filter { norm($0) > 0 }
    start += (0..<max(settings.randomVectors, start.isEmpty ? 1 : 0)).map { _ in randomVector() }
    _ = try expand(Array(start.prefix(maxBasis)))

    var ritz = try space.rayleighRitz()
    // The smallest "largest open residual / ‖A‖" seen, and the products spent when it was reached.
    var best = Double.infinity, bestAt = 0
    while true {
        let scaleA = max(abs(ritz.values.first!), abs(ritz.values.last!), Double.leastNormalMagnitude)
        let m = ritz.values.count
        let topIndices = (0..<min(settings.top, m)).map { m - 1 - $0 }
        let bottomIndices = (0..<min(settings.bottom, m)).map { $0 }
        let residuals = Dictionary(uniqueKeysWithValues: Set(topIndices + bottomIndices + (m >= 2 ? [m - 2] : [])).map { ($0, space.residualNorm(ritz, $0)) })
        func converged(_ i: Int) -> Bool {
            let r = residuals[i]!
            if settings.topRule == .gap && i == m - 1 {
                let theta = ritz.values[i]
                var estimate = r
                if m >= 2 {
                    // θ₂ + r₂ bounds λ₂ from above when θ₂'s eigenvalue is λ₂ (a tighter estimate
                    // from θ₃ misjudged the gap when the third direction is not resolved).
                    let gap = theta - ritz.values[m - 2] - residuals[m - 2]!
                    if gap > 0 { estimate = min(r, r * r / gap) }
                }
                return estimate <= settings.tolerance * max(abs(theta), Double.leastNormalMagnitude)
            }
            return r <= settings.tolerance * scaleA
        }
        let wanted = Array(topIndices.prefix(convergeTop)) + bottomIndices
        var open = wanted.filter { !converged($0) }
        let companions = Array(topIndices.dropFirst(convergeTop))
        if let loose = settings.companionTolerance {
            open += companions.filter { residuals[$0]! > loose * scaleA }
        }
        if companionStepsTaken < settings.companionSteps, let worst = companions.max(by: { residuals[$0]! < residuals[$1]! }) {
            companionStepsTaken += 1
            if !open.contains(worst) { open.append(worst) }
        }
        let exhausted = space.count >= n
        let worst = open.map { residuals[$0]! / scaleA }.max() ?? 0
        if worst < best / 2 { (best, bestAt) = (worst, products) }
        let stalled = !open.isEmpty && settings.stallProducts > 0 && products - bestAt >= settings.stallProducts
        if open.isEmpty || products >= settings.maxProducts || exhausted || stalled {
            var result = try finish(space: space, ritz: ritz, top: topIndices, bottom: bottomIndices, converged: converged,
                                    op: op, settings: settings, products: products, restarts: restarts, scaleA: scaleA)
            result.stalled = stalled
            return result
        }
        // The next block: residuals of the open pairs, worst first, within the budget.
        let room = settings.maxProducts - products
        var block = open.sorted { residuals[$0]! > residuals[$1]! }.prefix(max(1, min(room, settings.randomVectors))).map { space.residual(ritz, $0) }
        if space.count + block.count > maxBasis {
            let keep = restartIndices(count: m, top: settings.top, bottom: settings.bottom, keep: max(maxBasis / 2, settings.top + settings.bottom + 2))
            space.restart(ritz, keeping: keep)
            restarts += 1
        }
        if try expand(block) == 0 {
            // Residuals already in the span (rounding): a random direction keeps the search going.
            block = [randomVector()]
            if try expand(block) == 0 {
                return try finish(space: space, ritz: ritz, top: topIndices, bottom: bottomIndices, converged: converged,
                                  op: op, settings: settings, products: products, restarts: restarts, scaleA: scaleA)
            }
        }
        ritz = try space.rayleighRitz()
    }
}

/// Indices (into ascending Ritz values) of the pairs a restart keeps: the wanted ends, split in
/// proportion to what each end wants.
private func restartIndices(count m: Int, top: Int, bottom: Int, keep: Int) -> [Int] {
    let k = min(keep, m)
    let fromTop = top == 0 ? 0 : bottom == 0 ? k : max(top, k * top / (top + bottom))
    let fromBottom = k - fromTop
    return Array(Set((0..<fromBottom).map { $0 } + (0..<fromTop).map { m - 1 - $0 })).sorted()
}

private func finish(space: RitzSpace, ritz: RitzSpace.Ritz, top: [Int], bottom: [Int], converged: (Int) -> Bool,
                    op: SymmetricOperator, settings: EigenSettings, products: Int, restarts: Int, scaleA: Double) throws -> ExtremeEigenpairs {
    var products = products
    func pair(_ i: Int) throws -> RitzPair {
        let y = space.ritzVector(ritz, i)
        var residual = space.residualNorm(ritz, i)
        if settings.freshResiduals {
            var r = op.apply(y)
            products += 1
            axpy(-ritz.values[i], y, &r)
            residual = norm(r)
            guard residual.isFinite else { throw SpectralError.nonFiniteProduct(step: products, probe: 0) }
        }
        return RitzPair(value: ritz.values[i], residual: residual, converged: converged(i), vector: settings.keepVectors ? y : nil)
    }
    let topPairs = try top.map(pair)
    let bottomPairs = try bottom.map(pair)
    return ExtremeEigenpairs(top: topPairs, bottom: bottomPairs, products: products, restarts: restarts)
}

/// An orthonormal basis V (rows of a `count x n` array) with the operator's products A V beside
/// it, and the projected matrix S = Vᵀ A V.
private struct RitzSpace {
    let dimension: Int
    private(set) var count = 0
    private var basis: [Double] = []     // V, row-major count x n
    private var products: [Double] = []  // A V, row-major count x n
    private var projected: [Double] = [] // S, row-major count x count

    /// Eigenpairs of S: values ascending, `vectors[i]` the coefficients of Ritz vector i in V.
    struct Ritz {
        let values: [Double]
        let vectors: [[Double]]
    }

    init(dimension: Int, capacity: Int) {
        self.dimension = dimension
        basis.reserveCapacity(capacity * dimension)
        products.reserveCapacity(capacity * dimension)
    }

    /// `v -= V (Vᵀ v)`, twice (Kahan-Parlett: twice is enough).
    func orthogonalize(_ v: inout [Double]) {
        guard count > 0 else { return }
        let (m, n) = (blasint(count), blasint(dimension))
        var h = [Double](repeating: 0, count: count)
        basis.withUnsafeBufferPointer { q in
            for _ in 0..<2 {
                cblas_dgemv(CblasRowMajor, CblasNoTrans, m, n, 1, q.baseAddress, n, v, 1, 0, &h, 1)
                cblas_dgemv(CblasRowMajor, CblasTrans, m, n, -1, q.baseAddress, n, h, 1, 1, &v, 1)
            }
        }
    }

    /// Adds the unit vector `v` (orthogonal to the basis) and its product `w = A v`; false when
    /// `w` is not finite.
    mutating func append(_ v: [Double], product w: [Double]) -> Bool {
        let n = dimension
        // The new column of S: Vᵀ w over the old vectors and vᵀ w.
        var column = [Double](repeating: 0, count: count)
        if count > 0 {
            basis.withUnsafeBufferPointer { q in
                cblas_dgemv(CblasRowMajor, CblasNoTrans, blasint(count), blasint(n), 1, q.baseAddress, blasint(n), w, 1, 0, &column, 1)
            }
        }
        let diagonal = dot(v, w)
        guard diagonal.isFinite, column.allSatisfy(\.isFinite) else { return false }
        let m = count + 1
        var s = [Double](repeating: 0, count: m * m)
        for i in 0..<count { for j in 0..<count { s[i * m + j] = projected[i * count + j] } }
        for i in 0..<count { s[i * m + count] = column[i]; s[count * m + i] = column[i] }
        s[count * m + count] = diagonal
        projected = s
        basis.append(contentsOf: v)
        products.append(contentsOf: w)
        count = m
        return true
    }

    /// Eigen-decomposition of S (LAPACK dsyevd).
    func rayleighRitz() throws -> Ritz {
        let (values, vectors) = try symmetricEigendecomposition(projected, dimension: count)
        return Ritz(values: values, vectors: vectors)
    }

    /// `V s`.
    func ritzVector(_ ritz: Ritz, _ i: Int) -> [Double] { combine(basis, ritz.vectors[i]) }

    /// `A V s − θ V s` for Ritz pair i.
    func residual(_ ritz: Ritz, _ i: Int) -> [Double] {
        var r = combine(products, ritz.vectors[i])
        axpy(-ritz.values[i], ritzVector(ritz, i), &r)
        return r
    }

    func residualNorm(_ ritz: Ritz, _ i: Int) -> Double { norm(residual(ritz, i)) }

    /// Replaces the basis by the Ritz vectors `keep` (and their products): S becomes diagonal.
    mutating func restart(_ ritz: Ritz, keeping keep: [Int]) {
        let n = dimension
        var newBasis = [Double](), newProducts = [Double]()
        newBasis.reserveCapacity(basis.capacity)
        newProducts.reserveCapacity(products.capacity)
        for i in keep {
            newBasis += combine(basis, ritz.vectors[i])
            newProducts += combine(products, ritz.vectors[i])
        }
        let p = keep.count
        var s = [Double](repeating: 0, count: p * p)
        for (k, i) in keep.enumerated() { s[k * p + k] = ritz.values[i] }
        basis = newBasis
        products = newProducts
        projected = s
        count = p
        precondition(basis.count == p * n)
    }

    /// `Σ_i c[i] row_i` of a row-major `count x n` array.
    private func combine(_ rows: [Double], _ c: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: dimension)
        rows.withUnsafeBufferPointer { q in
            cblas_dgemv(CblasRowMajor, CblasTrans, blasint(count), blasint(dimension), 1, q.baseAddress, blasint(dimension), c, 1, 0, &out, 1)
        }
        return out
    }
}
