import Foundation

/// What the learning rate does after warmup.
public enum DecayKind: String, CaseIterable, Sendable, Codable {
    /// Stays at the peak.
    case constant
    /// Cosine from the peak down to `finalFraction * peak` at the last step.
    case cosine
    /// Multiplied by `stepFactor` every `stepEvery` steps.
    case step
    /// Inverse square root: `peak * sqrt(warmup / t)` for t past warmup (`peak * sqrt(1/t)` without warmup).
    case inverseSqrt = "rsqrt"
}

/// A learning-rate schedule: linear warmup from `peak / warmupSteps` to `peak` over the first
/// `warmupSteps` steps (none when 0), then the decay. Steps count from 0.
public struct LearningRateSchedule: Equatable, Sendable {
    public var peak: Double
    public var warmupSteps: Int
    public var decay: DecayKind
    /// Total steps of the run (the cosine's horizon).
    public var totalSteps: Int
    public var finalFraction: Double
    public var stepEvery: Int
    public var stepFactor: Double

    public init(peak: Double, warmupSteps: Int = 0, decay: DecayKind = .constant, totalSteps: Int = 1,
                finalFraction: Double = 0, stepEvery: Int = 1000, stepFactor: Double = 0.1) {
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.decay = decay
        self.totalSteps = totalSteps
        self.finalFraction = finalFraction
        self.stepEvery = stepEvery
        self.stepFactor = stepFactor
    }

    /// The learning rate in force at step `t` (the update from w_t to w_{t+1}).
    public func learningRate(at t: Int) -> Double {
        if t < warmupSteps { return peak * Double(t + 1) / Double(warmupSteps) }
        let after = t - warmupSteps
        switch decay {
        case .constant:
            return peak
        case .cosine:
            let horizon = max(totalSteps - warmupSteps - 1, 1)
            let progress = min(Double(after) / Double(horizon), 1)
            return peak * (finalFraction + (1 - finalFraction) * (1 + cos(Double.pi * progress)) / 2)
        case .step:
            return peak * pow(stepFactor, Double(after / max(stepEvery, 1)))
        case .inverseSqrt:
            let reference = Double(max(warmupSteps, 1))
            return peak * (reference / Double(max(t + 1, warmupSteps, 1))).squareRoot()
        }
    }
}
