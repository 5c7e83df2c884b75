import Foundation

/// Which keys of a resolved config matter for this run. The stored config lists every key
/// (defaults filled in, so the file says exactly what ran); a summary for people shows only these
/// (`curv-inspect`'s text output): no `data.classes` for digits, no `beta2` for SGD, no
/// `final_fraction` without cosine decay, no MetaInit settings without a learned initialization.
extension RunConfig {
    /// Dotted keys that do not apply to this config (e.g. `data.dimension`, `optimizer.beta1`).
    public var inapplicableKeys: Set<String> {
        var out: Set<String> = []
        func drop(_ section: String, _ keys: [String]) { out.formUnion(keys.map { "\(section).\($0)" }) }

        // [data]: what the source reads (the shared keys always apply).
        let perSource: [DataConfig.Source: [String]] = [
            .digits: ["path"], .idx: ["images", "labels"], .cifar10: ["files"],
            .csv: ["path", "header", "label_column", "target_columns"],
            .gaussianMixture: ["count", "dimension", "classes", "separation"],
            .teacherStudent: ["count", "teacher_widths", "noise"],
            .text: ["path", "files", "context", "tokenizer", "count"],
            .copy: ["count", "context", "symbols"], .sort: ["count", "context", "symbols"],
            .modularAddition: ["count", "context", "modulus"],
        ]
        let allSourceKeys = Set(perSource.values.flatMap { $0 })
        drop("data", allSourceKeys.subtracting(perSource[data.source] ?? []).sorted())

        // [model]: by kind.
        let perKind: [String: [String]] = [
            "mlp": ["hidden", "activation", "dropout"],
            "cnn": ["channels", "hidden", "batch_norm", "activation", "dropout", "hessian_mode"],
            "resnet": ["blocks", "width", "normalization", "zero_init_residual", "hessian_mode"],
            "transformer": ["width", "layers", "heads", "mlp_width", "layer_norm", "final_norm", "positional", "tied_embedding"],
        ]
        let allModelKeys = Set(perKind.values.flatMap { $0 })
        drop("model", allModelKeys.subtracting(perKind[model.kind] ?? Array(allModelKeys)).sorted())

        // [optimizer]: momentum for heavy ball and Nesterov, the moments for Adam.
        if !(optimizer.kind == .momentum || optimizer.kind == .nesterov) { drop("optimizer", ["momentum"]) }
        if !optimizer.kind.isAdaptive { drop("optimizer", ["beta1", "beta2", "eps"]) }

        // [schedule]: the decay's own settings.
        if schedule.decay != .cosine { drop("schedule", ["final_fraction"]) }
        if schedule.decay != .step { drop("schedule", ["step_every", "step_factor"]) }

        // [training], [record]: settings of features that are off.
        if record.blockSharpnessEvery == 0 { drop("record", ["blocks"]) }
        if record.sharpnessEvery == 0 && record.blockSharpnessEvery == 0 { drop("record", ["sharpness_lanczos", "sharpness_tolerance"]) }
        if record.sharpnessEvery == 0 || !optimizer.kind.isAdaptive { drop("record", ["preconditioned"]) }
        if record.spectrumSteps(totalSteps: steps).isEmpty { drop("record", ["spectrum_probes", "spectrum_lanczos"]) }

        // [learned_init]: only the method when there is none; each method's own settings otherwise.
        switch learnedInit.method {
        case .none: drop("learned_init", ["steps", "lr", "momentum", "examples", "epsilon", "gradient_bound", "step_lr", "min_scale"])
        case .metainit: drop("learned_init", ["gradient_bound", "step_lr"])
        case .gradinit: drop("learned_init", ["momentum", "epsilon"])
        }
        return out
    }

    /// The stored config's text as a summary shows it: only the keys that apply (`inapplicableKeys`
    /// left out; sections sorted by name). Throws when `text` does not parse.
    public static func applicableTOML(_ text: String, file: String) throws -> String {
        let config = try parse(text, file: file)
        let skip = config.inapplicableKeys
        var tree = try ConfigValue.parse(toml: text, file: file)
        for key in skip {
            let parts = key.split(separator: ".").map(String.init)
            guard parts.count == 2, case var .table(section)? = tree[parts[0]] else { continue }
            section[parts[1]] = nil
            tree[parts[0]] = .table(section)
        }
        return ConfigTree.toml(tree)
    }
}
