import Tensor

/// The sizes and choices of a decoder-only Transformer language model.
public struct TransformerShape: Equatable, Sendable {
    /// Tokens `0 ..< vocabulary`.
    public var vocabulary: Int
    /// Positions per sequence (the model's input is `[n, context]` tokens).
    public var context: Int
    /// The residual stream's width (`d_model`).
    public var width: Int
    /// Decoder blocks.
    public var layers: Int
    /// Attention heads per block (`width` must be a multiple).
    public var heads: Int
    /// The MLP's hidden width (4 width is the usual choice).
    public var hidden: Int
    public var placement: LayerNormPlacement
    /// A LayerNorm after the last block (pre-LN models need it; post-LN ones end normalized).
    public var finalNorm: Bool
    public var positional: PositionalEncodingKind
    /// The output layer reuses the token embedding (`logits = h Eᵀ`).
    public var tiedEmbedding: Bool

    public init(vocabulary: Int, context: Int, width: Int, layers: Int, heads: Int, hidden: Int? = nil,
                placement: LayerNormPlacement = .pre, finalNorm: Bool? = nil, positional: PositionalEncodingKind = .learned,
                tiedEmbedding: Bool = false) {
        self.vocabulary = vocabulary
        self.context = context
        self.width = width
        self.layers = layers
        self.heads = heads
        self.hidden = hidden ?? 4 * width
        self.placement = placement
        self.finalNorm = finalNorm ?? (placement == .pre)
        self.positional = positional
        self.tiedEmbedding = tiedEmbedding
    }

    /// The parameter count.
    public var parameterCount: Double {
        let (v, t, d, h, l) = (Double(vocabulary), Double(context), Double(width), Double(hidden), Double(layers))
        let block = 4 * (d * d + d) + (d * h + h) + (h * d + d) + 4 * d
        return v * d + (positional == .learned ? t * d : 0) + l * block + (finalNorm ? 2 * d : 0) + (tiedEmbedding ? 0 : d * v + v)
    }
}

extension Architectures {
    /// A decoder-only Transformer language model (GPT-style): token embedding (`embedding`),
    /// positional encoding (`position`), `layers` decoder blocks (`block<k>`, see
    /// `TransformerBlock`), an optional final LayerNorm (`final_norm`) and the output layer
    /// (`head`, `Dense(width, vocabulary)`, or tied to the embedding). Input `[n, context]` token
    /// ids; output `[n, context, vocabulary]` logits, each position predicting the next token.
    public static func transformer(_ shape: TransformerShape) -> Network {
        precondition(shape.vocabulary > 0 && shape.context > 0 && shape.layers >= 0, "transformer: bad sizes \(shape)")
        var layers: [(name: String, layer: any Layer)] = [
            ("embedding", TokenEmbedding(vocabulary: shape.vocabulary, width: shape.width)),
            ("position", PositionalEncoding(shape.positional, context: shape.context, width: shape.width)),
        ]
        for k in 0..<shape.layers {
            layers.append(("block\(k)", TransformerBlock(width: shape.width, heads: shape.heads, hidden: shape.hidden, placement: shape.placement)))
        }
        if shape.finalNorm { layers.append(("final_norm", LayerNorm(normalizedShape: [shape.width]))) }
        layers.append(("head", shape.tiedEmbedding
                       ? TiedOutput(embedding: "embedding.weight", vocabulary: shape.vocabulary, width: shape.width) as any Layer
                       : Dense(inputs: shape.width, outputs: shape.vocabulary)))
        return Network(Sequential(layers), inputShape: [shape.context])
    }
}
