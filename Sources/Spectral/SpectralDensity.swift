/// Settings of stochastic Lanczos quadrature.
public struct SLQSettings: Sendable {
    /// Independent random start vectors; the density is their average.
    public var probes = 10
    /// Lanczos steps per probe (m): quadrature exact for polynomials of degree 2m - 1.
    public var steps = 80
    public var probeKind = ProbeKind.rademacher
    public var seed: UInt64 = 0
    /// Partial by default: semi-orthogonality keeps the quadrature (nodes and weights) accurate to
    /// the operator's precision (Simon 1984), as full reorthogonalization does, without streaming
    /// the whole basis through memory at every step (at n = 670k, full costs ~18% of an HVP per
    /// step; partial reorthogonalizes on ~10% of steps).
    public var reorthogonalization = Reorthogonalization.partial

    public init(probes: Int = 10, steps: Int = 80, probeKind: ProbeKind = .rademacher, seed: UInt64 = 0,
                reorthogonalization: Reorthogonalization = .partial) {
        self.probes = probes
        self.steps = steps
        self.probeKind = probeKind
        self.seed = seed
        self.reorthogonalization = reorthogonalization
    }
}

/// Runs the Lanczos part of SLQ: one tridiagonal per probe (the raw material of a density).
///
/// `progress(probe)` is called after each probe (1-based) finishes.
public func lanczosTridiagonals(of op: SymmetricOperator, settings: SLQSettings,
                                progress: (Int) -> Void = { _ in }) throws -> [Tridiagonal] {
    try lanczosRuns(of: op, settings: settings, progress: progress).map(\.tridiagonal)
}

/// The Lanczos runs of SLQ, one per probe. With `keepFirstBasis` the first run keeps its basis,
/// for `ritzPairs(of:operator:top:bottom:)`. `only`: the runs of these probes (0-based, ascending)
/// alone, each the same to the bit as in the full set (probe l's start depends on the seed and l).
public func lanczosRuns(of op: SymmetricOperator, settings: SLQSettings, keepFirstBasis: Bool = false, only probes: [Int]? = nil,
                        progress: (Int) -> Void = { _ in }) throws -> [LanczosResult] {
    guard settings.probes >= 1 else { throw SpectralError.invalidArgument("SLQ needs at least one probe, got \(settings.probes)") }
    var workspace: Basis? = nil
    return try (probes ?? Array(0..<settings.probes)).map { l in
        var rng = probeGenerator(seed: settings.seed, probe: l)
        let v = settings.probeKind.draw(op.dimension, using: &rng)
        let result = try lanczos(op, start: v, steps: settings.steps, reorthogonalization: settings.reorthogonalization,
                                 keepBasis: keepFirstBasis && l == 0, breakdownTolerance: 1e-10, probe: l + 1, workspace: &workspace)
        progress(l + 1)
        return result
    }
}

/// A spectral density on a grid: `phi(t) = (1/n) sum_i delta(t - lambda_i)` smoothed by a Gaussian
/// of width sigma, estimated by SLQ.
public struct SpectralDensity: Sendable {
    /// Evaluation points, ascending, evenly spaced.
    public let grid: [Double]
    /// Mean over probes; integrates to 1 over the grid (up to the Gaussian tails beyond it, < 1e-6).
    public let density: [Double]
    /// Sample standard deviation across probes at each grid point (0 with one probe).
    public let spread: [Double]
    /// Kernel width (same units as the eigenvalues).
    public let sigma: Double
    /// Quadrature nodes and weights per probe.
    public let nodes: [[Double]]
    public let weights: [[Double]]
}

/// The SLQ density from Lanczos tridiagonals (no matvecs): nodes = Ritz values, weights = squared
/// first components, one Gaussian of width `sigma` per node.
///
/// - Parameters:
///   - sigma: kernel width; nil takes Ghorbani et al.'s choice `sqrt(1e-5) * (max node - min node)`.
///   - gridPoints: number of evaluation points.
///   - range: grid span; nil takes the extreme nodes widened by `5 sigma + 1%` of their span.
public func spectralDensity(from tridiagonals: [Tridiagonal], sigma: Double? = nil, gridPoints: Int = 10_000,
                            range: ClosedRange<Double>? = nil) throws -> SpectralDensity {
    guard !tridiagonals.isEmpty else { throw SpectralError.invalidArgument("a density needs at least one tridiagonal") }
    guard gridPoints >= 2 else { throw SpectralError.invalidArgument("a density grid needs at least 2 points, got \(gridPoints)") }
    guard tridiagonals.allSatisfy({ $0.alpha.allSatisfy(\.isFinite) && $0.beta.allSatisfy(\.isFinite) }) else {
        throw SpectralError.invalidArgument("a density needs finite Lanczos coefficients, but the tridiagonals hold NaN or infinite entries")
    }
    let quadratures = try tridiagonals.map { try $0.gaussQuadrature() }
    let allNodes = quadratures.flatMap(\.nodes)
    guard allNodes.allSatisfy(\.isFinite) else {
        throw SpectralError.invalidArgument("a density needs finite Ritz values, but the tridiagonals' overflow to NaN or infinite ones")
    }
    guard let lo = allNodes.min(), let hi = allNodes.max() else {
        throw SpectralError.invalidArgument("a density needs Lanczos steps, but the tridiagonals are empty")
    }
    let width = max(hi - lo, 1e-12 * max(abs(hi), 1))
    let s = sigma ?? (1e-5).squareRoot() * width
    guard s > 0, s.isFinite else { throw SpectralError.invalidArgument("sigma must be positive and finite, got \(s)") }
    // The grid's ends; beyond Double's range (Ritz values near 1e308, or sigma near it) there is no grid.
    let (start, end) = range.map { ($0.lowerBound, $0.upperBound) } ?? (lo - 5 * s - 0.01 * width, hi + 5 * s + 0.01 * width)
    let step = (end - start) / Double(gridPoints - 1)
    guard start.isFinite, end.isFinite, step > 0, step.isFinite else {
        throw SpectralError.invalidArgument("the density's range \(start)...\(end) (Ritz values \(lo)...\(hi), sigma \(s)) does not make a grid of \(gridPoints) finite, distinct points")
    }
    let grid = (0..<gridPoints).map { start + Double($0) * step }

    let norm = 1 / (s * (2 * Double.pi).squareRoot())
    var perProbe = [[Double]]()
    for (nodes, weights) in quadratures {
        var phi = [Double](repeating: 0, count: gridPoints)
        for (node, weight) in zip(nodes, weights) {
            // Only grid points within 8 sigma of the node contribute above 1e-14 relative. Positions
            // in steps are clamped just past the grid's ends before they become indices: a node far
            // outside a given range is more steps away than an Int holds.
            let below = min(max(((node - 8 * s) - start) / step, -1), Double(gridPoints))
            let above = min(max(((node + 8 * s) - start) / step, -2), Double(gridPoints))
            let first = max(0, Int(below))
            let last = min(gridPoints - 1, Int(above) + 1)
            guard first <= last else { continue }
            for g in first...last {
                let z = (grid[g] - node) / s
                phi[g] += weight * norm * _exp(-z * z / 2)
            }
        }
        perProbe.append(phi)
    }
    let count = Double(perProbe.count)
    var mean = [Double](repeating: 0, count: gridPoints), spread = mean
    for phi in perProbe { for g in 0..<gridPoints { mean[g] += phi[g] / count } }
    if perProbe.count > 1 {
        for phi in perProbe { for g in 0..<gridPoints { spread[g] += (phi[g] - mean[g]) * (phi[g] - mean[g]) } }
        for g in 0..<gridPoints { spread[g] = (spread[g] / (count - 1)).squareRoot() }
    }
    return SpectralDensity(grid: grid, density: mean, spread: spread, sigma: s,
                           nodes: quadratures.map(\.nodes), weights: quadratures.map(\.weights))
}

/// SLQ end to end: tridiagonals from `settings.probes` probes, then the density.
public func spectralDensity(of op: SymmetricOperator, settings: SLQSettings, sigma: Double? = nil,
                            gridPoints: Int = 10_000, progress: (Int) -> Void = { _ in }) throws -> (density: SpectralDensity, tridiagonals: [Tridiagonal]) {
    let ts = try lanczosTridiagonals(of: op, settings: settings, progress: progress)
    return (try spectralDensity(from: ts, sigma: sigma, gridPoints: gridPoints), ts)
}
