import Autodiff
import Models
import RunStore
import Spectral
import Tensor

/// Tracks lambda_max of the Hessian (and of Adam's preconditioned Hessian) across training steps
/// (`TopEigenvalueTracker`: warm-started thick-restart Lanczos carrying the top Ritz vectors).
/// Writes the metrics `sharpness`, `sharpness_residual`, `sharpness_threshold` (SGD family),
/// `preconditioned_sharpness`, `preconditioned_residual`, `preconditioned_threshold` (Adam), and
/// records threshold crossings as events.
struct SharpnessTracker<T: TensorScalar> {
    let seed: UInt64
    private var hessian: TopEigenvalueTracker
    private var preconditioned: TopEigenvalueTracker
    private var aboveHessian: Bool?
    private var abovePreconditioned: Bool?
    /// Measurements made and Hessian-vector products spent so far (both operators).
    private(set) var measurements = 0
    private(set) var products = 0

    /// Whether λ_max was above its threshold at the last measurement (a resumed run's, read from
    /// its metrics), so that the next crossing event is the one the uninterrupted run records.
    mutating func restoreCrossings(hessian: Bool?, preconditioned: Bool?) {
        aboveHessian = hessian
        abovePreconditioned = preconditioned
    }

    init(lanczosSteps: Int, tolerance: Double?, seed: UInt64) {
        self.seed = seed
        hessian = TopEigenvalueTracker(maxProducts: lanczosSteps, tolerance: tolerance)
        preconditioned = hessian
    }

    /// Measures at `w`. `memos` may hold the primal work of a gradient just taken at `w` over the
    /// same surface (full-batch training on the Hessian batch); the products then reuse it.
    mutating func measure(at w: Tensor<T>, step: Int, lr: Double, hessian surface: LossSurface<T>, memos: [PrimalMemo<T>]? = nil,
                          optimizer: Optimizer<T>, settings: OptimizerSettings, includePreconditioned: Bool,
                          into row: inout [String: Double], events: inout EventLog) throws {
        let op = surface.hessianOperator(at: w, memos: memos ?? surface.primalMemos())
        let (top, spent) = try hessian.measure(op, seed: seed &+ UInt64(step))
        products += spent
        measurements += 1
        row["sharpness"] = top.value
        row["sharpness_residual"] = top.residual
        row["sharpness_products"] = Double(spent)
        if !settings.kind.isAdaptive {
            let threshold = settings.stabilityThreshold(learningRate: lr)
            row["sharpness_threshold"] = threshold
            try crossing(&aboveHessian, value: top.value, threshold: threshold, step: step, lr: lr, name: "lambda_max", operator: .hessian, events: &events)
        }
        if settings.kind.isAdaptive, includePreconditioned, let p = optimizer.preconditioner {
            let (pre, spentPre) = try preconditioned.measure(op.diagonallyPreconditioned(by: p.doubles), seed: seed &+ 7 &+ UInt64(step))
            products += spentPre
            let threshold = settings.stabilityThreshold(learningRate: lr)
            row["preconditioned_sharpness"] = pre.value
            row["preconditioned_residual"] = pre.residual
            row["preconditioned_products"] = Double(spentPre)
            row["preconditioned_threshold"] = threshold
            try crossing(&abovePreconditioned, value: pre.value, threshold: threshold, step: step, lr: lr,
                         name: "preconditioned lambda_max", operator: .preconditioned, events: &events)
        }
    }

    private func crossing(_ above: inout Bool?, value: Double, threshold: Double, step: Int, lr: Double, name: String,
                          operator op: SpectralOperator, events: inout EventLog) throws {
        let now = value > threshold
        defer { above = now }
        guard let before = above, before != now else { return }
        try events.add(step: step, kind: now ? "threshold_crossing_up" : "threshold_crossing_down", operator: op,
                       String(format: "%@ = %.6g %@ the stability threshold %.6g (lr = %.6g)", name, value, now ? "rose above" : "fell below", threshold, lr))
    }
}
