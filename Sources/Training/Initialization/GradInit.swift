import Foundation
import Models
import Tensor

/// GradInit (Zhu et al., NeurIPS 2021): before training, learn one scale α_i per parameter tensor
/// (every tensor whose drawn norm is not zero) so that the optimizer's first step lowers the loss
/// most, while the gradient norm stays under a bound γ. With θ = α ⊙ θ0 (tensor-wise), two fresh
/// minibatches S and S' per iteration, g = ∇L(θ; S) and θ' = θ + d(g) the optimizer's first step:
///
///     objective = L(θ'; S')     when ‖g‖ ≤ γ   (‖·‖₂; ‖·‖₁ for Adam and AdamW)
///               = ‖g‖           otherwise      (first bring the gradient under the bound)
///
/// and α takes an Adam step on the objective's gradient, then is kept ≥ `min_scale`.
///
/// The gradient in α is exact, with one Hessian-vector product at θ on S. With u_i = ∂θ/∂α_i
/// (θ0 on tensor i) and H = ∇²L(θ; S):
/// - the loss after the step: ∂/∂α_i = ⟨g' + J_dᵀ g', u_i⟩, g' = ∇L(θ'; S'), where the step's
///   Jacobian is J_d = −η c H for SGD (c = 1), heavy ball (c = 1) and Nesterov (c = 1 + β), whose
///   first step is −η c g; and J_d = −η D H for Adam, whose bias-corrected first step is
///   −η g / (|g| + ε), D = diag(ε / (|g| + ε)²) (AdamW adds −η λ I for its decoupled decay);
///   so J_dᵀ g' is −η c H g', or −η H (D g') (− η λ g');
/// - the gradient norm: ∂‖g‖₂/∂α_i = ⟨H g / ‖g‖₂, u_i⟩; ∂‖g‖₁/∂α_i = ⟨H sign(g), u_i⟩.
struct GradInit<T: TensorScalar> {
    let surface: LossSurface<T>
    let scaling: TensorScaling<T>
    let settings: LearnedInitConfig
    let optimizer: OptimizerSettings
    /// η of the simulated first step.
    let stepLR: Double
    let seed: UInt64

    var usesL1: Bool { optimizer.kind == .adam || optimizer.kind == .adamw }

    /// One evaluation at scales `α` on the minibatches `first` (S) and `second` (S').
    struct Evaluation {
        var objective: Double
        var gradient: [Double]
        var gradientNorm: Double
        /// L(θ'; S'), computed when the bound holds (else NaN).
        var postStepLoss: Double
        var constrained: Bool
    }

    func evaluate(_ alpha: [Double], first: LossSurface<T>, second: LossSurface<T>) -> Evaluation {
        let w = scaling.weights(alpha)
        let g = first.valueAndGradient(at: w).gradient
        let gd = g.doubles
        let norm = usesL1 ? gd.reduce(0) { $0 + abs($1) } : gd.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm <= settings.gradientBound else {
            // Lower the gradient norm: its gradient is H q with q = g/‖g‖₂ or sign(g).
            let q = usesL1 ? gd.map { $0 > 0 ? 1.0 : ($0 < 0 ? -1.0 : 0) } : gd.map { $0 / norm }
            let hq = first.hessianVectorProduct(at: w, Tensor(shape: g.shape, converting: q)).doubles
            return Evaluation(objective: norm, gradient: scaling.project(hq), gradientNorm: norm, postStepLoss: .nan, constrained: true)
        }
        var stepped = w
        var step = Optimizer<T>(optimizer)
        step.step(&stepped, gradient: g, learningRate: stepLR)
        let (loss, g2) = second.valueAndGradient(at: stepped)
        let gp = g2.doubles
        // J_dᵀ g' (see the type's comment).
        var back: [Double]
        switch optimizer.kind {
        case .sgd, .momentum, .nesterov:
            let c = optimizer.kind == .nesterov ? 1 + optimizer.momentum : 1
            back = first.hessianVectorProduct(at: w, g2).doubles.map { -stepLR * c * $0 }
        case .adam, .adamw:
            let eps = optimizer.epsilon
            let dg = zip(gd, gp).map { g, p in eps / ((abs(g) + eps) * (abs(g) + eps)) * p }
            back = first.hessianVectorProduct(at: w, Tensor(shape: g.shape, converting: dg)).doubles.map { -stepLR * $0 }
            if optimizer.kind == .adamw && optimizer.decoupledWeightDecay > 0 {
                for j in back.indices { back[j] -= stepLR * optimizer.decoupledWeightDecay * gp[j] }
            }
        }
        let total = zip(gp, back).map { $0 + $1 }
        return Evaluation(objective: Double(loss), gradient: scaling.project(total), gradientNorm: norm,
                          postStepLoss: Double(loss), constrained: false)
    }

    /// The minibatch pair of iteration `iteration` (consecutive draws of a seeded sampler).
    func batches(_ sampler: inout MinibatchSampler) -> (LossSurface<T>, LossSurface<T>) {
        guard !sampler.isFullBatch else { return (surface, surface) }
        return (surface.restricted(to: sampler.next()), surface.restricted(to: sampler.next()))
    }

    func run(report: (Int, Double) -> Void = { _, _ in }) -> LearnedInitResult {
        let k = scaling.count
        var alpha = [Double](repeating: 1, count: k)
        var m = [Double](repeating: 0, count: k), v = [Double](repeating: 0, count: k)
        let (b1, b2, eps) = (0.9, 0.999, 1e-8)
        var sampler = MinibatchSampler(count: surface.examples.count,
                                       batchSize: settings.examples >= surface.examples.count ? 0 : settings.examples, seed: seed)
        var history: [[Double]] = [], objective: [Double] = [], loss: [Double] = [], norms: [Double] = [], constrained: [Double] = []
        for iteration in 0..<settings.steps {
            let (first, second) = batches(&sampler)
            let e = evaluate(alpha, first: first, second: second)
            history.append(alpha)
            objective.append(e.objective); loss.append(e.postStepLoss); norms.append(e.gradientNorm)
            constrained.append(e.constrained ? 1 : 0)
            let t = Double(iteration + 1)
            for i in 0..<k {
                m[i] = b1 * m[i] + (1 - b1) * e.gradient[i]
                v[i] = b2 * v[i] + (1 - b2) * e.gradient[i] * e.gradient[i]
                let step = settings.lr * (m[i] / (1 - pow(b1, t))) / ((v[i] / (1 - pow(b2, t))).squareRoot() + eps)
                alpha[i] = max(alpha[i] - step, settings.minScale)
            }
            report(iteration + 1, e.objective)
        }
        history.append(alpha)
        return LearnedInitResult(method: .gradinit, tensors: scaling.names, scales: alpha, scaleHistory: history,
                                 series: [("objective", objective), ("post_step_loss", loss), ("gradient_norm", norms),
                                          ("constrained", constrained)])
    }
}
