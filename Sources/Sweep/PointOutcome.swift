import Foundation
import RunStore

/// How a finished point's training went, read from its run file (docs/sweeps.md, "Outcomes").
public enum Outcome: String, Codable, CaseIterable, Sendable {
    /// The recorder stopped the run on divergence (loss above `record.divergence_factor` times its
    /// start, or not finite).
    case diverged
    /// It trained to the end, with at least one loss spike (a recorded loss above
    /// `record.spike_factor` times the one before it).
    case spiky
    /// It trained to the end without a spike.
    case stable
}

/// What a finished point's run file says: the outcome and the numbers the grid can be coloured by.
/// Nil where the run has no such number (no sharpness recorded, no crossing, a non-finite loss).
public struct PointResult: Codable, Equatable, Sendable {
    public var outcome: Outcome
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

    public init(outcome: Outcome, finalLoss: Double?, lastStep: Int?, spikes: Int, divergenceStep: Int?,
                initialLambdaMax: Double?, maxLRLambda: Double?, maxThresholdRatio: Double?, firstCrossingStep: Int?,
                trackedOperator: String?) {
        self.outcome = outcome
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
        let outcome: Outcome = diagnosis.divergence != nil ? .diverged : (spikes > 0 ? .spiky : .stable)
        var op: String?
        if case let .measured(o) = diagnosis.tracking { op = o.rawValue }
        let largest = diagnosis.largestRatio
        // JSON has no NaN or infinity: a number that is not finite is left out.
        func finite(_ x: Double?) -> Double? { x.flatMap { $0.isFinite ? $0 : nil } }
        return PointResult(outcome: outcome, finalLoss: finite(loss.last),
                           lastStep: diagnosis.lastStep, spikes: spikes, divergenceStep: diagnosis.divergence?.step,
                           initialLambdaMax: finite(diagnosis.measurements.first?.lambdaMax),
                           maxLRLambda: finite(largest.map { $0.lr * $0.lambdaMax }), maxThresholdRatio: finite(largest?.ratio),
                           firstCrossingStep: diagnosis.firstCrossing?.step, trackedOperator: op)
    }
}
