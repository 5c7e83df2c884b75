/// A stochastic trace estimate with its standard error.
public struct TraceEstimate: Sendable {
    public let value: Double
    /// Standard error of `value` (sample standard deviation of the stochastic part / sqrt(count)).
    public let standardError: Double
    /// Operator applications spent.
    public let matvecs: Int
}

/// Hutchinson's estimator: `tr(A) ≈ mean_l v_lᵀ A v_l` over `probes` random vectors.
/// Unbiased; with Rademacher probes its variance is `2 (|A|_F² - sum_i A_ii²)` per probe.
public func hutchinsonTrace(of op: SymmetricOperator, probes: Int, kind: ProbeKind = .rademacher, seed: UInt64 = 0) throws -> TraceEstimate {
    guard probes >= 2 else { throw SpectralError.invalidArgument("Hutchinson needs at least 2 probes for a standard error, got \(probes)") }
    var samples = [Double]()
    for l in 0..<probes {
        var rng = probeGenerator(seed: seed, probe: l)
        let v = kind.draw(op.dimension, using: &rng)
        let av = op.apply(v)
        guard av.allSatisfy({ $0.isFinite }) else { throw SpectralError.nonFiniteProduct(step: 1, probe: l + 1) }
        samples.append(dot(v, av))
    }
    let (mean, se) = meanAndStandardError(samples)
    return TraceEstimate(value: mean, standardError: se, matvecs: probes)
}

/// Hutch++ (Meyer, Musco, Musco, Woodruff 2021) with a budget of `matvecs` applications:
/// a third sketch the range `Q` of `A S`, a third give `tr(Qᵀ A Q)` exactly, and a third run
/// Hutchinson on the deflated `(I - QQᵀ) A (I - QQᵀ)`. Much lower variance than Hutchinson when a
/// few large eigenvalues dominate, as in network Hessians. The standard error is the Hutchinson
/// part's.
public func hutchPlusPlusTrace(of op: SymmetricOperator, matvecs: Int, kind: ProbeKind = .rademacher, seed: UInt64 = 0) throws -> TraceEstimate {
    let k = matvecs / 3
    guard k >= 2 else { throw SpectralError.invalidArgument("Hutch++ needs at least 6 matvecs, got \(matvecs)") }
    let n = op.dimension
    var basis = Basis(dimension: n, capacity: k)
    for l in 0..<k {
        var rng = probeGenerator(seed: seed, probe: l)
        var y = op.apply(kind.draw(n, using: &rng))
        guard y.allSatisfy({ $0.isFinite }) else { throw SpectralError.nonFiniteProduct(step: 1, probe: l + 1) }
        let before = norm(y)
        basis.orthogonalize(&y)
        basis.orthogonalize(&y)
        let after = norm(y)
        if after > 1e-12 * before, after > 0 {
            scale(1 / after, &y)
            basis.append(y)
        }
    }
    var lowRank = 0.0
    for i in 0..<basis.count {
        let q = basis.vector(i)
        lowRank += dot(q, op.apply(q))
    }
    var samples = [Double]()
    for l in 0..<k {
        var rng = probeGenerator(seed: seed &+ 0x5EED, probe: l)
        var g = kind.draw(n, using: &rng)
        basis.orthogonalize(&g)
        samples.append(dot(g, op.apply(g)))
    }
    let (mean, se) = meanAndStandardError(samples)
    return TraceEstimate(value: lowRank + mean, standardError: se, matvecs: k + basis.count + k)
}

func meanAndStandardError(_ xs: [Double]) -> (Double, Double) {
    let n = Double(xs.count)
    let mean = xs.reduce(0, +) / n
    guard xs.count > 1 else { return (mean, .infinity) }
    let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
    return (mean, (variance / n).squareRoot())
}
