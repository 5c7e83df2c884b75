import Models
import RunStore
import Tensor

// The model a config describes, as the run file stores it (`ModelSpec`), for the data it trains on.

extension Recording {
    /// The stored spec of the config's model for this data.
    static func modelSpec(_ config: RunConfig, data: Dataset, source: String) throws -> ModelSpec {
        let m = config.model
        let (inputs, outputs) = (data.inputDimension, data.outputDimension)
        var spec = ModelSpec(widths: m.kind == "mlp" ? [inputs] + m.hidden + [outputs] : [inputs, outputs], activation: m.activation,
                             loss: m.loss, weightDecay: config.optimizer.lossWeightDecay, dtype: config.dtype, initialization: m.initialization)
        if m.dropout > 0 { spec.dropout = m.dropout }
        if config.data.source.isSequence && m.kind != "transformer" {
            throw ConfigError("\(source): data.source = \"\(config.data.source.rawValue)\" gives token sequences, but model.kind = \"\(m.kind)\" would read the token ids as numbers; set model.kind = \"transformer\"")
        }
        guard m.kind != "mlp" else { return spec }
        if m.kind == "transformer" { return try transformerSpec(spec, config, data: data, source: source) }
        guard let shape = data.imageShape else {
            throw ConfigError("\(source): model.kind = \"\(m.kind)\" needs images, but data.source = \"\(config.data.source.rawValue)\" gives plain feature vectors; use digits, idx (3-D image files) or cifar10, or model.kind = \"mlp\"")
        }
        spec.kind = m.kind
        spec.inputShape = shape
        switch m.kind {
        case "cnn":
            spec.channels = m.channels
            spec.hidden = m.hidden
            spec.batchNorm = m.batchNorm
        default:
            spec.blocks = m.blocks
            spec.width = m.width
            spec.normalization = m.normalization
            spec.zeroInitResidual = m.zeroInitResidual
        }
        if spec.usesBatchStatistics {
            spec.hessianMode = m.hessianMode
            spec.normalizationGroup = config.training.batchSize > 0 ? config.training.batchSize : nil
        }
        do { try spec.checkImageModel(source: source) } catch let error as ModelSpecError { throw ConfigError(error.description) }
        return spec
    }

    /// A transformer's spec: the context and vocabulary are the sequence data's (token windows
    /// `[n, T]`, one-hot next tokens `[n, T * V]`), the sizes the config's.
    static func transformerSpec(_ base: ModelSpec, _ config: RunConfig, data: Dataset, source: String) throws -> ModelSpec {
        let m = config.model
        guard config.data.source.isSequence else {
            throw ConfigError("\(source): model.kind = \"transformer\" needs token sequences with a next token at every position, but data.source = \"\(config.data.source.rawValue)\" gives \(data.inputDimension) features and \(data.outputDimension) targets per example; use data.source = \"text\" or a sequence task (copy, sort, modular_addition)")
        }
        let (context, vocabulary) = (data.positions, data.classes)
        var spec = base
        spec.activation = .gelu
        spec.transformerShape = m.transformerShape(vocabulary: vocabulary, context: context)
        do { try spec.checkTransformer(source: source) } catch let error as ModelSpecError { throw ConfigError(error.description) }
        return spec
    }
}
