import Foundation
import RunStore

/// How a finished point's training went, read from its run file (docs/sweeps.md, "Outcomes").
public enum Outcome: String, Codable, CaseIterable, Sendable {
    /// The recorder stopped the run on divergence (loss above `record.divergence_factor` times its
    /// start, or not finite).
    case diverged
    /// It ran to the end without diverging but did not learn: its final loss is above
    /// `PointResult.stallFraction` (0.9) of its first (a collapsed or frozen network).
    case stalled
    /// It trained to the end, with at least one loss spike (a recorded loss above
    /// `record.spike_factor` times the one before it).
    case spiky
    /// It trained to the end without a spike.
    case stable
}

/// What a finished point's run file says: the outcome and the numbers the grid can be coloured by.
/// Nil where the run has no such number (no sharpness recorded, no crossing, a non-finite loss).
public struct PointResult: Codable, Equatable, Sendable {
    /// A run whose final loss is above this fraction of its first loss is `stalled`.
    public static let stallFraction = 0.9

    public var outcome: Outcome
    /// The first recorded loss (step 0).
    public var initialLoss: Double?
    /// The last recorded loss (training loss, the mean over the step's batch).
    public var finalLoss: Double?
    /// The last step recorded (the divergence step for a diverged run).
    public var lastStep: Int?
    /// Loss spikes recorded.
    public var spikes: Int
    public var divergenceStep: Int?
    /// λ_max at the first measurement (step 0 when sharpness is recorded from the start), of the
    /// operator the threshold applies to (Adam: P^-1/2 H P^-1/2; else H).
    public var initialLambdaMax: Double?
    /// The largest lr(t) * λ_max(t) measured, and that divided by the threshold constant
    /// (2, 2 + 2β, or Adam's (2 + 2β1)/(1 - β1)): above 1 means past the stability threshold.
    public var maxLRLambda: Double?
    public var maxThresholdRatio: Double?
    /// The first measured step with lr * λ_max above the threshold constant.
    public var firstCrossingStep: Int?
    /// "hessian" or "preconditioned": which operator the λ_max numbers are of (nil: none recorded).
    public var trackedOperator: String?

    /// index.json's names (snake case, as every Curvature JSON).
    enum CodingKeys: String, CodingKey {
        case outcome, initialLoss = "initial_loss", finalLoss = "final_loss", lastStep = "last_step", spikes
        case divergenceStep = "divergence_step", initialLambdaMax = "initial_lambda_max", maxLRLambda = "max_lr_lambda"
        case maxThresholdRatio = "max_threshold_ratio", firstCrossingStep = "first_crossing_step", trackedOperator = "tracked_operator"
    }

    public init(outcome: Outcome, initialLoss: Double? = nil, finalLoss: Double?, lastStep: Int?, spikes: Int, divergenceStep: Int?,
                initialLambdaMax: Double?, maxLRLambda: Double?, maxThresholdRatio: Double?, firstCrossingStep: Int?,
                trackedOperator: String?) {
        self.outcome = outcome
        self.initialLoss = initialLoss
        self.finalLoss = finalLoss
        self.lastStep = lastStep
        self.spikes = spikes
        self.divergenceStep = divergenceStep
        self.initialLambdaMax = initialLambdaMax
        self.maxLRLambda = maxLRLambda
        self.maxThresholdRatio = maxThresholdRatio
        self.firstCrossingStep = firstCrossingStep
        self.trackedOperator = trackedOperator
    }

    /// Reads the result of the run file at `path`.
    public static func read(_ path: String) throws -> PointResult {
        let reader = try RunReader.open(path)
        defer { reader.close() }
        let diagnosis = try RunDiagnosis.read(reader)
        let loss = try reader.metrics()[RunDiagnosis.Names.loss]
        let spikes = diagnosis.instabilities.filter { $0.kind == RunDiagnosis.Names.lossSpike }.count
        let first = loss.first, last = loss.last
        let stalled = first.map { f in last.map { $0.isFinite && f.isFinite && $0 > stallFraction * f } ?? false } ?? false
        let outcome: Outcome = diagnosis.divergence != nil ? .diverged : (stalled ? .stalled : (spikes > 0 ? .spiky : .stable))
        var op: String?
        if case let .measured(o) = diagnosis.tracking { op = o.rawValue }
        let largest = diagnosis.largestRatio
        // JSON has no NaN or infinity: a number that is not finite is left out.
        func finite(_ x: Double?) -> Double? { x.flatMap { $0.isFinite ? $0 : nil } }
        return PointResult(outcome: outcome, initialLoss: finite(first), finalLoss: finite(last),
                           lastStep: diagnosis.lastStep, spikes: spikes, divergenceStep: diagnosis.divergence?.step,
                           initialLambdaMax: finite(diagnosis.measurements.first?.lambdaMax),
                           maxLRLambda: finite(largest.map { $0.lr * $0.lambdaMax }), maxThresholdRatio: finite(largest?.ratio),
                           firstCrossingStep: diagnosis.firstCrossing?.step, trackedOperator: op)
    }
}
