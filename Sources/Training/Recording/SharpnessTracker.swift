import Autodiff
import Models
import Spectral
import Tensor

/// Tracks lambda_max of the Hessian (and of Adam's preconditioned Hessian) across training steps:
/// Lanczos warm-started from the previous top eigenvector, so a few steps keep it converged.
/// Writes the metrics `sharpness`, `sharpness_residual`, `sharpness_threshold` (SGD family),
/// `preconditioned_sharpness`, `preconditioned_residual`, `preconditioned_threshold` (Adam), and
/// records threshold crossings as events.
struct SharpnessTracker<T: TensorScalar> {
    let lanczosSteps: Int
    /// A measurement stops once λ_max's estimated error `r² / (θ₁ - θ₂)` is below this fraction
    /// of it (nil: always `lanczosSteps`); the recorded residual r still bounds the error.
    let tolerance: Double?
    let seed: UInt64
    private var hessianVector: [Double]?
    private var preconditionedVector: [Double]?
    private var aboveHessian: Bool?
    private var abovePreconditioned: Bool?

    init(lanczosSteps: Int, tolerance: Double?, seed: UInt64) {
        self.lanczosSteps = lanczosSteps
        self.tolerance = tolerance
        self.seed = seed
    }

    /// Measures at `w`. `memos` may hold the primal work of a gradient just taken at `w` over the
    /// same surface (full-batch training on the Hessian batch); the products then reuse it.
    mutating func measure(at w: Tensor<T>, step: Int, lr: Double, hessian surface: LossSurface<T>, memos: [PrimalMemo<T>]? = nil,
                          optimizer: Optimizer<T>, settings: OptimizerSettings, includePreconditioned: Bool,
                          into row: inout [String: Double], events: inout EventLog) throws {
        let op = surface.hessianOperator(at: w, memos: memos ?? surface.primalMemos())
        let top = try extremeEigenvalues(of: op, top: 1, steps: lanczosSteps, start: hessianVector,
                                         seed: seed &+ UInt64(step), keepVectors: true, topGapTolerance: tolerance).top[0]
        hessianVector = top.vector
        row["sharpness"] = top.value
        row["sharpness_residual"] = top.residual
        if !settings.kind.isAdaptive {
            let threshold = settings.stabilityThreshold(learningRate: lr)
            row["sharpness_threshold"] = threshold
            try crossing(&aboveHessian, value: top.value, threshold: threshold, step: step, lr: lr, name: "lambda_max", events: &events)
        }
        if settings.kind.isAdaptive, includePreconditioned, let p = optimizer.preconditioner {
            let pre = try extremeEigenvalues(of: op.diagonallyPreconditioned(by: p.doubles), top: 1, steps: lanczosSteps,
                                             start: preconditionedVector, seed: seed &+ 7 &+ UInt64(step), keepVectors: true,
                                             topGapTolerance: tolerance).top[0]
            preconditionedVector = pre.vector
            let threshold = settings.stabilityThreshold(learningRate: lr)
            row["preconditioned_sharpness"] = pre.value
            row["preconditioned_residual"] = pre.residual
            row["preconditioned_threshold"] = threshold
            try crossing(&abovePreconditioned, value: pre.value, threshold: threshold, step: step, lr: lr,
                         name: "preconditioned lambda_max", events: &events)
        }
    }

    private func crossing(_ above: inout Bool?, value: Double, threshold: Double, step: Int, lr: Double, name: String,
                          events: inout EventLog) throws {
        let now = value > threshold
        defer { above = now }
        guard let before = above, before != now else { return }
        try events.add(step: step, kind: now ? "threshold_crossing_up" : "threshold_crossing_down",
                       String(format: "%@ = %.6g %@ the stability threshold %.6g (lr = %.6g)", name, value, now ? "rose above" : "fell below", threshold, lr))
    }
}
