// The two faces of a RunDiagnosis: the plain-language account `curv-inspect --diagnose` prints,
// and the JSON object under "diagnosis" in `curv-inspect --json` (keys in docs/run-format.md).

import Foundation

extension RunDiagnosis {
    /// The metric holding lambda_max and the one holding its threshold (nil without tracking).
    public var metricNames: (lambdaMax: String, threshold: String)? {
        guard case .measured(let op) = tracking else { return nil }
        return op == .preconditioned ? (Names.preconditioned, Names.preconditionedThreshold) : (Names.sharpness, Names.sharpnessThreshold)
    }

    // MARK: JSON

    /// The diagnosis as a JSON object (NaN and infinities become null in curv-inspect's output).
    public var json: JSONValue {
        let status: String
        switch tracking {
        case .measured: status = "measured"
        case .noSharpness: status = "no_sharpness"
        case .noThreshold: status = "no_threshold"
        }
        func optional(_ value: Int?) -> JSONValue { value.map { .int($0) } ?? .null }
        func optional(_ value: Bool?) -> JSONValue { value.map { .bool($0) } ?? .null }
        func measurement(_ m: Measurement?) -> JSONValue {
            guard let m else { return .null }
            return .object([("step", .int(m.step)), ("lambda_max", .double(m.lambdaMax)), ("lr", .double(m.lr)),
                            ("threshold", .double(m.threshold)), ("ratio", .double(m.ratio))])
        }
        let instabilityList = instabilities.map { i -> JSONValue in
            .object([("step", .int(i.step)), ("kind", .string(i.kind)), ("loss", .double(i.loss)),
                     ("previous_loss", i.previousLoss.map { .double($0) } ?? .null),
                     ("crossing_step", optional(i.crossingStep)), ("lag", optional(i.lag)),
                     ("last_measurement", measurement(i.lastMeasurement)),
                     ("clipped", optional(i.clippedAt)), ("clipped_before", optional(i.clippedBefore))])
        }
        let warmupValue: JSONValue = warmup.map { w in
            .object([("steps", .int(w.steps)), ("peak_lr", .double(w.peakLR)), ("measurements", .int(w.measurements)),
                     ("window_end", optional(w.windowEnd)), ("binding", measurement(w.binding)),
                     ("configured_warmup_steps", optional(w.configured))])
        } ?? .null
        return .object([
            ("status", .string(status)),
            ("lambda_max_metric", metricNames.map { .string($0.lambdaMax) } ?? .null),
            ("threshold_metric", metricNames.map { .string($0.threshold) } ?? .null),
            ("measurements", .int(measurements.count)),
            ("threshold_constant", measurements.first.map { .double($0.constant) } ?? .null),
            ("first_measurement", measurement(measurements.first)),
            ("first_crossing", measurement(firstCrossing)),
            ("largest_ratio", measurement(largestRatio)),
            ("crossings_up", .ints(crossingsUp)),
            ("crossings_down", .ints(crossingsDown)),
            ("instabilities", .array(instabilityList)),
            ("diverged_at", optional(divergence?.step)),
            ("clipping", .object([("recorded", .bool(clippingRecorded)), ("clipped_steps", .int(clippedSteps))])),
            ("warmup", warmupValue),
            ("interrupted_at", optional(interruptedAt)),
            ("last_step", optional(lastStep)),
        ])
    }

    // MARK: Text

    /// The plain-language account, one fact a line, with step numbers and values.
    public func text(path: String) -> String {
        var lines = ["diagnosis of \(path)"]
        let names = metricNames
        switch tracking {
        case .noSharpness:
            lines.append("sharpness:       no sharpness recorded (record.sharpness_every = 0): no threshold crossing or warmup estimate; spikes and clipping below")
        case .noThreshold:
            lines.append("sharpness:       lambda_max recorded but no stability threshold for it (an Adam run recorded without record.preconditioned: its threshold applies to the preconditioned Hessian); no crossing or warmup estimate")
        case .measured(let op):
            let what = op == .preconditioned ? "lambda_max of the Adam-preconditioned Hessian" : "lambda_max of the Hessian"
            let c = measurements.first.map { f($0.constant) } ?? "?"
            lines.append("sharpness:       \(what) (\(names!.lambdaMax)), \(measurements.count) measurement\(measurements.count == 1 ? "" : "s") at steps \(measurements.first!.step)…\(measurements.last!.step), against \(names!.threshold) = \(c)/lr")
            if let m = measurements.first {
                lines.append("at the start:    step \(m.step): lambda_max \(f(m.lambdaMax)), threshold \(f(m.threshold)) at lr \(f(m.lr)) (lr*lambda_max = \(f(m.lr * m.lambdaMax)) vs \(c)); this lambda_max is stable only for lr below \(f(m.constant / m.lambdaMax))")
            }
            if let m = firstCrossing {
                lines.append("first crossing:  step \(m.step): lambda_max \(f(m.lambdaMax)) > threshold \(f(m.threshold)) (lr \(f(m.lr))): ratio lambda_max/threshold = \(f(m.ratio))")
            } else {
                lines.append("first crossing:  none: lambda_max stayed at or below its threshold at every measurement")
            }
            if let m = largestRatio {
                lines.append("largest ratio:   \(f(m.ratio)) at step \(m.step) (lambda_max \(f(m.lambdaMax)), threshold \(f(m.threshold)))")
            }
            if !crossingsUp.isEmpty || !crossingsDown.isEmpty {
                lines.append("crossings:       up at steps: \(list(crossingsUp)); down at steps: \(list(crossingsDown))")
            }
        }
        if instabilities.isEmpty {
            lines.append("instabilities:   none (no loss spike, no divergence, every loss finite)")
        } else {
            let spikes = instabilities.filter { $0.kind == Names.lossSpike }.count
            lines.append("instabilities:   \(spikes) loss spike\(spikes == 1 ? "" : "s")" + (divergence.map { ", diverged at step \($0.step)" } ?? ", no divergence"))
            for i in instabilities.prefix(30) { lines.append("  " + describe(i)) }
            if instabilities.count > 30 { lines.append("  … \(instabilities.count - 30) more (--json lists all)") }
        }
        lines.append(clippingRecorded
                     ? "clipping:        clipped on \(clippedSteps) step\(clippedSteps == 1 ? "" : "s")"
                     : "clipping:        not recorded (training.clip_norm = 0: off)")
        if let w = warmup {
            let window = w.windowEnd.map { "the \(w.measurements) measurement\(w.measurements == 1 ? "" : "s") before the first instability (step \($0)); lambda_max after it is unknown, so this is a lower bound" }
                ?? "all \(w.measurements) measurements"
            let configured = w.configured.map { "; the run's warmup_steps: \($0)" } ?? ""
            if let b = w.binding {
                lines.append("warmup needed:   \(w.windowEnd == nil ? "" : "at least ")\(w.steps) steps of linear warmup to the peak lr \(f(w.peakLR)) (lr(t) = \(f(w.peakLR))*(t+1)/W) keep lr(t)*lambda_max(t) below \(f(b.constant)) at \(window); set by step \(b.step), lambda_max \(f(b.lambdaMax))\(configured)")
            } else {
                lines.append("warmup needed:   none: the peak lr \(f(w.peakLR)) times lambda_max stayed below the threshold constant at \(window)\(configured)")
            }
        } else if case .measured = tracking {
            lines.append("warmup needed:   unknown: no measurement before the first instability")
        }
        if let step = interruptedAt { lines.append("interrupted:     at step \(step) (the file holds the steps before it)") }
        return lines.joined(separator: "\n")
    }

    private func describe(_ i: Instability) -> String {
        var parts = ["step \(i.step)  \(i.kind)  loss \(f(i.loss))" + (i.previousLoss.map { " (previous row \(f($0)))" } ?? "")]
        switch tracking {
        case .measured:
            if let crossing = i.crossingStep {
                parts.append("\(i.lag!) step\(i.lag == 1 ? "" : "s") after the crossing at step \(crossing)")
            } else {
                parts.append("no threshold crossing before it")
            }
            if let m = i.lastMeasurement {
                parts.append("last measurement step \(m.step): lambda_max \(f(m.lambdaMax)) \(m.ratio > 1 ? "above" : "at or below") threshold \(f(m.threshold)) (ratio \(f(m.ratio)))")
            }
        default: break
        }
        if clippingRecorded {
            let word = { (b: Bool?) in b.map { $0 ? "clipped" : "not clipped" } ?? "not recorded" }
            parts.append("clipping: update into it (previous row) \(word(i.clippedBefore)), at it \(word(i.clippedAt))")
        }
        return parts.joined(separator: "; ")
    }

    private func list(_ steps: [Int]) -> String {
        if steps.isEmpty { return "none" }
        if steps.count <= 12 { return steps.map(String.init).joined(separator: ", ") }
        return steps.prefix(11).map(String.init).joined(separator: ", ") + ", … (\(steps.count) in all)"
    }

    private func f(_ value: Double) -> String { String(format: "%.4g", value) }
}
