import Foundation

/// Everything needed to rebuild a model and its loss with no other input, as stored in run files
/// (JSON, e.g. `{"kind":"mlp","widths":[64,64,10],"activation":"tanh","loss":"cross_entropy",
/// "weight_decay":0,"dtype":"f32","init":"lecun_normal"}`).
///
/// Keys added after format 1.1 are optional, so older MLP specs read unchanged and an MLP's spec
/// is written exactly as before.
public struct ModelSpec: Codable, Equatable, Sendable {
    /// "mlp", "cnn", "resnet" or "transformer".
    public var kind: String
    /// Input features first, outputs last; for an MLP the hidden widths in between (a
    /// transformer's: `[context, context * vocabulary]`).
    public var widths: [Int]
    public var activation: Activation
    public var loss: LossKind
    /// The L2 coefficient that is part of the loss (and so of the Hessian): `(wd/2)|w|^2`.
    public var weightDecay: Double
    /// "f32" or "f64": the precision the model was trained in.
    public var dtype: String
    public var initialization: Initialization
    /// Per-example input shape `[C, H, W]` (cnn, resnet).
    public var inputShape: [Int]?
    /// cnn: convolution channels per stage.
    public var channels: [Int]?
    /// cnn: dense hidden widths after the convolutions.
    public var hidden: [Int]?
    /// cnn: BatchNorm after each convolution.
    public var batchNorm: Bool?
    /// resnet: basic blocks per stage, and the first stage's channels.
    public var blocks: Int?
    /// resnet: the first stage's channels; transformer: the residual stream's width.
    public var width: Int?
    /// resnet: "batch_norm", "none" or "fixup".
    public var normalization: ResidualNormalization?
    /// resnet with BatchNorm: each branch's last BatchNorm scale starts at zero.
    public var zeroInitResidual: Bool?
    /// Models with batch statistics: the mode the recorded Hessians are of ("train": batch
    /// statistics in groups of `normalizationGroup` examples; "eval": running statistics).
    public var hessianMode: Mode?
    /// Dropout rate (mlp: after each hidden activation; cnn: before the output layer), applied in
    /// training steps only: recorded Hessians are of the loss without dropout.
    public var dropout: Double?
    /// Examples normalized together in train mode (the training batch size; the whole batch for
    /// full-batch training).
    public var normalizationGroup: Int?
    /// transformer: tokens, positions per sequence, decoder blocks, attention heads, the MLP's
    /// hidden width, LayerNorm placement, a final LayerNorm, the positional encoding, and whether
    /// the output layer reuses the embedding.
    public var vocabulary: Int?
    public var context: Int?
    public var layers: Int?
    public var heads: Int?
    public var mlpWidth: Int?
    public var layerNorm: LayerNormPlacement?
    public var finalNorm: Bool?
    public var positional: PositionalEncodingKind?
    public var tiedEmbedding: Bool?

    enum CodingKeys: String, CodingKey {
        case kind, widths, activation, loss, dtype, channels, hidden, blocks, width, normalization, dropout
        case weightDecay = "weight_decay"
        case initialization = "init"
        case inputShape = "input_shape"
        case batchNorm = "batch_norm"
        case zeroInitResidual = "zero_init_residual"
        case hessianMode = "hessian_mode"
        case normalizationGroup = "normalization_group"
        case vocabulary, context, layers, heads, positional
        case mlpWidth = "mlp_width"
        case layerNorm = "layer_norm"
        case finalNorm = "final_norm"
        case tiedEmbedding = "tied_embedding"
    }

    /// An MLP's spec.
    public init(widths: [Int], activation: Activation, loss: LossKind, weightDecay: Double, dtype: String,
                initialization: Initialization) {
        self.kind = "mlp"
        self.widths = widths
        self.activation = activation
        self.loss = loss
        self.weightDecay = weightDecay
        self.dtype = dtype
        self.initialization = initialization
    }

    /// The network this spec describes.
    public var network: Network {
        switch kind {
        case "cnn":
            return Architectures.cnn(inputShape: inputShape!, channels: channels ?? [], hidden: hidden ?? [], outputs: widths.last!,
                                     activation: activation, batchNorm: batchNorm ?? false, dropout: dropout ?? 0)
        case "resnet":
            return Architectures.resnet(inputShape: inputShape!, blocks: blocks ?? 1, width: width ?? 16, outputs: widths.last!,
                                        normalization: normalization ?? .batchNorm, zeroInitResidual: zeroInitResidual ?? false)
        case "transformer":
            return Architectures.transformer(transformerShape!)
        default:
            return MLP(widths: widths, activation: activation, dropout: dropout ?? 0).network
        }
    }

    /// A transformer spec's sizes (nil for other kinds or when a size is missing); setting one
    /// makes the spec a transformer's, widths included.
    public var transformerShape: TransformerShape? {
        get {
            guard kind == "transformer", let vocabulary, let context, let width, let layers, let heads else { return nil }
            return TransformerShape(vocabulary: vocabulary, context: context, width: width, layers: layers, heads: heads, hidden: mlpWidth,
                                    placement: layerNorm ?? .pre, finalNorm: finalNorm, positional: positional ?? .learned,
                                    tiedEmbedding: tiedEmbedding ?? false)
        }
        set {
            guard let s = newValue else { return }
            kind = "transformer"
            widths = [s.context, s.context * s.vocabulary]
            (vocabulary, context, width, layers, heads, mlpWidth) = (s.vocabulary, s.context, s.width, s.layers, s.heads, s.hidden)
            (layerNorm, finalNorm, positional, tiedEmbedding) = (s.placement, s.finalNorm, s.positional, s.tiedEmbedding)
        }
    }

    /// True when train mode couples examples (BatchNorm).
    public var usesBatchStatistics: Bool {
        switch kind {
        case "cnn": return batchNorm ?? false
        case "resnet": return (normalization ?? .batchNorm) == .batchNorm
        default: return false
        }
    }

    /// The mode Hessians are measured in: train (batch statistics) unless recorded otherwise.
    public var curvatureMode: Mode { hessianMode ?? .train }

    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(data: try! encoder.encode(self), encoding: .utf8)!
    }

    public static let knownKinds = ["mlp", "cnn", "resnet", "transformer"]

    /// Parses a stored spec; `source` names where it came from in errors.
    public static func parse(json: String, source: String) throws -> ModelSpec {
        let spec: ModelSpec
        do { spec = try JSONDecoder().decode(ModelSpec.self, from: Data(json.utf8)) } catch {
            throw ModelSpecError("\(source): the model spec is not readable (\(error)); spec text: \(json.prefix(200))")
        }
        guard knownKinds.contains(spec.kind) else {
            throw ModelSpecError("\(source): model kind '\(spec.kind)' is not known to this version (known: \(knownKinds.joined(separator: ", ")))")
        }
        guard spec.widths.count >= 2, spec.widths.allSatisfy({ $0 > 0 }) else {
            throw ModelSpecError("\(source): model widths \(spec.widths) must be at least two positive sizes")
        }
        if let p = spec.dropout, !(p >= 0 && p < 1) {
            throw ModelSpecError("\(source): dropout \(p) must be in [0, 1)")
        }
        guard ["f32", "f64"].contains(spec.dtype) else { throw ModelSpecError("\(source): dtype '\(spec.dtype)' (expected f32 or f64)") }
        if spec.kind == "transformer" { try spec.checkTransformer(source: source) } else if spec.kind != "mlp" { try spec.checkImageModel(source: source) }
        return spec
    }

    /// The sizes of a transformer spec are buildable (checked before `network` is built).
    public func checkTransformer(source: String) throws {
        guard let shape = transformerShape else {
            throw ModelSpecError("\(source): a transformer needs vocabulary, context, width, layers and heads")
        }
        guard (1...(1 << 16)).contains(shape.vocabulary), (1...4096).contains(shape.context), (1...8192).contains(shape.width),
              (0...1000).contains(shape.layers), (1...shape.width).contains(shape.heads), shape.width % shape.heads == 0,
              (1...(1 << 16)).contains(shape.hidden) else {
            throw ModelSpecError("\(source): transformer sizes vocabulary \(shape.vocabulary) (1...65536), context \(shape.context) (1...4096), width \(shape.width) (1...8192), layers \(shape.layers) (0...1000), heads \(shape.heads) (dividing width), mlp_width \(shape.hidden) (1...65536) are not all in range")
        }
        guard widths == [shape.context, shape.context * shape.vocabulary] else {
            throw ModelSpecError("\(source): a transformer's widths are [context, context * vocabulary] = [\(shape.context), \(shape.context * shape.vocabulary)], got \(widths)")
        }
        guard estimatedParameters <= Self.largestImageModel else {
            throw ModelSpecError("\(source): a transformer of these sizes has about \(String(format: "%.3g", estimatedParameters)) parameters, more than the \(String(format: "%.0g", Self.largestImageModel)) this build handles; make it smaller")
        }
    }

    /// The sizes of a cnn or resnet spec are buildable (checked before `network` is built, so a
    /// damaged spec is an error, not a trap).
    public func checkImageModel(source: String) throws {
        guard let shape = inputShape, shape.count == 3, shape.allSatisfy({ $0 > 0 && $0 <= 4096 }), shape[1] * shape[2] <= 1 << 20 else {
            throw ModelSpecError("\(source): a \(kind) needs input_shape = [C, H, W] of positive sizes up to 4096 and at most 2^20 pixels, got \(inputShape.map { "\($0)" } ?? "none")")
        }
        guard widths.first == shape.reduce(1, *) else {
            throw ModelSpecError("\(source): widths[0] = \(widths[0]) differs from the input shape's \(shape.reduce(1, *)) features")
        }
        let limit = 1 << 16
        if kind == "cnn" {
            let channels = self.channels ?? []
            guard channels.allSatisfy({ $0 > 0 && $0 <= limit }), (hidden ?? []).allSatisfy({ $0 > 0 && $0 <= limit }) else {
                throw ModelSpecError("\(source): cnn channels \(channels) and hidden \(hidden ?? []) must be positive sizes up to \(limit)")
            }
            guard shape[1] >> channels.count >= 1, shape[2] >> channels.count >= 1 else {
                throw ModelSpecError("\(source): \(channels.count) conv stages each halve the \(shape[1])x\(shape[2]) image below one pixel; use fewer channels entries")
            }
        } else {
            guard let blocks, blocks > 0, blocks <= 1000, let width, width > 0, width <= 4096 else {
                throw ModelSpecError("\(source): resnet blocks (\(blocks.map(String.init) ?? "none")) and width (\(width.map(String.init) ?? "none")) must be positive (blocks <= 1000, width <= 4096)")
            }
        }
        let estimate = estimatedParameters
        guard estimate <= Self.largestImageModel else {
            throw ModelSpecError("\(source): a \(kind) of these sizes has about \(String(format: "%.3g", estimate)) parameters, more than the \(String(format: "%.0g", Self.largestImageModel)) this build handles; make it smaller")
        }
        if let g = normalizationGroup, g <= 0 {
            throw ModelSpecError("\(source): normalization_group = \(g) must be positive")
        }
    }
}

extension ModelSpec {
    /// The most parameters an image model or transformer may have (its weights, gradient, optimizer state and
    /// Lanczos vectors must fit in memory; checked before the network is built).
    public static let largestImageModel = 2e8

    /// The parameter count of an image model from its sizes alone, in Double (no overflow):
    /// exact for a cnn, an upper bound for a resnet (every stage's convolutions at full width, with
    /// biases, projections and normalization parameters counted).
    public var estimatedParameters: Double {
        let c0 = Double(inputShape?.first ?? 1), outputs = Double(widths.last ?? 1)
        switch kind {
        case "cnn":
            var total = 0.0, c = c0, h = Double(inputShape?[1] ?? 1), w = Double(inputShape?[2] ?? 1)
            for out in (channels ?? []).map(Double.init) {
                total += 9 * c * out + 3 * out
                c = out
                h = (h / 2).rounded(.down)
                w = (w / 2).rounded(.down)
            }
            var features = c * h * w
            for width in (hidden ?? []).map(Double.init) {
                total += (features + 1) * width
                features = width
            }
            return total + (features + 1) * outputs
        case "resnet":
            // Per convolution of c outputs, up to 2c normalization or bias parameters; Fixup's 5 scalars a block.
            let w = Double(width ?? 16), b = Double(blocks ?? 1)
            var total = 9 * c0 * w + 2 * w
            for stage in 0..<3 {
                let c = w * Double(1 << stage), input = stage == 0 ? w : c / 2
                total += 9 * input * c + 9 * c * c + 4 * c + 5 + (stage > 0 ? input * c + 2 * c : 0)
                total += (b - 1) * (18 * c * c + 4 * c + 5)
            }
            return total + (4 * w + 1) * outputs + 1
        case "transformer":
            return transformerShape?.parameterCount ?? 0
        default:
            return zip(widths, widths.dropFirst()).reduce(0.0) { $0 + Double($1.0 + 1) * Double($1.1) }
        }
    }
}

public struct ModelSpecError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
