import Models
import Tensor

/// MetaInit (Dauphin & Schoenholz, NeurIPS 2019): before training, move the norm of each weight
/// tensor (every parameter tensor of rank >= 2; biases and gains keep theirs) to lower the
/// *gradient quotient* on a batch,
///
///     GQ(w) = (1/N) Σ_j | (g_j − (Hg)_j) / (g_j + ε sign g_j) − 1 |,   g = ∇L(w), N = parameters,
///
/// the mean relative change of the gradient after a unit gradient step (`g − Hg` is that step's
/// gradient to first order). GQ near 0 means the curvature along the gradient is small against
/// the gradient itself. Here `Hg` is an exact Hessian-vector product.
///
/// Each iteration takes the sign of `∂GQ/∂‖w_i‖` for every weight tensor i and steps the norm by
/// signSGD with momentum, as the authors do, with the step measured in units of the tensor's drawn
/// norm: `m_i ← μ m_i − lr·sign(∂GQ/∂‖w_i‖)`, `‖w_i‖ ← ‖w_i‖ + m_i ‖w_i⁰‖` (never below `min_scale`
/// times `‖w_i⁰‖`). The authors step the norm in absolute units (lr 0.1), which moves a small
/// tensor's norm far faster than a large one's; here lr 0.01 moves every tensor by at most about
/// a tenth of its drawn norm per iteration once the momentum has built up.
///
/// The derivative is GQ's pointwise one (what automatic differentiation gives: the signs in GQ
/// held; GQ jumps where a g_j changes sign, so differences of GQ itself are useless). With
/// r_j = (g_j − (Hg)_j)/d_j − 1, d_j = g_j + ε sign g_j, ω_j = sign(r_j)/N and u_i = ∂w/∂s_i:
///
///     ∂GQ/∂s_i = ⟨H a − H H b − D³L[·, g, b], u_i⟩,  a_j = ω_j (1/d_j − (g_j − (Hg)_j)/d_j²),  b_j = ω_j/d_j,
///
/// from ∂g/∂s_i = H u_i and ∂(Hg)/∂s_i = D³L[u_i, g] + H H u_i. The third-derivative term
/// D³L[·, g, b] = d/dt H(w + t b) g is a central difference of two exact Hessian-vector products
/// (step 1e-4 ‖w‖/‖b‖; error O(step²)); everything else is exact. Cost per iteration: one
/// gradient and six Hessian-vector products on the batch, whatever the number of tensors.
///
/// The batch is fixed (the first `examples` training examples), so GQ is one deterministic
/// function of the norms; the authors draw random inputs each iteration.
struct MetaInit<T: TensorScalar> {
    let surface: LossSurface<T>
    let scaling: TensorScaling<T>
    let settings: LearnedInitConfig

    /// The gradient quotient at `w`.
    func quotient(at w: Tensor<T>) -> Double { evaluate(at: w, derivative: false).quotient }

    func quotient(scales: [Double]) -> Double { quotient(at: scaling.weights(scales)) }

    /// The gradient quotient at scales `s` and its derivative in each scale.
    func quotientAndGradient(scales: [Double]) -> (quotient: Double, gradient: [Double]) {
        let e = evaluate(at: scaling.weights(scales), derivative: true)
        return (e.quotient, scaling.project(e.direction))
    }

    /// GQ at `w` and, with `derivative`, the vector whose projections are ∂GQ/∂s_i (see the type).
    private func evaluate(at w: Tensor<T>, derivative: Bool) -> (quotient: Double, direction: [Double]) {
        let g = surface.valueAndGradient(at: w).gradient
        let hg = surface.hessianVectorProduct(at: w, g)
        let (gd, hd) = (g.doubles, hg.doubles)
        let n = Double(gd.count)
        var total = 0.0
        var a = [Double](repeating: 0, count: gd.count), b = a
        for j in gd.indices {
            let d = gd[j] + settings.epsilon * (gd[j] >= 0 ? 1 : -1)
            let r = (gd[j] - hd[j]) / d - 1
            total += abs(r)
            let omega = (r > 0 ? 1.0 : (r < 0 ? -1 : 0)) / n
            a[j] = omega * (1 / d - (gd[j] - hd[j]) / (d * d))
            b[j] = omega / d
        }
        guard derivative else { return (total / n, []) }
        let tensor = { (x: [Double]) in Tensor<T>(shape: g.shape, converting: x) }
        let ha = surface.hessianVectorProduct(at: w, tensor(a)).doubles
        let hb = surface.hessianVectorProduct(at: w, tensor(b))
        let hhb = surface.hessianVectorProduct(at: w, hb).doubles
        let bNorm = b.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard bNorm > 0 else { return (total / n, ha.map { _ in 0 }) }
        let step = 1e-4 * max(Double(w.norm()), 1) / bNorm
        let bt = tensor(b)
        let plus = surface.hessianVectorProduct(at: w.linearCombination(1, T(step), bt), g).doubles
        let minus = surface.hessianVectorProduct(at: w.linearCombination(1, T(-step), bt), g).doubles
        var direction = ha
        for j in direction.indices { direction[j] -= hhb[j] + (plus[j] - minus[j]) / (2 * step) }
        return (total / n, direction)
    }

    /// Runs the search; `report(iteration, quotient)` after each iteration.
    func run(report: (Int, Double) -> Void = { _, _ in }) -> LearnedInitResult {
        let k = scaling.count
        var norms = scaling.norms
        var memory = [Double](repeating: 0, count: k)
        var history: [[Double]] = [], quotients: [Double] = []
        for iteration in 0..<settings.steps {
            let scales = zip(norms, scaling.norms).map { $0 / $1 }
            history.append(scales)
            let (gq, gradient) = quotientAndGradient(scales: scales)
            quotients.append(gq)
            let signs = gradient.map { $0 > 0 ? 1.0 : ($0 < 0 ? -1 : 0) }
            for i in 0..<k {
                memory[i] = settings.momentum * memory[i] - settings.lr * signs[i]
                norms[i] = max(norms[i] + memory[i] * scaling.norms[i], settings.minScale * scaling.norms[i])
            }
            report(iteration + 1, gq)
        }
        let scales = zip(norms, scaling.norms).map { $0 / $1 }
        history.append(scales)
        quotients.append(quotient(scales: scales))
        return LearnedInitResult(method: .metainit, tensors: scaling.names, scales: scales, scaleHistory: history,
                                 series: [("gradient_quotient", quotients)])
    }
}
