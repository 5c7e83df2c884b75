// The machine-readable (JSON) and human-readable (text) summaries of a run that curv-inspect
// prints. The JSON object's keys are a contract (DESIGN.md, docs/run-format.md).

import Foundation

public enum RunSummary {
    /// Metrics always present in the JSON `metrics` object, in this order (all-null when not recorded).
    public static let leadingMetrics = ["loss", "lr", "sharpness"]

    /// The `curv-inspect --json` object: format_version, software, created, parameters, config,
    /// model, data, checkpoints, spectra, metrics (equal-length arrays; NaN -> null), events,
    /// analyses, diagnosis (`RunDiagnosis.json`).
    public static func json(_ reader: RunReader) throws -> JSONValue {
        let metrics = try reader.metrics()
        var metricMembers: [(String, JSONValue)] = [("step", .ints(metrics.steps))]
        for name in leadingMetrics + metrics.names.filter({ !leadingMetrics.contains($0) }) {
            metricMembers.append((name, .doubles(metrics[name])))
        }
        let batch = try reader.hessianBatch(as: Double.self)
        let data = try reader.dataProvenance()
        let spectra = try reader.spectrumKeys().map { key -> JSONValue in
            .object([("step", .int(key.step)), ("operator", .string(key.operator.rawValue))])
        }
        let analyses = try reader.analyses().map { stored -> JSONValue in
            let a = stored.analysis
            return .object([("id", .string(stored.id)), ("step", .int(a.step)), ("operator", .string(a.operator.rawValue)),
                            ("probes", .int(a.probes)), ("lanczos", .int(a.lanczosSteps)),
                            ("top", .doubles(a.topEigenvalues)), ("bottom", .doubles(a.bottomEigenvalues)),
                            ("top_residuals", .doubles(a.topResiduals)), ("bottom_residuals", .doubles(a.bottomResiduals)),
                            // Per value: met eigen_tolerance (null where the file does not say).
                            ("top_converged", .array(flags(a.topConverged, count: a.topEigenvalues.count))),
                            ("bottom_converged", .array(flags(a.bottomConverged, count: a.bottomEigenvalues.count))),
                            ("eigen_tolerance", .double(a.eigenTolerance)),
                            ("trace", .double(a.trace)),
                            ("trace_stderr", .double(a.traceStandardError)), ("sigma", .double(a.sigma)),
                            ("dtype", .string(a.dtype)), ("reorthogonalization", .string(a.reorthogonalization)),
                            ("block_grouping", .string(a.blockGrouping)),
                            ("blocks", .array(a.blocks.map { b in
                                .object([("name", .string(b.name)), ("size", .int(b.size)), ("lambda_max", .double(b.value)),
                                         ("residual", .double(b.residual)), ("converged", .bool(b.converged))])
                            })),
                            ("created", .string(stored.created))])
        }
        let config = try reader.configJSON().flatMap(compactObject) ?? .null
        let spec = try reader.modelSpec()
        return .object([
            ("format_version", .string(reader.formatVersion)),
            ("software", .string(reader.software)),
            ("created", .string(reader.created)),
            ("processes", .int(reader.processes)),
            ("parameters", .int(try reader.parameterCount())),
            ("config", config),
            ("model", compactObject(spec) ?? .string(spec)),
            ("data", .object([("name", .string(data.name)), ("path", .string(data.path)), ("sha256", .string(data.sha256)),
                              ("bytes", data.bytes.map { .int($0) } ?? .null),
                              ("hessian_batch", batch.map { .int($0.indices.count) } ?? .null)])),
            ("checkpoints", .ints(try reader.checkpointSteps())),
            ("spectra", .array(spectra)),
            ("metrics", .object(metricMembers)),
            ("events", .array(try reader.events().map {
                .object([("step", .int($0.step)), ("kind", .string($0.kind)), ("detail", .string($0.detail)),
                         ("operator", $0.operator.map { .string($0.rawValue) } ?? .null)])
            })),
            ("analyses", .array(analyses)),
            ("learned_init", try learnedInitJSON(reader)),
            ("imported", try importedJSON(reader)),
            ("diagnosis", RunDiagnosis(metrics: metrics, events: try reader.events(),
                                       configuredWarmup: try reader.configJSON().flatMap(RunDiagnosis.configuredWarmup)).json),
        ])
    }

    /// /learned_init: the method, each tensor's scale, the iterations and each history series.
    static func learnedInitJSON(_ reader: RunReader) throws -> JSONValue {
        guard let r = try reader.learnedInit() else { return .null }
        let scales: [(String, JSONValue)] = zip(r.tensors, r.scales).map { ($0, .double($1)) }
        let history: [(String, JSONValue)] = r.series.map { ($0.name, .doubles($0.values)) }
        return .object([("method", .string(r.method)), ("scales", .object(scales)),
                        ("iterations", .int(max(r.scaleHistory.count - 1, 0))), ("history", .object(history))])
    }

    /// /imported: the weights file, its layout, the check losses and each tensor's source and conversion.
    static func importedJSON(_ reader: RunReader) throws -> JSONValue {
        guard let r = try reader.imported() else { return .null }
        let tensors: [JSONValue] = r.tensors.indices.map {
            .object([("name", .string(r.tensors[$0])), ("source", .string(r.sourceNames[$0])), ("conversion", .string(r.conversions[$0]))])
        }
        return .object([("source", .string(r.source)), ("format", .string(r.format)), ("sha256", .string(r.sha256)), ("bytes", .int(r.bytes)),
                        ("convention", .string(r.convention)), ("exporter", .string(r.exporter)), ("check_examples", .int(r.checkExamples)),
                        ("check_mode", .string(r.checkMode)), ("exporter_loss", .double(r.exporterLoss)), ("loss", .double(r.loss)),
                        ("tensors", .array(tensors))])
    }

    /// A JSON object's text re-serialized compactly (sorted keys), or nil when it is not one.
    static func compactObject(_ text: String) -> JSONValue? {
        guard let data = text.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data), object is [String: Any],
              let compact = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return nil }
        return .raw(String(decoding: compact, as: UTF8.self))
    }

    /// What "the Hessian" means for a model whose examples are coupled (BatchNorm), from the
    /// spec's `hessian_mode` and `normalization_group`; nil for models without batch statistics.
    static func hessianMeaning(_ spec: String) -> String? {
        guard let data = spec.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let mode = object["hessian_mode"] as? String else { return nil }
        if mode == "eval" { return "Hessian of the eval-mode loss (BatchNorm with each checkpoint's running statistics)" }
        let group = (object["normalization_group"] as? Int).map { "consecutive groups of \($0) examples (the training batch size)" }
            ?? "the whole Hessian batch at once (full-batch training)"
        return "Hessian of the train-mode loss: BatchNorm statistics over \(group)"
    }

    /// A readable multi-line summary: header, model, data, config, metrics, checkpoints,
    /// spectra, events, analyses. `config` replaces the stored config's text in it (curv-inspect
    /// passes the keys that apply to the run; the file keeps every key).
    public static func text(_ reader: RunReader, config: String? = nil) throws -> String {
        var lines: [String] = []
        lines.append("\(reader.path): Curvature run, format \(reader.formatVersion), \(reader.software), created \(reader.created)"
                     + (reader.processes > 1 ? ", recorded by \(reader.processes) MPI processes" : ""))
        let spec = try reader.modelSpec()
        lines.append("model:       \(spec)")
        if let meaning = hessianMeaning(spec) { lines.append("curvature:   \(meaning)") }
        lines.append("parameters:  \(try reader.parameterCount())")
        let data = try reader.dataProvenance()
        var dataLine = "data:        \(data.name)"
        if !data.path.isEmpty { dataLine += " (\(data.path))" }
        if !data.sha256.isEmpty { dataLine += ", sha256 \(data.sha256.prefix(12))…" }
        if let bytes = data.bytes { dataLine += ", \(bytes) bytes" }
        lines.append(dataLine)
        if let batch = try reader.hessianBatch(as: Double.self) {
            var parts = ["\(batch.indices.count) examples"]
            if let inputs = batch.inputs { parts.append("inputs \(inputs.shape) embedded") } else { parts.append("inputs not embedded") }
            if batch.labels != nil {
                parts.append(batch.positions.map { "labels [\(batch.indices.count), \($0)] (next tokens\(batch.classes.map { " over \($0) tokens" } ?? ""))" } ?? "labels")
            }
            lines.append("hessian:     " + parts.joined(separator: ", "))
        } else {
            lines.append("hessian:     no batch stored")
        }
        if let learned = try reader.learnedInit() {
            let history = learned.series.first { $0.name == "gradient_quotient" || $0.name == "objective" }
            let change = history.flatMap { h in h.values.first.map { "\(h.name) \(format($0)) -> \(format(h.values.last!)); " } } ?? ""
            lines.append("learned init: \(learned.method), \(max(learned.scaleHistory.count - 1, 0)) iterations; \(change)scales "
                         + zip(learned.tensors, learned.scales).map { "\($0) \(String(format: "%.4g", $1))" }.joined(separator: ", "))
        }
        if let imported = try reader.imported() {
            var line = "imported:    step 0 from \(imported.source) (\(imported.format), \(imported.convention) layout, \(imported.tensors.count) tensors"
                + (imported.exporter.isEmpty ? "" : ", by \(imported.exporter)") + ")"
            if imported.checkExamples > 0 {
                line += "; check loss on \(imported.checkExamples) examples (\(imported.checkMode)) \(format(imported.loss))"
                    + (imported.exporterLoss.isNaN ? "" : ", exporter's \(format(imported.exporterLoss))")
            }
            lines.append(line)
        }
        lines.append("config:")
        lines += try (config ?? reader.configTOML()).split(separator: "\n", omittingEmptySubsequences: false)
            .map { "  " + $0 }.filter { !$0.allSatisfy(\.isWhitespace) }

        let metrics = try reader.metrics()
        if let first = metrics.steps.first, let last = metrics.steps.last {
            lines.append("metrics:     \(metrics.steps.count) rows, steps \(first)…\(last): \(metrics.names.joined(separator: ", "))")
            let latest = metrics.names.compactMap { name -> String? in
                guard let value = metrics[name].last(where: { !$0.isNaN }) else { return nil }
                return "\(name) \(format(value))"
            }
            if !latest.isEmpty { lines.append("  latest:    " + latest.joined(separator: ", ")) }
        } else {
            lines.append("metrics:     none")
        }
        let checkpoints = try reader.checkpointSteps()
        lines.append("checkpoints: \(checkpoints.count)" + (checkpoints.isEmpty ? "" : " at steps " + list(checkpoints)))
        let spectra = try reader.spectrumKeys()
        lines.append("spectra:     \(spectra.count)")
        for op in SpectralOperator.allCases {
            let steps = spectra.filter { $0.operator == op }.map(\.step)
            if !steps.isEmpty { lines.append("  \(op.rawValue): steps \(list(steps))") }
        }
        let events = try reader.events()
        lines.append("events:      \(events.count)")
        for event in events.prefix(20) { lines.append("  step \(event.step)  \(event.kind)  \(event.detail)") }
        if events.count > 20 { lines.append("  … \(events.count - 20) more (curv-inspect --json lists all)") }
        let analyses = try reader.analyses()
        lines.append("analyses:    \(analyses.count)")
        for stored in analyses {
            let a = stored.analysis
            // A value that did not meet the analysis's eigenvalue tolerance is marked "?".
            func values(_ v: [Double], _ converged: [Bool], _ k: Int) -> String {
                v.prefix(k).enumerated().map { i, x in format(x) + (i < converged.count && !converged[i] ? "?" : "") }.joined(separator: ", ")
            }
            let bottom = a.bottomEigenvalues.isEmpty ? "" : ", bottom \(values(a.bottomEigenvalues, a.bottomConverged, 1))"
            var line = "  \(stored.id)  step \(a.step) \(a.operator.rawValue), \(a.probes) probes × \(a.lanczosSteps) Lanczos steps, top \(values(a.topEigenvalues, a.topConverged, 3))\(bottom)"
                + (a.trace.isNaN ? "" : ", trace \(format(a.trace)) ± \(format(a.traceStandardError))")
            if (a.topConverged + a.bottomConverged).contains(false) {
                line += " ('?': residual above \(format(a.eigenTolerance)) of |H|)"
            }
            lines.append(line)
            if !a.blocks.isEmpty {
                lines.append("        blocks (\(a.blockGrouping)), λ_max of each H_bb: "
                             + a.blocks.map { "\($0.name) \(format($0.value))\($0.converged ? "" : "?")" }.joined(separator: ", "))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Up to 12 steps, then an ellipsis and the last one.
    private static func list(_ steps: [Int]) -> String {
        if steps.count <= 12 { return steps.map(String.init).joined(separator: ", ") }
        return steps.prefix(11).map(String.init).joined(separator: ", ") + ", …, \(steps.last!)"
    }

    private static func format(_ value: Double) -> String { String(format: "%.6g", value) }

    /// Convergence flags as JSON booleans, or nulls when the file does not record them.
    private static func flags(_ flags: [Bool], count: Int) -> [JSONValue] {
        flags.count == count ? flags.map { .bool($0) } : Array(repeating: .null, count: count)
    }
}
