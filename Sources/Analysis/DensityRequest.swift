import Models
import RunStore
import Spectral
import Training

/// What `curv-density` computes, per checkpoint step.
public struct DensityRequest: Sendable {
    public var steps: StepSelection = .all
    public var operatorKind: SpectralOperator = .hessian
    public var probes = 10
    public var lanczos = 80
    /// Kernel width; nil = sqrt(1e-5) x the Ritz values' span (Ghorbani et al.).
    public var sigma: Double? = nil
    public var gridPoints = 10_000
    public var top = 5
    public var bottom = 5
    /// Extreme eigenvalues are iterated until each residual ‖Hy − θy‖ is at most this fraction of
    /// ‖H‖; nil = `defaultEigenTolerance(dtype)`.
    public var eigenTolerance: Double? = nil
    /// Hessian-vector products allowed for the extreme eigenvalues of one step.
    public var eigenProducts = 3000
    /// Hutch++ trace with this many matvecs (0 = no trace).
    public var traceMatvecs = 0
    /// "f64" (default) or "f32": precision of the Hessian-vector products.
    public var dtype = "f64"
    /// Probe seed; nil = the seed the recorder used for its own spectrum at that step, so equal
    /// settings reproduce the recorded spectrum.
    public var seed: UInt64? = nil
    /// Rebuild densities from Lanczos coefficients already in the file (no Hessian products).
    public var fromTridiagonals = false
    /// Recompute steps that already have an analysis with identical settings.
    public var force = false
    /// How Lanczos keeps its basis orthogonal (SLQ's default, partial, unless asked).
    public var reorthogonalization = SLQSettings().reorthogonalization
    /// Also λ_max of each parameter block's own Hessian `H_bb` (curv-density --blocks), iterated
    /// to the same tolerance as the extreme eigenvalues; nil = none.
    public var blocks: BlockGrouping? = nil
    /// How the ranks of an MPI job share the work (ignored by one process).
    public var split = DensitySplit.batch

    public init() {}

    /// The tolerance in force: the one asked for, else 1e-6 for Float64 products and 1e-4 for
    /// Float32 ones (their rounding, ~1e-6 of ‖H‖ per product, is the floor of any residual).
    public var resolvedEigenTolerance: Double { eigenTolerance ?? (dtype == "f32" ? 1e-4 : 1e-6) }

    /// The memory one step's analysis needs for a model of `parameters` parameters (0: what the
    /// settings alone need, checked before the run file is read).
    public func memoryEstimate(parameters: Int) -> MemoryEstimate {
        let p = Double(parameters)
        var e = MemoryEstimate()
        // Each probe's density on the grid, then the grid, mean and spread.
        e.add("density grid", count: Double(gridPoints) * (Double(probes) + 3), width: 8)
        e.add("Lanczos coefficients", count: Double(probes) * Double(lanczos) * 2, width: 8)
        if !fromTridiagonals {
            e.add("Lanczos vectors", count: p * Double(lanczos + 2), width: 8)
            e.add("eigenvector blocks", count: p * Double(top + bottom) * 4, width: 8)
            e.add("trace sketch", count: p * Double(traceMatvecs), width: 8)
        }
        return e
    }
}

/// How the ranks of an MPI job (`mpirun -np N curv-density`) share an analysis.
public enum DensitySplit: String, Sendable, CaseIterable {
    /// Every rank takes a share of the Hessian batch's examples; each Hessian-vector product is
    /// summed over the ranks by one all-reduce of the parameter vector. Helps every part of the
    /// analysis (probes, extreme eigenvalues, trace, blocks); equal to one process within rounding.
    case batch
    /// SLQ's probes are dealt out to the ranks (probe l to rank l mod N), each run on the whole
    /// batch with no communication, and the tridiagonals gathered: the density is the one process's
    /// bit for bit. The extreme eigenvalues, trace and blocks (sequential) then share the batch.
    case probes
}
