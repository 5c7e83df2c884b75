/// How Lanczos keeps its basis orthogonal.
public enum Reorthogonalization: String, Sendable, CaseIterable {
    /// Against every previous basis vector at every step (classical Gram-Schmidt, repeated when a
    /// pass cancels more than 30% of the norm: "twice is enough"). O(m² n) extra work; no ghosts.
    case full
    /// Only when Simon's ω-recurrence estimates that orthogonality has decayed below √ε (then on
    /// two consecutive steps), with ε the operator's `precision`. Keeps the basis semi-orthogonal,
    /// which leaves Ritz values and quadrature accurate to the operator's own precision, at a
    /// fraction of full reorthogonalization's O(m² n) memory traffic for large n.
    case partial
    /// None: the three-term recurrence alone. Converged Ritz values reappear as spurious copies.
    case none
}

/// The outcome of `m` Lanczos steps: `A Q_m = Q_m T_m + beta_m q_{m+1} e_mᵀ`, `T_m` tridiagonal
/// with `alpha` on the diagonal and `beta[0 ..< m-1]` beside it.
public struct LanczosResult {
    /// Diagonal of T (length m).
    public let alpha: [Double]
    /// Off-diagonal of T (length m - 1).
    public let beta: [Double]
    /// `beta_m`, the norm of the residual left after the last step; Ritz residuals are
    /// `residualNorm * |last component of the Ritz vector in T|`. Zero after a breakdown.
    public let residualNorm: Double
    /// The 1-based step at which `beta` fell below the breakdown tolerance (an invariant subspace
    /// was found: the Ritz values are exact eigenvalues of A restricted to it), or nil.
    public let breakdownStep: Int?
    /// Times the basis was re-orthogonalized (steps that paid the O(j n) projection).
    public let reorthogonalizations: Int
    /// The norm of the start vector (quadrature weights are relative to the unit start vector).
    public let startNorm: Double
    /// The orthonormal basis, when asked for (needed for Ritz vectors).
    let basis: Basis?

    public var steps: Int { alpha.count }
    public var tridiagonal: Tridiagonal { Tridiagonal(alpha: alpha, beta: beta) }
}

/// Runs up to `steps` Lanczos iterations of `op` from `start`, in Float64.
///
/// Stops early at breakdown (`beta_j <= breakdownTolerance * |T|`, an invariant subspace). Throws
/// `SpectralError.nonFiniteProduct` naming the step if the operator returns NaN or Inf.
/// Cost: `steps` applications of `op`, plus O(steps² n) for full reorthogonalization.
/// Extreme eigenvalues to a tolerance are `extremeEigenpairs`'s job (restarts, true residuals).
public func lanczos(_ op: SymmetricOperator, start: [Double], steps: Int,
                    reorthogonalization: Reorthogonalization = .full, keepBasis: Bool = false,
                    breakdownTolerance: Double = 1e-10, probe: Int = 0) throws -> LanczosResult {
    var workspace: Basis? = nil
    return try lanczos(op, start: start, steps: steps, reorthogonalization: reorthogonalization, keepBasis: keepBasis,
                       breakdownTolerance: breakdownTolerance, probe: probe, workspace: &workspace)
}

/// `lanczos` with the basis storage passed in, so consecutive runs (SLQ's probes) reuse memory
/// that is already mapped: a fresh 80-vector basis at n = 670k page-faults ~200 MB per run.
func lanczos(_ op: SymmetricOperator, start: [Double], steps: Int,
             reorthogonalization: Reorthogonalization, keepBasis: Bool,
             breakdownTolerance: Double, probe: Int, workspace: inout Basis?) throws -> LanczosResult {
    let n = op.dimension
    guard start.count == n else { throw SpectralError.badStartVector("length \(start.count), operator dimension \(n)") }
    let startNorm = norm(start)
    guard startNorm > 0, startNorm.isFinite else { throw SpectralError.badStartVector("norm \(startNorm)") }
    let m = min(steps, n)
    guard m >= 1 else { throw SpectralError.invalidArgument("Lanczos needs at least one step, got \(steps)") }

    let storeBasis = keepBasis || reorthogonalization != .none
    // A single-precision operator gets a single-precision basis (see `Basis`).
    let singlePrecision = op.precision >= 1e-8
    var basis: Basis
    if var reused = workspace.take(), reused.dimension == n, reused.singlePrecision == singlePrecision {
        reused.removeAll(reservingCapacity: storeBasis ? m : 0)
        basis = reused
    } else {
        basis = Basis(dimension: n, capacity: storeBasis ? m : 0, singlePrecision: singlePrecision)
    }
    defer { if !keepBasis { workspace = basis } }
    var alpha = [Double](), beta = [Double]()
    var q = start
    scale(1 / startNorm, &q)
    var qPrevious = [Double](repeating: 0, count: n)
    var tNorm = 0.0
    var breakdown: Int? = nil
    var residualNorm = 0.0
    var reorthCount = 0
    var omega = OrthogonalityEstimate(precision: max(op.precision, Double.ulpOfOne))
    var reorthNext = false

    for j in 0..<m {
        if storeBasis { basis.append(q) }
        var w = op.apply(q)
        guard w.count == n else { throw SpectralError.invalidArgument("the operator returned \(w.count) values for dimension \(n)") }
        // A NaN or infinity anywhere in w makes qᵀw non-finite (q is dense and finite), so this
        // one check replaces a separate pass over w.
        let a = dot(q, w)
        guard a.isFinite else { throw SpectralError.nonFiniteProduct(step: j + 1, probe: probe) }
        alpha.append(a)
        // w -= a q_j + beta_{j-1} q_{j-1} (qPrevious is zero at j = 0), fused with |w|².
        var normSquared = subtractRecurrence(&w, a, q, j > 0 ? beta[j - 1] : 0, qPrevious)

        switch reorthogonalization {
        case .full:
            normSquared = reorthogonalizeTwiceIfNeeded(&w, normSquared: normSquared, &basis)
            reorthCount += 1
        case .partial:
            let b = normSquared.squareRoot()
            if reorthNext || omega.needsReorthogonalization(alpha: alpha, beta: beta, nextBeta: b, tNorm: max(tNorm, abs(a) + b)) {
                normSquared = reorthogonalizeTwiceIfNeeded(&w, normSquared: normSquared, &basis)
                reorthCount += 1
                omega.reset(count: j + 1)
                reorthNext.toggle()
            }
        case .none: break
        }

        // The fused sum of squares overflows only for |w| > 1e154; BLAS's scaled norm then.
        let b = normSquared.isFinite ? normSquared.squareRoot() : norm(w)
        tNorm = max(tNorm, abs(a) + b + (j > 0 ? beta[j - 1] : 0))
        if j == m - 1 {
            // The last step: b is the residual norm (zero to rounding when m = n exhausts R^n).
            residualNorm = b <= breakdownTolerance * tNorm ? 0 : b
            break
        }
        if b <= breakdownTolerance * tNorm {
            breakdown = j + 1
            residualNorm = 0
            break
        }
        beta.append(b)
        // Rotate the vectors without copying: q_{j-1} <- q_j, q_j <- w / b.
        qPrevious = q
        q = consume w
        scale(1 / b, &q)
    }
    return LanczosResult(alpha: alpha, beta: beta, residualNorm: residualNorm, breakdownStep: breakdown,
                         reorthogonalizations: reorthCount, startNorm: startNorm, basis: keepBasis ? basis : nil)
}

/// One Gram-Schmidt pass against the basis, and a second when the first removed more than 30%
/// of the vector's norm (Kahan-Parlett's "twice is enough"). Takes and returns `|w|²`.
private func reorthogonalizeTwiceIfNeeded(_ w: inout [Double], normSquared: Double, _ basis: inout Basis) -> Double {
    let after = basis.orthogonalize(&w)
    return after < 0.49 * normSquared ? basis.orthogonalize(&w) : after
}

/// Simon's recurrence for ω_{j,k} ≈ q_jᵀ q_k, the loss of orthogonality in plain Lanczos, used by
/// partial reorthogonalization. O(j) per step; the ε-level noise terms follow Simon (1984), with ε
/// the larger of Float64's unit roundoff and the operator's own relative precision.
struct OrthogonalityEstimate {
    private var previous: [Double] = []   // ω_{j-1, k}
    private var current: [Double] = [1]   // ω_{j, k}, k = 0 ... j
    private let eps: Double
    private var threshold: Double { eps.squareRoot() }

    init(precision: Double) { eps = precision }

    /// Advances the estimate by one step (the new vector would be q_{j+1} with norm `nextBeta`)
    /// and says whether its largest |ω| passed √ε.
    mutating func needsReorthogonalization(alpha: [Double], beta: [Double], nextBeta: Double, tNorm: Double) -> Bool {
        let j = alpha.count - 1
        guard j >= 1, nextBeta > 0 else {
            previous = current
            current = [eps, 1]
            return false
        }
        var next = [Double](repeating: 0, count: j + 2)
        for k in 0..<j {
            var x = (k + 1 <= j ? beta[k] * current[k + 1] : 0) + (alpha[k] - alpha[j]) * current[k] - beta[j - 1] * (k < previous.count ? previous[k] : 0)
            if k > 0 { x += beta[k - 1] * current[k - 1] }
            x /= nextBeta
            next[k] = x + (x >= 0 ? 1 : -1) * eps * tNorm / nextBeta
        }
        next[j] = eps * tNorm / nextBeta
        next[j + 1] = 1
        previous = current
        current = next
        return next[0..<(j + 1)].contains { abs($0) > threshold }
    }

    /// After a reorthogonalization the new vector is orthogonal to working precision.
    mutating func reset(count: Int) {
        previous = [Double](repeating: eps, count: count - 1) + [1]
        current = [Double](repeating: eps, count: count) + [1]
    }
}

/// The `top` largest (descending) and `bottom` smallest (ascending) Ritz pairs of a Lanczos run
/// that kept its basis, each residual `‖A y − θ y‖` computed with one fresh product of `op` (the
/// recurrence's estimate `β_m |s_m|` ignores rounding and loss of orthogonality: it reads 0 where
/// the true residual is 1e-7). `converged` is not judged here (always true): these are whatever
/// the run's steps reached.
public func ritzPairs(of result: LanczosResult, operator op: SymmetricOperator, top: Int, bottom: Int) throws -> (top: [RitzPair], bottom: [RitzPair]) {
    guard let basis = result.basis else { throw SpectralError.invalidArgument("ritzPairs: the Lanczos run did not keep its basis") }
    let (values, vectors) = try result.tridiagonal.eigendecomposition()
    let m = values.count
    func pair(_ i: Int) throws -> RitzPair {
        var y = basis.combination(vectors[i])
        scale(1 / norm(y), &y)
        var r = op.apply(y)
        axpy(-values[i], y, &r)
        let residual = norm(r)
        guard residual.isFinite else { throw SpectralError.nonFiniteProduct(step: m + 1, probe: 0) }
        return RitzPair(value: values[i], residual: residual)
    }
    return (try (0..<min(top, m)).map { try pair(m - 1 - $0) }, try (0..<min(bottom, m)).map { try pair($0) })
}
