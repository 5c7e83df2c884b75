import Foundation
import Models

extension RunConfig {
    /// Reads a config file to record (`parse`, then `validateForRecording`). Errors name the file
    /// and the key, say what value was found and what is allowed. Relative data paths in the file
    /// are read from the file's folder.
    public static func load(_ path: String) throws -> RunConfig {
        let text = try configText(path)
        let config = try parse(text, file: path, pathsRelativeTo: DataConfig.folder(of: path))
        try config.validateForRecording(file: path)
        return config
    }

    /// The text of the config file at `path`; errors say it is missing, unreadable or not UTF-8.
    static func configText(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError("\(path): cannot read the config file (missing or unreadable)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ConfigError("\(path): not UTF-8 text") }
        return text
    }

    /// Parses TOML text; `file` names the source in errors. With `folder`, the data paths the text
    /// sets (`data.path`, `data.images`, `data.labels`, `data.files`) are made absolute against it;
    /// without, they are kept as written (a run file's stored config holds absolute paths).
    public static func parse(_ text: String, file: String, pathsRelativeTo folder: String? = nil) throws -> RunConfig {
        // TOML forbids NUL, and the parser underneath reads C strings: text after a NUL would vanish.
        let bytes = Array(text.utf8)
        if let nul = bytes.firstIndex(of: 0) {
            let line = bytes[..<nul].filter { $0 == UInt8(ascii: "\n") }.count + 1
            let column = nul - (bytes[..<nul].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0) + 1
            throw ConfigError("\(file):\(line):\(column): the file contains a NUL byte (binary data, or a damaged copy); a config is plain UTF-8 text")
        }
        let root = try ConfigValue.parse(toml: text, file: file)
        var c = RunConfig()
        var top = ConfigSection(file: file, path: "", values: root)
        c.name = try top.string("name", default: c.name)
        c.seed = try top.integer("seed", default: c.seed, min: 0)
        c.steps = try top.integer("steps", default: c.steps, min: 0, max: RunConfig.maxSteps)
        c.dtype = try top.string("dtype", default: c.dtype, allowed: ["f32", "f64"])

        func section(_ name: String) throws -> ConfigSection {
            guard let v = root[name] else { return ConfigSection(file: file, path: name, values: [:]) }
            guard case let .table(t) = v else { throw ConfigError("\(file): '\(name)' must be a table ([\(name)])") }
            return ConfigSection(file: file, path: name, values: t)
        }

        var d = try section("data")
        top.markRead("data")
        c.data.source = try d.choice("source", default: c.data.source)
        let sequence = c.data.source.isSequence, text = c.data.source == .text
        c.data.path = try d.string("path", default: text ? "" : c.data.path)
        c.data.images = try d.string("images", default: c.data.images)
        c.data.labels = try d.string("labels", default: c.data.labels)
        c.data.files = try d.strings("files", default: c.data.files)
        c.data.header = try d.boolean("header", default: c.data.header)
        c.data.labelColumn = try d.integer("label_column", default: c.data.labelColumn, min: -1)
        c.data.targetColumns = try d.integers("target_columns", default: c.data.targetColumns, min: 0)
        // text: 0 (the default) keeps every window.
        c.data.count = try d.integer("count", default: text ? 0 : c.data.count, min: text ? 0 : 1)
        c.data.dimension = try d.integer("dimension", default: c.data.dimension, min: 1)
        c.data.classes = try d.integer("classes", default: c.data.classes, min: 2)
        c.data.separation = try d.number("separation", default: c.data.separation, min: 0)
        c.data.teacherWidths = try d.integers("teacher_widths", default: c.data.teacherWidths, min: 1)
        c.data.noise = try d.number("noise", default: c.data.noise, min: 0)
        c.data.subset = try d.integer("subset", default: c.data.subset, min: 0)
        c.data.testFraction = try d.number("test_fraction", default: c.data.testFraction, min: 0, max: 0.9)
        if sequence {
            c.data.context = try d.integer("context", default: c.data.context, min: 1, max: DataConfig.maximumContext)
            switch c.data.source {
            case .text: c.data.tokenizer = try d.choice("tokenizer", default: c.data.tokenizer)
            case .copy, .sort: c.data.symbols = try d.integer("symbols", default: c.data.symbols, min: 2, max: Dataset.maximumClasses - 1)
            default: c.data.modulus = try d.integer("modulus", default: c.data.modulus, min: 2, max: Dataset.maximumClasses - 1)
            }
        }
        // Token ids are categories, not measurements: sequence data are never normalized.
        c.data.normalize = try d.choice("normalize", default: sequence ? .none : c.data.normalize)
        if let problem = c.data.normalizationProblem { throw ConfigError("\(file): \(problem)") }
        c.data.shuffleSeed = try d.integer("shuffle_seed", default: c.data.shuffleSeed, min: 0)
        try d.rejectUnknownKeys()
        if let folder {
            // Only paths the file sets: the defaults (the bundled digits, the system's text corpus) are not in it.
            func resolved(_ path: String) -> String { DataConfig.absolutePath(path, against: folder) }
            if d.values["path"] != nil { c.data.path = resolved(c.data.path) }
            if d.values["images"] != nil { c.data.images = resolved(c.data.images) }
            if d.values["labels"] != nil { c.data.labels = resolved(c.data.labels) }
            if d.values["files"] != nil { c.data.files = c.data.files.map(resolved) }
            // The default digits folder is the repository's, from the working directory; stored absolute too.
            if d.values["path"] == nil && c.data.source == .digits {
                let here = FileManager.default.currentDirectoryPath
                c.data.path = DataConfig.absolutePath(c.data.path, against: here)
                guard FileManager.default.fileExists(atPath: c.data.path) else {
                    throw ConfigError("\(file): data.path is not set, so the digits source reads fixtures/digits in the working directory (\(here)), which has none; set data.path (relative to the config file's folder) or run from the repository root")
                }
            }
        }
        switch c.data.source {
        case .idx where c.data.images.isEmpty || c.data.labels.isEmpty:
            throw ConfigError("\(file): data.source = \"idx\" needs data.images and data.labels (paths to IDX files)")
        case .cifar10 where c.data.files.isEmpty:
            throw ConfigError("\(file): data.source = \"cifar10\" needs data.files (a list of binary batch files)")
        case .csv where c.data.labelColumn < 0 && c.data.targetColumns.isEmpty:
            throw ConfigError("\(file): data.source = \"csv\" needs data.label_column (classification) or data.target_columns (regression)")
        case .teacherStudent where c.data.teacherWidths.count < 2:
            throw ConfigError("\(file): data.teacher_widths needs at least [inputs, outputs]")
        case .text where !c.data.path.isEmpty && !c.data.files.isEmpty:
            throw ConfigError("\(file): data.source = \"text\" reads data.path (one file) or data.files (several), not both; move the path into data.files")
        case .text where c.data.path.isEmpty && c.data.files.isEmpty:
            c.data.files = Dataset.defaultTextCorpus
        case .copy where c.data.context % 2 == 1, .sort where c.data.context % 2 == 1:
            throw ConfigError("\(file): data.context = \(c.data.context): data.source = \"\(c.data.source.rawValue)\" needs an even context (k symbols, a separator and k symbols are context + 1 tokens); use \(c.data.context + 1)")
        default: break
        }

        var m = try section("model")
        top.markRead("model")
        // Token sequences default to the model that reads them.
        c.model.kind = try m.string("kind", default: sequence ? "transformer" : c.model.kind, allowed: ModelSpec.knownKinds)
        let image = c.model.kind == "cnn" || c.model.kind == "resnet", transformer = c.model.kind == "transformer"
        // Token ids are categories: only a model that embeds them reads them as such.
        if sequence && !transformer {
            throw ConfigError("\(file): data.source = \"\(c.data.source.rawValue)\" gives token sequences, but model.kind = \"\(c.model.kind)\" would read the token ids as numbers; set model.kind = \"transformer\"")
        }
        if transformer && !sequence {
            throw ConfigError("\(file): model.kind = \"transformer\" needs token sequences, but data.source = \"\(c.data.source.rawValue)\" gives feature vectors; use data.source = \"text\" or a sequence task (copy, sort, modular_addition)")
        }
        // Image models default to ReLU, He initialization and no dense hidden layers; a
        // transformer has its own sizes (GELU in its MLPs, LeCun initialization).
        if !transformer {
            c.model.hidden = try m.integers("hidden", default: image ? [] : c.model.hidden, min: 1)
            c.model.activation = try m.choice("activation", default: image ? .relu : c.model.activation)
        }
        c.model.initialization = try m.choice("init", default: image ? .heNormal : c.model.initialization)
        c.model.loss = try m.choice("loss", default: c.model.loss)
        if c.model.kind == "cnn" {
            c.model.channels = try m.integers("channels", default: c.model.channels, min: 1)
            c.model.batchNorm = try m.boolean("batch_norm", default: c.model.batchNorm)
        }
        if c.model.kind == "resnet" {
            c.model.blocks = try m.integer("blocks", default: c.model.blocks, min: 1, max: 1000)
            c.model.width = try m.integer("width", default: c.model.width, min: 1, max: 4096)
            c.model.normalization = try m.choice("normalization", default: c.model.normalization)
            c.model.zeroInitResidual = try m.boolean("zero_init_residual", default: c.model.zeroInitResidual)
            if c.model.activation != .relu {
                throw ConfigError("\(file): model.activation = \"\(c.model.activation.rawValue)\": a resnet uses relu; remove the key or set it to \"relu\"")
            }
        }
        if transformer {
            c.model.width = try m.integer("width", default: 64, min: 1, max: 8192)
            c.model.layers = try m.integer("layers", default: c.model.layers, min: 0, max: 1000)
            c.model.heads = try m.integer("heads", default: c.model.heads, min: 1, max: 8192)
            guard c.model.width % c.model.heads == 0 else {
                throw ConfigError("\(file): model.heads = \(c.model.heads) does not divide model.width = \(c.model.width); each head has width / heads dimensions")
            }
            c.model.mlpWidth = try m.integer("mlp_width", default: 4 * c.model.width, min: 1, max: 1 << 16)
            c.model.layerNorm = try m.choice("layer_norm", default: c.model.layerNorm)
            c.model.finalNorm = try m.boolean("final_norm", default: c.model.layerNorm == .pre)
            c.model.positional = try m.choice("positional", default: c.model.positional)
            c.model.tiedEmbedding = try m.boolean("tied_embedding", default: c.model.tiedEmbedding)
        }
        if image { c.model.hessianMode = try m.choice("hessian_mode", default: c.model.hessianMode) }
        c.model.dropout = try m.number("dropout", default: c.model.dropout, min: 0, max: 0.99)
        if c.model.dropout > 0 && (c.model.kind == "resnet" || transformer) {
            throw ConfigError("\(file): model.dropout is for kind = \"mlp\" or \"cnn\"; a \(c.model.kind) has no dropout layer")
        }
        try m.rejectUnknownKeys()

        var o = try section("optimizer")
        top.markRead("optimizer")
        c.optimizer.kind = try o.choice("kind", default: c.optimizer.kind)
        c.optimizer.lr = try o.number("lr", default: c.optimizer.lr, min: 0, exclusiveMin: true)
        c.optimizer.momentum = try o.number("momentum", default: c.optimizer.momentum, min: 0, max: 0.9999)
        c.optimizer.beta1 = try o.number("beta1", default: c.optimizer.beta1, min: 0, max: 0.9999)
        c.optimizer.beta2 = try o.number("beta2", default: c.optimizer.beta2, min: 0, max: 0.999999)
        c.optimizer.eps = try o.number("eps", default: c.optimizer.eps, min: 0, exclusiveMin: true)
        c.optimizer.weightDecay = try o.number("weight_decay", default: c.optimizer.weightDecay, min: 0)
        try o.rejectUnknownKeys()

        var s = try section("schedule")
        top.markRead("schedule")
        c.schedule.warmupSteps = try s.integer("warmup_steps", default: c.schedule.warmupSteps, min: 0)
        c.schedule.decay = try s.choice("decay", default: c.schedule.decay)
        c.schedule.finalFraction = try s.number("final_fraction", default: c.schedule.finalFraction, min: 0, max: 1)
        c.schedule.stepEvery = try s.integer("step_every", default: c.schedule.stepEvery, min: 1)
        c.schedule.stepFactor = try s.number("step_factor", default: c.schedule.stepFactor, min: 0, exclusiveMin: true)
        try s.rejectUnknownKeys()

        var t = try section("training")
        top.markRead("training")
        c.training.batchSize = try t.integer("batch_size", default: c.training.batchSize, min: 0)
        c.training.clipNorm = try t.number("clip_norm", default: c.training.clipNorm, min: 0)
        c.training.chunkSize = try t.integer("chunk_size", default: c.training.chunkSize, min: 1)
        try t.rejectUnknownKeys()

        var r = try section("record")
        top.markRead("record")
        c.record.metricsEvery = try r.integer("metrics_every", default: c.record.metricsEvery, min: 1)
        c.record.testEvery = try r.integer("test_every", default: c.record.testEvery, min: 0)
        c.record.sharpnessEvery = try r.integer("sharpness_every", default: c.record.sharpnessEvery, min: 0)
        c.record.sharpnessLanczos = try r.integer("sharpness_lanczos", default: c.record.sharpnessLanczos, min: 2)
        c.record.sharpnessTolerance = try r.number("sharpness_tolerance", default: c.record.sharpnessTolerance, min: 0, max: 1)
        c.record.preconditioned = try r.boolean("preconditioned", default: c.record.preconditioned)
        c.record.blockSharpnessEvery = try r.integer("block_sharpness_every", default: c.record.blockSharpnessEvery, min: 0)
        c.record.blocks = try r.string("blocks", default: c.record.blocks)
        if BlockGrouping(c.record.blocks) == nil {
            throw ConfigError("\(file): record.blocks = \"\(c.record.blocks)\": use \"layers\", \"tensors\" or comma-separated parameter-name prefixes (none empty or repeated), e.g. \"block0,block1,head\"")
        }
        c.record.hessianExamples = try r.integer("hessian_examples", default: c.record.hessianExamples, min: 0)
        c.record.spectrumAt = try r.integers("spectrum_at", default: c.record.spectrumAt, min: 0)
        c.record.spectrumGeometric = try r.factor("spectrum_geometric", default: c.record.spectrumGeometric, allowed: RecordConfig.geometricFactors)
        c.record.spectrumProbes = try r.integer("spectrum_probes", default: c.record.spectrumProbes, min: 1)
        c.record.spectrumLanczos = try r.integer("spectrum_lanczos", default: c.record.spectrumLanczos, min: 2)
        c.record.checkpointAt = try r.integers("checkpoint_at", default: c.record.checkpointAt, min: 0)
        c.record.checkpointGeometric = try r.factor("checkpoint_geometric", default: c.record.checkpointGeometric, allowed: RecordConfig.geometricFactors)
        c.record.checkpointEvery = try r.integer("checkpoint_every", default: c.record.checkpointEvery, min: 0, max: RunConfig.maxSteps)
        if c.record.checkpointEvery > 0 && c.steps / c.record.checkpointEvery > RecordConfig.maxPeriodicCheckpoints {
            throw ConfigError("\(file): record.checkpoint_every = \(c.record.checkpointEvery) asks for \(c.steps / c.record.checkpointEvery) checkpoints over \(c.steps) steps; at most \(RecordConfig.maxPeriodicCheckpoints): raise it")
        }
        c.record.divergenceFactor = try r.number("divergence_factor", default: c.record.divergenceFactor, min: 1, exclusiveMin: true)
        c.record.spikeFactor = try r.number("spike_factor", default: c.record.spikeFactor, min: 1, exclusiveMin: true)
        c.record.embedLimit = try r.integer("embed_limit", default: c.record.embedLimit, min: 0)
        try r.rejectUnknownKeys()
        var l = try section("learned_init")
        top.markRead("learned_init")
        c.learnedInit.method = try l.choice("method", default: c.learnedInit.method)
        c.learnedInit.steps = try l.integer("steps", default: c.learnedInit.steps, min: 1, max: 100_000)
        c.learnedInit.lr = try l.number("lr", default: c.learnedInit.lr, min: 0, exclusiveMin: true, max: 10)
        c.learnedInit.momentum = try l.number("momentum", default: c.learnedInit.momentum, min: 0, max: 0.999)
        c.learnedInit.examples = try l.integer("examples", default: c.learnedInit.examples, min: 1)
        c.learnedInit.epsilon = try l.number("epsilon", default: c.learnedInit.epsilon, min: 0, exclusiveMin: true, max: 1)
        c.learnedInit.gradientBound = try l.number("gradient_bound", default: c.learnedInit.gradientBound, min: 0, exclusiveMin: true)
        c.learnedInit.stepLR = try l.number("step_lr", default: c.learnedInit.stepLR, min: 0)
        c.learnedInit.minScale = try l.number("min_scale", default: c.learnedInit.minScale, min: 0, exclusiveMin: true, max: 1)
        try l.rejectUnknownKeys()
        if c.record.testEvery > 0 && c.data.testFraction == 0 {
            throw ConfigError("\(file): record.test_every = \(c.record.testEvery) needs a test set: set data.test_fraction > 0 (or test_every = 0)")
        }
        try top.rejectUnknownKeys()
        return c
    }

    /// The checks a config to be recorded must pass beyond its keys' own ranges, naming `file`:
    /// no checkpoint or spectrum listed past the last step, and a model and data set that fit in
    /// this machine's memory, as far as the config tells (`load` runs them; a config stored in a
    /// run file is only parsed, so a run recorded elsewhere still reads here).
    public func validateForRecording(file: String) throws {
        for (key, steps) in [("record.checkpoint_at", record.checkpointAt), ("record.spectrum_at", record.spectrumAt)] {
            let beyond = steps.filter { $0 > self.steps }
            guard beyond.isEmpty else {
                throw ConfigError("\(file): \(key) lists step\(beyond.count > 1 ? "s" : "") \(beyond.map(String.init).joined(separator: ", ")) beyond steps = \(self.steps): the run never reaches \(beyond.count > 1 ? "them" : "it"); remove \(beyond.count > 1 ? "them" : "it") or raise steps")
            }
        }
        try checkSizes(file: file)
    }
}
