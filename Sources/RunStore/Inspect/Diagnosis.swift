// The facts behind `curv-inspect --diagnose`: when lr * lambda_max first crossed the stability
// threshold, which loss spikes and divergence followed and how long after, the warmup that would
// have kept the observed lambda_max below the threshold, and whether clipping was active. Read
// from what the run file stores (metrics and events), never from the optimizer's semantics: the
// recorder writes the threshold in force at each measured step (`sharpness_threshold`, or
// `preconditioned_threshold` for Adam), so the constant c = threshold * lr comes from the file.
// The definitions are in docs/run-format.md ("curv-inspect --diagnose").

import Foundation

/// A diagnosis of a run's stability from its metrics and events.
public struct RunDiagnosis: Equatable, Sendable {
    /// Metric and event names the diagnosis reads (written by the recorder, docs/config.md).
    public enum Names {
        public static let loss = "loss", lr = "lr", clipped = "clipped"
        public static let sharpness = "sharpness", sharpnessThreshold = "sharpness_threshold"
        public static let preconditioned = "preconditioned_sharpness", preconditionedThreshold = "preconditioned_threshold"
        public static let lossSpike = "loss_spike", divergence = "divergence", interrupted = "interrupted"
    }

    /// What the run recorded of lambda_max.
    public enum Tracking: Equatable, Sendable {
        /// lambda_max of `operator` was measured against its recorded threshold.
        case measured(SpectralOperator)
        /// No sharpness column with a finite value (record.sharpness_every = 0).
        case noSharpness
        /// lambda_max was measured but no threshold recorded for it (Adam recorded without
        /// record.preconditioned: its threshold applies to the preconditioned Hessian only).
        case noThreshold
    }

    /// lambda_max against its threshold at one measured step.
    public struct Measurement: Equatable, Sendable {
        public var step: Int
        public var lambdaMax: Double
        public var lr: Double
        /// The stability threshold in force (c / lr), as recorded.
        public var threshold: Double
        /// lambda_max / threshold = lr * lambda_max / c: above 1 means past the threshold.
        public var ratio: Double { lambdaMax / threshold }
        /// The threshold constant c = threshold * lr (2 for SGD, 2 + 2 beta heavy ball, 38 for Adam at beta1 = 0.9).
        public var constant: Double { threshold * lr }
    }

    /// A loss spike or the divergence, with what preceded it.
    public struct Instability: Equatable, Sendable {
        /// "loss_spike" or "divergence" (the recorder's events), or "nonfinite_loss" (a NaN or
        /// infinite loss in the metrics with no divergence event at or before it).
        public var kind: String
        public var step: Int
        /// The loss at `step` (NaN or infinite where it was).
        public var loss: Double
        /// The loss of the row before (nil when there is none).
        public var previousLoss: Double?
        /// The most recent upward crossing at or before `step` (nil: none before it).
        public var crossingStep: Int?
        /// step - crossingStep.
        public var lag: Int? { crossingStep.flatMap { let (d, overflow) = step.subtractingReportingOverflow($0); return overflow ? nil : d } }
        /// The last lambda_max measurement at or before `step` (nil: none).
        public var lastMeasurement: Measurement?
        /// `clipped` at `step` (the gradient at the spiked point); nil when not recorded there.
        public var clippedAt: Bool?
        /// `clipped` at the row before (the update that led into the spike); nil when not recorded.
        public var clippedBefore: Bool?
    }

    /// The shortest linear warmup that keeps the measured lambda_max below its threshold.
    public struct Warmup: Equatable, Sendable {
        /// W: with lr_W(t) = peak * min(1, (t + 1) / W) (the recorder's warmup, held at the peak
        /// after it), the smallest W >= 0 with lr_W(t) * lambda_max(t) < c at every measurement in
        /// the window. 0: the peak lr was already below threshold at every one of them.
        public var steps: Int
        /// The run's peak learning rate (the largest recorded `lr`).
        public var peakLR: Double
        /// Measurements the estimate used: those at steps before `windowEnd` (all when nil).
        public var measurements: Int
        /// The first instability's step, when it cut the window short (the estimate is then a
        /// lower bound: lambda_max after it is not known).
        public var windowEnd: Int?
        /// The measurement that sets W (nil when W = 0).
        public var binding: Measurement?
        /// `schedule.warmup_steps` of the run's stored config (nil when the file does not say).
        public var configured: Int?
    }

    public var tracking: Tracking
    /// Measurements of lambda_max with a finite value and threshold, in step order.
    public var measurements: [Measurement]
    /// The first measurement with lambda_max > threshold (the recorder's test).
    public var firstCrossing: Measurement?
    /// The measurement with the largest ratio.
    public var largestRatio: Measurement?
    /// Steps of measurements above threshold whose previous measurement was not (or that are first).
    public var crossingsUp: [Int]
    /// Steps of measurements at or below threshold whose previous measurement was above.
    public var crossingsDown: [Int]
    /// Loss spikes, the divergence and non-finite losses, in step order.
    public var instabilities: [Instability]
    /// Whether the run recorded `clipped` (training.clip_norm > 0), and on how many steps it clipped.
    public var clippingRecorded: Bool
    public var clippedSteps: Int
    /// nil without measurements in the window (or without a threshold).
    public var warmup: Warmup?
    /// Step of the `interrupted` event, if any.
    public var interruptedAt: Int?
    /// The last recorded step (nil: no metrics rows).
    public var lastStep: Int?

    public var divergence: Instability? { instabilities.first { $0.kind == Names.divergence || $0.kind == "nonfinite_loss" } }
}

extension RunDiagnosis {
    /// Diagnoses the run read by `reader`.
    public static func read(_ reader: RunReader) throws -> RunDiagnosis {
        RunDiagnosis(metrics: try reader.metrics(), events: try reader.events(),
                     configuredWarmup: try reader.configJSON().flatMap(configuredWarmup))
    }

    /// `schedule.warmup_steps` of a stored config JSON object (nil when absent).
    static func configuredWarmup(_ json: String) -> Int? {
        guard let data = json.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let schedule = object["schedule"] as? [String: Any] else { return nil }
        return (schedule["warmup_steps"] as? NSNumber)?.intValue
    }

    /// The diagnosis of a metrics table and event list (see the type's members for each fact).
    public init(metrics: MetricsTable, events: [RunEvent], configuredWarmup: Int? = nil) {
        let steps = metrics.steps
        let lr = metrics[Names.lr], loss = metrics[Names.loss]
        let hasFinite = { (name: String) in metrics.columns[name]?.contains(where: \.isFinite) ?? false }
        // Adam's threshold applies to the preconditioned Hessian; the SGD family's to the Hessian.
        let names: (String, String)?
        if hasFinite(Names.preconditioned) && hasFinite(Names.preconditionedThreshold) {
            tracking = .measured(.preconditioned); names = (Names.preconditioned, Names.preconditionedThreshold)
        } else if hasFinite(Names.sharpness) && hasFinite(Names.sharpnessThreshold) {
            tracking = .measured(.hessian); names = (Names.sharpness, Names.sharpnessThreshold)
        } else {
            tracking = hasFinite(Names.sharpness) || hasFinite(Names.preconditioned) ? .noThreshold : .noSharpness
            names = nil
        }
        measurements = []
        if let (value, threshold) = names {
            let lambdas = metrics[value], thresholds = metrics[threshold]
            for i in steps.indices where lambdas[i].isFinite && thresholds[i].isFinite && thresholds[i] > 0 {
                measurements.append(Measurement(step: steps[i], lambdaMax: lambdas[i], lr: lr[i], threshold: thresholds[i]))
            }
        }
        firstCrossing = measurements.first { $0.ratio > 1 }
        largestRatio = measurements.max { $0.ratio < $1.ratio }
        crossingsUp = []; crossingsDown = []
        var above: Bool?
        for m in measurements {
            let now = m.ratio > 1
            if now && above != true { crossingsUp.append(m.step) }
            if !now && above == true { crossingsDown.append(m.step) }
            above = now
        }

        let clipped = metrics.columns[Names.clipped]
        clippingRecorded = clipped?.contains(where: \.isFinite) ?? false
        clippedSteps = clipped?.filter { $0.isFinite && $0 != 0 }.count ?? 0
        let row = Dictionary(steps.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        func flag(_ index: Int?) -> Bool? {
            guard let index, let value = clipped?[index], value.isFinite else { return nil }
            return value != 0
        }

        // Instabilities: the recorder's events, plus a non-finite loss no divergence event covers.
        var found: [(kind: String, step: Int)] = events.filter { $0.kind == Names.lossSpike || $0.kind == Names.divergence }
            .map { ($0.kind, $0.step) }
        if let i = loss.indices.first(where: { !loss[$0].isFinite }),
           !found.contains(where: { $0.kind == Names.divergence && $0.step <= steps[i] }) {
            found.append(("nonfinite_loss", steps[i]))
        }
        found.sort { $0.step < $1.step }
        let measured = measurements
        let ups = crossingsUp
        instabilities = found.map { kind, step in
            let index = row[step]
            let previous = index.flatMap { $0 > 0 ? $0 - 1 : nil }
            return Instability(kind: kind, step: step, loss: index.map { loss[$0] } ?? .nan,
                               previousLoss: previous.map { loss[$0] },
                               crossingStep: ups.last { $0 <= step },
                               lastMeasurement: measured.last { $0.step <= step },
                               clippedAt: flag(index), clippedBefore: flag(previous))
        }

        // Warmup: measurements before the first instability (all of them when there was none).
        let windowEnd = instabilities.first?.step
        let window = measurements.filter { windowEnd == nil || $0.step < windowEnd! }
        let peak = lr.filter(\.isFinite).max()
        if let peak, peak > 0, !window.isEmpty {
            var w = 0
            var binding: Measurement?
            for m in window where peak * m.lambdaMax >= m.constant {
                // lr_W(t) * lambda < c  <=>  W > (t + 1) * peak * lambda / c, which is >= t + 1 here.
                // In Double: a damaged or diverged run's values can make it infinite or beyond Int.
                let bound = (Double(m.step) + 1) * peak * m.lambdaMax / m.constant
                guard bound.isFinite, bound >= 0 else { continue }
                let needed = bound < 9e18 ? Int(bound.rounded(.down)) + 1 : Int.max
                if needed > w { w = needed; binding = m }
            }
            warmup = Warmup(steps: w, peakLR: peak, measurements: window.count, windowEnd: windowEnd,
                            binding: binding, configured: configuredWarmup)
        } else {
            warmup = nil
        }
        interruptedAt = events.first { $0.kind == Names.interrupted }?.step
        lastStep = steps.last
    }
}
