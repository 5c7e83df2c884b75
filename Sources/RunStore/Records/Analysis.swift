// Results of re-analysis (curv-density): a spectral density and its summaries for one operator
// at one checkpoint step, appended under /analyses without touching recorded data.

/// One re-analysis result.
public struct Analysis: Equatable, Sendable {
    /// The checkpoint step analysed.
    public var step: Int
    public var `operator`: SpectralOperator
    /// Number of probe vectors.
    public var probes: Int
    /// Lanczos steps per probe.
    public var lanczosSteps: Int
    /// Seed of the probe vectors.
    public var seed: UInt64
    /// Gaussian kernel width of the density, in eigenvalue units.
    public var sigma: Double
    /// Eigenvalue grid, ascending: [g].
    public var grid: [Double]
    /// Density on `grid`, averaged over probes: [g] (integrates to about 1).
    public var density: [Double]
    /// Standard deviation of the per-probe densities on `grid`: [g].
    public var densitySpread: [Double]
    /// Largest Ritz values, descending, and their residual norms ‖Hy − θy‖ (each computed with
    /// a fresh product): [k].
    public var topEigenvalues: [Double]
    public var topResiduals: [Double]
    /// Smallest Ritz values, ascending, and their residual norms: [k].
    public var bottomEigenvalues: [Double]
    public var bottomResiduals: [Double]
    /// Whether each top / bottom value met `eigenTolerance` ([k]; empty in files written before
    /// format 1.1, or when the values were not iterated to a tolerance, e.g. from tridiagonals).
    public var topConverged: [Bool]
    public var bottomConverged: [Bool]
    /// The residual tolerance the extreme eigenvalues were iterated to, relative to ‖H‖ (NaN: none).
    public var eigenTolerance: Double
    /// Hutchinson estimate of the trace and its standard error.
    public var trace: Double
    public var traceStandardError: Double
    /// Lanczos tridiagonals: alpha [probes][m], beta [probes][m - 1].
    public var alpha: [[Double]]
    public var beta: [[Double]]
    /// What was analysed, e.g. "/checkpoints/200/weights + /data/hessian_batch".
    public var source: String
    /// Precision of the Hessian-vector products: "f32" or "f64" ("" when no products were
    /// computed, e.g. a density rebuilt from stored tridiagonals).
    public var dtype: String
    /// Lanczos reorthogonalization, "partial" or "full" ("" when no Lanczos ran, or in files
    /// written before this attribute existed).
    public var reorthogonalization: String
    /// λ_max of each parameter block's own Hessian `H_bb` (of `P_b^-1/2 H_bb P_b^-1/2` for the
    /// preconditioned operator), in block order; empty when not asked for (format 1.4).
    public var blocks: [BlockEigenvalue] = []
    /// How the blocks were formed: "layers", "tensors" or comma-separated name prefixes ("" when
    /// there are none).
    public var blockGrouping: String = ""

    public init(step: Int, operator: SpectralOperator, probes: Int, lanczosSteps: Int, seed: UInt64, sigma: Double,
                grid: [Double], density: [Double], densitySpread: [Double],
                topEigenvalues: [Double], topResiduals: [Double],
                bottomEigenvalues: [Double] = [], bottomResiduals: [Double] = [],
                trace: Double, traceStandardError: Double,
                alpha: [[Double]] = [], beta: [[Double]] = [], source: String = "", dtype: String = "",
                reorthogonalization: String = "", topConverged: [Bool] = [], bottomConverged: [Bool] = [],
                eigenTolerance: Double = .nan) {
        self.step = step
        self.operator = `operator`
        self.probes = probes
        self.lanczosSteps = lanczosSteps
        self.seed = seed
        self.sigma = sigma
        self.grid = grid
        self.density = density
        self.densitySpread = densitySpread
        self.topEigenvalues = topEigenvalues
        self.topResiduals = topResiduals
        self.bottomEigenvalues = bottomEigenvalues
        self.bottomResiduals = bottomResiduals
        self.trace = trace
        self.traceStandardError = traceStandardError
        self.alpha = alpha
        self.beta = beta
        self.source = source
        self.dtype = dtype
        self.reorthogonalization = reorthogonalization
        self.topConverged = topConverged
        self.bottomConverged = bottomConverged
        self.eigenTolerance = eigenTolerance
    }

    /// NaN-aware equality for the tolerance (NaN == NaN here: "none" equals "none").
    public static func == (a: Analysis, b: Analysis) -> Bool {
        a.step == b.step && a.operator == b.operator && a.probes == b.probes && a.lanczosSteps == b.lanczosSteps
            && a.seed == b.seed && a.sigma.bitPattern == b.sigma.bitPattern && a.grid == b.grid && a.density == b.density
            && a.densitySpread == b.densitySpread && a.topEigenvalues == b.topEigenvalues && a.topResiduals == b.topResiduals
            && a.bottomEigenvalues == b.bottomEigenvalues && a.bottomResiduals == b.bottomResiduals
            && a.trace.bitPattern == b.trace.bitPattern && a.traceStandardError.bitPattern == b.traceStandardError.bitPattern
            && a.alpha == b.alpha && a.beta == b.beta && a.source == b.source && a.dtype == b.dtype
            && a.reorthogonalization == b.reorthogonalization && a.topConverged == b.topConverged
            && a.bottomConverged == b.bottomConverged && a.eigenTolerance.bitPattern == b.eigenTolerance.bitPattern
            && a.blocks == b.blocks && a.blockGrouping == b.blockGrouping
    }
}

/// The largest eigenvalue of one parameter block's diagonal Hessian block.
public struct BlockEigenvalue: Equatable, Sendable {
    /// The block's name (a layer, a tensor or a prefix).
    public var name: String
    /// Number of parameters in the block.
    public var size: Int
    /// λ_max of the block and its residual norm ‖H_bb y − θ y‖.
    public var value: Double
    public var residual: Double
    /// Whether it met the analysis's eigenvalue tolerance.
    public var converged: Bool

    public init(name: String, size: Int, value: Double, residual: Double, converged: Bool) {
        self.name = name
        self.size = size
        self.value = value
        self.residual = residual
        self.converged = converged
    }

    public static func == (a: BlockEigenvalue, b: BlockEigenvalue) -> Bool {
        a.name == b.name && a.size == b.size && a.value.bitPattern == b.value.bitPattern
            && a.residual.bitPattern == b.residual.bitPattern && a.converged == b.converged
    }
}

/// An analysis as stored: its id under /analyses, when and by what it was written.
public struct StoredAnalysis: Equatable, Sendable {
    /// The group name under /analyses ("0000", "0001", ... in order of writing).
    public var id: String
    /// ISO 8601 UTC time of writing.
    public var created: String
    /// Software that wrote it ("curvature <version>").
    public var software: String
    public var analysis: Analysis
}

/// The metrics of a run: one row per recorded step.
public struct MetricsTable: Equatable, Sendable {
    /// Training steps, one per row (ascending in a normal run).
    public var steps: [Int]
    /// Values by metric name; every column has `steps.count` entries, NaN where not measured.
    public var columns: [String: [Double]]

    public init(steps: [Int], columns: [String: [Double]]) {
        self.steps = steps
        self.columns = columns
    }

    /// Metric names, sorted.
    public var names: [String] { columns.keys.sorted() }

    /// The column `name`, or all-NaN when the metric was never recorded.
    public subscript(name: String) -> [Double] {
        columns[name] ?? [Double](repeating: .nan, count: steps.count)
    }
}
