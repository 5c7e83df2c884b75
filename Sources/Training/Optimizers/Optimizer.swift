import Foundation
import Tensor

/// The update rules the recorder offers.
public enum OptimizerKind: String, CaseIterable, Sendable, Codable {
    /// `w <- w - lr g`.
    case sgd
    /// Heavy ball: `u <- beta u + g`, `w <- w - lr u`.
    case momentum
    /// Nesterov: `u <- beta u + g`, `w <- w - lr (g + beta u)`.
    case nesterov
    /// Adam (Kingma & Ba) with bias correction; weight decay, if any, is an L2 term in the loss.
    case adam
    /// AdamW: Adam with decoupled weight decay `w <- w - lr wd w`, not part of the loss.
    case adamw

    public var isAdaptive: Bool { self == .adam || self == .adamw }
}

/// Hyper-parameters of an optimizer (those a kind does not use are ignored).
public struct OptimizerSettings: Equatable, Sendable {
    public var kind: OptimizerKind
    /// Momentum coefficient beta for `momentum` and `nesterov`.
    public var momentum: Double
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    /// Decoupled weight decay for `adamw` (per unit learning rate). Other kinds put weight decay in the loss.
    public var decoupledWeightDecay: Double

    public init(kind: OptimizerKind, momentum: Double = 0.9, beta1: Double = 0.9, beta2: Double = 0.999,
                epsilon: Double = 1e-8, decoupledWeightDecay: Double = 0) {
        self.kind = kind
        self.momentum = momentum
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    /// The sharpness above which the optimizer diverges on a quadratic at learning rate `lr`
    /// (Cohen et al. 2021, 2022). For Adam and AdamW it applies to the preconditioned Hessian
    /// `P^-1/2 H P^-1/2`, `P = sqrt(v_hat) + eps`; for the others to H itself.
    ///
    /// sgd: 2/lr; momentum: (2 + 2 beta)/lr; nesterov: (2 + 2 beta)/((1 + 2 beta) lr);
    /// adam(w): (2 + 2 beta1)/((1 - beta1) lr), i.e. 38/lr at beta1 = 0.9.
    public func stabilityThreshold(learningRate lr: Double) -> Double {
        switch kind {
        case .sgd: return 2 / lr
        case .momentum: return (2 + 2 * momentum) / lr
        case .nesterov: return (2 + 2 * momentum) / ((1 + 2 * momentum) * lr)
        case .adam, .adamw: return (2 + 2 * beta1) / ((1 - beta1) * lr)
        }
    }
}

/// An optimizer and its state, on a flat parameter vector.
///
/// State tensors (all the parameter vector's length): `velocity` (momentum, nesterov), `m` and `v`
/// (first and second moment estimates, Adam), and the number of steps taken.
public struct Optimizer<T: TensorScalar> {
    public let settings: OptimizerSettings
    public private(set) var stepCount = 0
    public private(set) var velocity: Tensor<T>?
    public private(set) var firstMoment: Tensor<T>?
    public private(set) var secondMoment: Tensor<T>?

    public init(_ settings: OptimizerSettings) { self.settings = settings }

    /// Restores a saved state (from a checkpoint).
    public init(_ settings: OptimizerSettings, stepCount: Int, state: [String: Tensor<T>]) {
        self.settings = settings
        self.stepCount = stepCount
        velocity = state["velocity"]
        firstMoment = state["m"]
        secondMoment = state["v"]
    }

    /// The named state tensors, for checkpoints: `velocity`, `m`, `v` as present.
    public var state: [String: Tensor<T>] {
        var out = [String: Tensor<T>]()
        if let velocity { out["velocity"] = velocity }
        if let firstMoment { out["m"] = firstMoment }
        if let secondMoment { out["v"] = secondMoment }
        return out
    }

    /// Adam's diagonal preconditioner `P = sqrt(v_hat) + eps` after the steps taken so far
    /// (nil for non-adaptive kinds, before the first step, or where P is not positive and finite).
    public var preconditioner: Tensor<T>? {
        guard settings.kind.isAdaptive, let v = secondMoment, stepCount > 0 else { return nil }
        let correction = 1 - pow(settings.beta2, Double(stepCount))
        let values = v.doubles.map { ($0 / correction).squareRoot() + settings.epsilon }
        // An overflowed gradient (or a damaged checkpoint) leaves no usable P: P^-1/2 needs P > 0, finite.
        guard values.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }
        return Tensor(shape: v.shape, converting: values)
    }

    /// Applies one update to `w` with gradient `g` at learning rate `lr`; returns the update's norm.
    @discardableResult
    public mutating func step(_ w: inout Tensor<T>, gradient g: Tensor<T>, learningRate lr: Double) -> Double {
        stepCount += 1
        let rate = T(lr)
        let update: Tensor<T>
        switch settings.kind {
        case .sgd:
            update = rate * g
        case .momentum, .nesterov:
            let beta = T(settings.momentum)
            let u = velocity.map { $0.linearCombination(beta, 1, g) } ?? g
            velocity = u
            update = settings.kind == .momentum ? rate * u : g.linearCombination(rate, rate * beta, u)
        case .adam, .adamw:
            let (b1, b2) = (T(settings.beta1), T(settings.beta2))
            let m = firstMoment.map { $0.linearCombination(b1, 1 - b1, g) } ?? (1 - b1) * g
            let v = secondMoment.map { $0.linearCombination(b2, 1 - b2, g * g) } ?? (1 - b2) * (g * g)
            firstMoment = m
            secondMoment = v
            let c1 = 1 - pow(settings.beta1, Double(stepCount)), c2 = 1 - pow(settings.beta2, Double(stepCount))
            let (md, vd) = (m.doubles, v.doubles)
            var step = [Double](repeating: 0, count: md.count)
            for i in step.indices { step[i] = lr * (md[i] / c1) / ((vd[i] / c2).squareRoot() + settings.epsilon) }
            var u = Tensor<T>(shape: w.shape, converting: step)
            if settings.kind == .adamw, settings.decoupledWeightDecay > 0 {
                u = u.linearCombination(1, T(lr * settings.decoupledWeightDecay), w)
            }
            update = u
        }
        w = w - update
        return Double(update.norm())
    }
}
