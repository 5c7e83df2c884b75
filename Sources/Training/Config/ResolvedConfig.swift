import Foundation

extension RunConfig {
    /// The resolved config (every key, defaults filled in) as a tree of values, in the file's layout.
    public var values: [String: ConfigValue] {
        func ints(_ xs: [Int]) -> ConfigValue { .array(xs.map { .integer($0) }) }
        return [
            "name": .string(name), "seed": .integer(seed), "steps": .integer(steps), "dtype": .string(dtype),
            "data": .table([
                "source": .string(data.source.rawValue), "path": .string(data.path), "images": .string(data.images),
                "labels": .string(data.labels), "files": .array(data.files.map { .string($0) }), "header": .boolean(data.header),
                "label_column": .integer(data.labelColumn), "target_columns": ints(data.targetColumns),
                "count": .integer(data.count), "dimension": .integer(data.dimension), "classes": .integer(data.classes),
                "separation": .number(data.separation), "teacher_widths": ints(data.teacherWidths), "noise": .number(data.noise),
                "subset": .integer(data.subset), "test_fraction": .number(data.testFraction),
                "normalize": .string(data.normalize.rawValue), "shuffle_seed": .integer(data.shuffleSeed),
            ].merging(data.sequenceKeys) { $1 }),
            "model": .table(model.resolvedKeys(ints)),
            "optimizer": .table([
                "kind": .string(optimizer.kind.rawValue), "lr": .number(optimizer.lr), "momentum": .number(optimizer.momentum),
                "beta1": .number(optimizer.beta1), "beta2": .number(optimizer.beta2), "eps": .number(optimizer.eps),
                "weight_decay": .number(optimizer.weightDecay),
            ]),
            "schedule": .table([
                "warmup_steps": .integer(schedule.warmupSteps), "decay": .string(schedule.decay.rawValue),
                "final_fraction": .number(schedule.finalFraction), "step_every": .integer(schedule.stepEvery),
                "step_factor": .number(schedule.stepFactor),
            ]),
            "training": .table([
                "batch_size": .integer(training.batchSize), "clip_norm": .number(training.clipNorm),
                "chunk_size": .integer(training.chunkSize),
            ]),
            "record": .table([
                "metrics_every": .integer(record.metricsEvery), "test_every": .integer(record.testEvery),
                "sharpness_every": .integer(record.sharpnessEvery), "sharpness_lanczos": .integer(record.sharpnessLanczos),
                "sharpness_tolerance": .number(record.sharpnessTolerance),
                "preconditioned": .boolean(record.preconditioned), "hessian_examples": .integer(record.hessianExamples),
                "block_sharpness_every": .integer(record.blockSharpnessEvery), "blocks": .string(record.blocks),
                "spectrum_at": ints(record.spectrumAt), "spectrum_geometric": .number(record.spectrumGeometric),
                "spectrum_probes": .integer(record.spectrumProbes), "spectrum_lanczos": .integer(record.spectrumLanczos),
                "checkpoint_at": ints(record.checkpointAt), "checkpoint_geometric": .number(record.checkpointGeometric),
                "checkpoint_every": .integer(record.checkpointEvery),
                "divergence_factor": .number(record.divergenceFactor), "spike_factor": .number(record.spikeFactor),
                "embed_limit": .integer(record.embedLimit),
            ]),
            "learned_init": .table([
                "method": .string(learnedInit.method.rawValue), "steps": .integer(learnedInit.steps), "lr": .number(learnedInit.lr),
                "momentum": .number(learnedInit.momentum), "examples": .integer(learnedInit.examples),
                "epsilon": .number(learnedInit.epsilon), "gradient_bound": .number(learnedInit.gradientBound),
                "step_lr": .number(learnedInit.stepLR), "min_scale": .number(learnedInit.minScale),
            ]),
        ]
    }

    /// The resolved config as TOML: top-level keys, then one table per section. Parsing it gives this config back.
    public var resolvedTOML: String {
        let tree = values
        var lines = ["# Resolved Curvature run config (every key, defaults filled in)."]
        for key in ["name", "seed", "steps", "dtype"] { lines.append("\(key) = \(tree[key]!.tomlLiteral)") }
        for section in ["data", "model", "optimizer", "schedule", "training", "record", "learned_init"] {
            guard case let .table(t) = tree[section]! else { continue }
            lines.append("")
            lines.append("[\(section)]")
            for key in t.keys.sorted() { lines.append("\(key) = \(t[key]!.tomlLiteral)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The resolved config as one JSON object.
    public var resolvedJSON: String { ConfigValue.table(values).json.text() }
}
