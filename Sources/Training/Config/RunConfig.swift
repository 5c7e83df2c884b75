import Foundation
import Models

/// Everything a recorded run is made from. Parsed from TOML (`docs/config.md` lists every key);
/// the resolved form (defaults filled in) is stored in the run file.
public struct RunConfig: Equatable, Sendable {
    public var name = "run"
    public var seed = 0
    public var steps = 1000
    /// "f32" or "f64": the model's precision (Lanczos is always Float64).
    public var dtype = "f32"
    public var data = DataConfig()
    public var model = ModelConfig()
    public var optimizer = OptimizerConfig()
    public var schedule = ScheduleConfig()
    public var training = TrainingConfig()
    public var record = RecordConfig()
    public var learnedInit = LearnedInitConfig()

    public init() {}
}

public struct DataConfig: Equatable, Sendable {
    public enum Source: String, CaseIterable, Sendable {
        case digits, idx, cifar10, csv, gaussianMixture = "gaussian_mixture", teacherStudent = "teacher_student"
        case text, copy, sort, modularAddition = "modular_addition"

        /// Next-token prediction data: token-id features and `context` labels per example.
        public var isSequence: Bool { [.text, .copy, .sort, .modularAddition].contains(self) }
    }
    public var source = Source.digits
    /// digits: the directory holding the two IDX files; csv: the file; text: one text file.
    public var path = "fixtures/digits"
    /// idx: image and label files (gzip or not).
    public var images = ""
    public var labels = ""
    /// cifar10: binary batch files; text: text files, read in order.
    public var files: [String] = []
    /// csv: a header line; the label column (classification) or target columns (regression), 0-based.
    public var header = true
    public var labelColumn = -1
    public var targetColumns: [Int] = []
    /// Synthetic sets.
    public var count = 1000
    public var dimension = 10
    public var classes = 3
    public var separation = 3.0
    public var teacherWidths = [10, 32, 1]
    public var noise = 0.0
    /// Sequence sources: tokens per example (T; each window holds T + 1).
    public var context = 32
    /// text: how bytes become tokens.
    public var tokenizer = TextTokenizer.chars
    /// copy, sort: distinct symbols (the separator is the token `symbols`).
    public var symbols = 10
    /// modular_addition: the modulus p (the `=` token is `p`).
    public var modulus = 97
    /// Keep the first `subset` examples after shuffling (0 = all).
    public var subset = 0
    /// Fraction held out as a test set.
    public var testFraction = 0.0
    public var normalize = FeatureNormalization.Kind.standardize
    public var shuffleSeed = 0

    /// The largest `context` accepted (2^20 tokens per example).
    public static let maximumContext = 1 << 20

    /// text: the files read, in order (`files`, or `path` alone).
    public var textFiles: [String] { files.isEmpty ? [path] : files }

    /// Tokens of a sequence source known from the config alone (V); nil for text (its corpus
    /// decides) and the other sources.
    public var sequenceVocabularySize: Int? {
        switch source {
        case .copy, .sort: return symbols + 1
        case .modularAddition: return modulus + 1
        default: return nil
        }
    }

    /// Why `normalize` cannot be used with this source (sequence data are token ids, never
    /// normalized), or nil.
    var normalizationProblem: String? {
        guard source.isSequence, normalize != .none else { return nil }
        return "data.normalize = \"\(normalize.rawValue)\": data.source = \"\(source.rawValue)\" gives token ids, which are never normalized; remove the key or set normalize = \"none\""
    }

    /// The keys of the resolved config's [data] table that only sequence sources have (so other
    /// runs' stored configs read as before).
    var sequenceKeys: [String: ConfigValue] {
        guard source.isSequence else { return [:] }
        var keys: [String: ConfigValue] = ["context": .integer(context)]
        switch source {
        case .text: keys["tokenizer"] = .string(tokenizer.rawValue)
        case .copy, .sort: keys["symbols"] = .integer(symbols)
        case .modularAddition: keys["modulus"] = .integer(modulus)
        default: break
        }
        return keys
    }
}

public struct ModelConfig: Equatable, Sendable {
    /// "mlp", "cnn", "resnet" or "transformer".
    public var kind = "mlp"
    /// Dense hidden widths (mlp: between the data's inputs and outputs; cnn: after the convolutions).
    public var hidden = [64, 64]
    public var activation = Activation.tanh
    public var initialization = Initialization.lecunNormal
    public var loss = LossKind.crossEntropy
    /// cnn: channels of the 3x3 convolution stages (each followed by 2x2 max pooling).
    public var channels = [32, 64]
    /// cnn: BatchNorm after each convolution.
    public var batchNorm = false
    /// resnet: basic blocks per stage (depth 6 blocks + 2) and the first stage's channels.
    public var blocks = 1
    public var width = 16
    public var normalization = ResidualNormalization.batchNorm
    public var zeroInitResidual = false
    /// Models with BatchNorm: the Hessian measured is of the train-mode loss (batch statistics over
    /// groups of the training batch size) or the eval-mode one (running statistics).
    public var hessianMode = Mode.train
    /// Dropout rate in training steps (mlp: after each hidden activation; cnn: before the output
    /// layer); curvature is measured without dropout.
    public var dropout = 0.0
    /// transformer: decoder blocks, attention heads, the MLP's hidden width (0: 4 width), LayerNorm
    /// placement, a final LayerNorm (nil: with pre-LN only), positional encoding, a tied output
    /// layer. The vocabulary and the context come from the data. `width` is the residual stream's.
    public var layers = 2
    public var heads = 4
    public var mlpWidth = 0
    public var layerNorm = LayerNormPlacement.pre
    public var finalNorm: Bool? = nil
    public var positional = PositionalEncodingKind.learned
    public var tiedEmbedding = false

    /// A transformer of these settings over the data's vocabulary and context (defaults filled in:
    /// `TransformerShape`'s).
    public func transformerShape(vocabulary: Int, context: Int) -> TransformerShape {
        TransformerShape(vocabulary: vocabulary, context: context, width: width, layers: layers, heads: heads,
                         hidden: mlpWidth > 0 ? mlpWidth : nil, placement: layerNorm, finalNorm: finalNorm, positional: positional,
                         tiedEmbedding: tiedEmbedding)
    }

    /// The keys of the resolved config's [model] table (the image-model keys only for image models,
    /// so an MLP run's stored config reads as before).
    func resolvedKeys(_ ints: ([Int]) -> ConfigValue) -> [String: ConfigValue] {
        var keys: [String: ConfigValue] = [
            "kind": .string(kind), "hidden": ints(hidden), "activation": .string(activation.rawValue),
            "init": .string(initialization.rawValue), "loss": .string(loss.rawValue),
        ]
        switch kind {
        case "cnn":
            keys["channels"] = ints(channels)
            keys["batch_norm"] = .boolean(batchNorm)
        case "resnet":
            keys["blocks"] = .integer(blocks)
            keys["width"] = .integer(width)
            keys["normalization"] = .string(normalization.rawValue)
            keys["zero_init_residual"] = .boolean(zeroInitResidual)
        case "transformer":
            let shape = transformerShape(vocabulary: 1, context: 1)
            keys["width"] = .integer(shape.width)
            keys["layers"] = .integer(shape.layers)
            keys["heads"] = .integer(shape.heads)
            keys["mlp_width"] = .integer(shape.hidden)
            keys["layer_norm"] = .string(shape.placement.rawValue)
            keys["final_norm"] = .boolean(shape.finalNorm)
            keys["positional"] = .string(shape.positional.rawValue)
            keys["tied_embedding"] = .boolean(shape.tiedEmbedding)
            keys["hidden"] = nil
            keys["activation"] = nil
        default: break
        }
        if kind == "cnn" || kind == "resnet" { keys["hessian_mode"] = .string(hessianMode.rawValue) }
        if dropout > 0 { keys["dropout"] = .number(dropout) }
        return keys
    }
}

public struct OptimizerConfig: Equatable, Sendable {
    public var kind = OptimizerKind.sgd
    /// Peak learning rate.
    public var lr = 0.01
    public var momentum = 0.9
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var eps = 1e-8
    /// L2 coefficient: in the loss (and so in the Hessian) except for adamw, where it is decoupled.
    public var weightDecay = 0.0

    public var settings: OptimizerSettings {
        OptimizerSettings(kind: kind, momentum: momentum, beta1: beta1, beta2: beta2, epsilon: eps,
                          decoupledWeightDecay: kind == .adamw ? weightDecay : 0)
    }
    /// The weight decay that is part of the loss.
    public var lossWeightDecay: Double { kind == .adamw ? 0 : weightDecay }
}

public struct ScheduleConfig: Equatable, Sendable {
    public var warmupSteps = 0
    public var decay = DecayKind.constant
    public var finalFraction = 0.0
    public var stepEvery = 1000
    public var stepFactor = 0.1
}

/// `[learned_init]`: scales of the initial parameter tensors found by optimization before step 0
/// (docs/config.md; Sources/Training/Initialization).
public struct LearnedInitConfig: Equatable, Sendable {
    public enum Method: String, CaseIterable, Sendable {
        /// The initialization as drawn.
        case none
        /// MetaInit (Dauphin & Schoenholz 2019): the norm of each weight tensor (rank >= 2) by
        /// signSGD with momentum on the gradient quotient.
        case metainit
        /// GradInit (Zhu et al. 2021): a scale per parameter tensor by Adam, so that the optimizer's
        /// first step lowers the loss most with the gradient norm under a bound.
        case gradinit
    }
    public var method = Method.none
    /// Iterations of the search.
    public var steps = 200
    /// Its step size: MetaInit's sign step on a tensor's norm, in units of its drawn norm (with
    /// momentum); GradInit's Adam rate on the scales.
    public var lr = 0.01
    /// MetaInit: the momentum of the sign steps.
    public var momentum = 0.9
    /// Examples in the batch the search looks at (MetaInit: one fixed batch; GradInit: two fresh
    /// minibatches per iteration).
    public var examples = 128
    /// MetaInit: the ε of the quotient's denominator `g + ε sign(g)`.
    public var epsilon = 1e-5
    /// GradInit: the bound γ on the gradient norm (l2; l1 for Adam and AdamW).
    public var gradientBound = 1.0
    /// GradInit: the simulated first step's learning rate (0: optimizer.lr, the peak).
    public var stepLR = 0.0
    /// The smallest scale a tensor may reach (a fraction of its drawn norm).
    public var minScale = 0.01

}

public struct TrainingConfig: Equatable, Sendable {
    /// Examples per step; 0 = full batch (gradient descent).
    public var batchSize = 0
    /// Clip the gradient to this global norm; 0 = off.
    public var clipNorm = 0.0
    /// Examples per chunk when evaluating losses, gradients and HVPs (memory bound).
    public var chunkSize = 4096
}

public struct RecordConfig: Equatable, Sendable {
    public var metricsEvery = 1
    /// Test loss and accuracy every this many steps (0 = never).
    public var testEvery = 0
    /// lambda_max of the Hessian every this many steps (0 = never).
    public var sharpnessEvery = 10
    public var sharpnessLanczos = 20
    /// A measurement stops early once the top Ritz value's estimated error `r²/(θ₁ - θ₂)` (checked
    /// from the third Lanczos step) is below this fraction of it (0 = always `sharpnessLanczos`
    /// steps). The recorded residual r still bounds the error rigorously.
    public var sharpnessTolerance = 1e-3
    /// Also lambda_max of Adam's preconditioned Hessian (adam, adamw).
    public var preconditioned = true
    /// lambda_max of each parameter block's own Hessian H_bb every this many steps (0 = never),
    /// warm-started per block; blocks as `blocks` groups them.
    public var blockSharpnessEvery = 0
    /// Metric columns of block λ_max: this prefix and the block's name.
    public static let blockSharpnessPrefix = "block_sharpness:"
    /// "layers", "tensors" or comma-separated name prefixes (`BlockGrouping`).
    public var blocks = "layers"
    /// Examples in the fixed Hessian batch (0 = the whole training set).
    public var hessianExamples = 1024
    /// Full Lanczos spectra at these steps, and at a geometric schedule when the factor is > 1.
    public var spectrumAt: [Int] = []
    public var spectrumGeometric = 0.0
    public var spectrumProbes = 4
    public var spectrumLanczos = 40
    /// Checkpoints (weights, gradients, optimizer state) at these steps and a geometric schedule.
    public var checkpointAt: [Int] = []
    public var checkpointGeometric = 0.0
    /// Also a checkpoint every this many steps (0 = off): the points `curv-record --resume` restarts from.
    public var checkpointEvery = 0
    /// The most checkpoints `checkpoint_every` may ask for (each holds the weights, gradients and optimizer state).
    public static let maxPeriodicCheckpoints = 100_000
    /// The run ends as diverged when the loss is NaN/Inf or above this multiple of its first value.
    public var divergenceFactor = 100.0
    /// A step whose loss exceeds this multiple of the previous recorded loss is a spike event.
    public var spikeFactor = 2.0
    /// The Hessian batch's examples are embedded in the run file when smaller than this (bytes).
    public var embedLimit = 50_000_000
}

extension RunConfig {
    /// The most steps a run may have (a billion: far beyond any recording, well inside Int).
    public static let maxSteps = 1_000_000_000

    /// The config with `steps` replaced (a command line's `--steps`) and explicit checkpoint and
    /// spectrum steps past it removed, and one sentence for each kind of record scheduled past the
    /// new last step and so dropped (empty when none).
    public func overridingSteps(_ newSteps: Int) -> (config: RunConfig, dropped: [String]) {
        var c = self
        c.steps = newSteps
        // The stored config lists only what the run records.
        c.record.checkpointAt = record.checkpointAt.filter { $0 <= newSteps }
        c.record.spectrumAt = record.spectrumAt.filter { $0 <= newSteps }
        var dropped = [String]()
        for (one, many, old, new) in [("the checkpoint", "checkpoints", checkpointSteps, c.checkpointSteps),
                                       ("the spectrum", "spectra", spectrumSteps, c.spectrumSteps)] {
            // Only steps past the new end (raising steps moves a geometric schedule's last step instead).
            let lost = Set(old).subtracting(new).filter { $0 > newSteps }.sorted()
            guard let first = lost.first else { continue }
            guard lost.count > 1 else {
                dropped.append("\(one) at step \(first) is past step \(newSteps) and will not be recorded")
                continue
            }
            let list = lost.count > 8 ? lost.prefix(8).map(String.init).joined(separator: ", ") + ", … (\(lost.count) in all)"
                                      : lost.map(String.init).joined(separator: ", ")
            dropped.append("\(many) at steps \(list) are past step \(newSteps) and will not be recorded")
        }
        return (c, dropped)
    }

    /// Steps with a checkpoint in this run.
    public var checkpointSteps: [Int] { record.checkpointSteps(totalSteps: steps) }
    /// Steps with a recorded spectrum in this run.
    public var spectrumSteps: [Int] { record.spectrumSteps(totalSteps: steps) }
}

extension RecordConfig {
    /// Allowed growth factors of geometric schedules (besides 0, off): nearer 1 a schedule holds
    /// nearly every step; far above it only steps 0, 1 and the last.
    public static let geometricFactors = 1.01...1e6

    /// Steps `0, 1, f, f², ...` (rounded, distinct) up to `steps`, plus the explicit list and the
    /// last step. Computed in Double, so no factor or step count can overflow; a factor below 1 is
    /// off, and one nearer 1 than `geometricFactors` is raised to its lower end.
    static func schedule(explicit: [Int], geometric factor: Double, steps: Int) -> [Int] {
        var out = Set(explicit.filter { $0 <= steps })
        if factor > 1 {
            let f = max(factor, geometricFactors.lowerBound)
            out.insert(0)
            var x = 1.0
            while x.rounded() <= Double(steps) {
                out.insert(Int(x.rounded()))
                x *= f
            }
            out.insert(steps)
        }
        return out.sorted()
    }

    public func spectrumSteps(totalSteps: Int) -> [Int] { Self.schedule(explicit: spectrumAt, geometric: spectrumGeometric, steps: totalSteps) }
    public func checkpointSteps(totalSteps: Int) -> [Int] {
        let periodic = checkpointEvery > 0 ? Array(stride(from: 0, through: totalSteps, by: checkpointEvery)) + [totalSteps] : []
        return Array(Set(Self.schedule(explicit: checkpointAt, geometric: checkpointGeometric, steps: totalSteps) + periodic)).sorted()
    }
}
