import Autodiff
import Tensor

/// Where a Transformer block normalizes (Xiong et al. 2020, "On Layer Normalization in the
/// Transformer Architecture").
public enum LayerNormPlacement: String, CaseIterable, Sendable, Codable {
    /// Before each sub-block, inside the residual branch: `x + f(LN(x))` (GPT-2's).
    case pre
    /// After each residual sum: `LN(x + f(x))` (the original Transformer's; needs warmup).
    case post
}

/// One decoder block: causal self-attention, then a position-wise MLP (`width -> hidden -> width`,
/// GELU), each in a residual connection with a LayerNorm placed by `placement`:
///
///     pre:  x <- x + attention(ln1(x));  x <- x + mlp(ln2(x))
///     post: x <- ln1(x + attention(x));  x <- ln2(x + mlp(x))
///
/// Input and output `[n, T, width]`. Children: `ln1`, `attention`, `ln2`, `mlp` (`fc1`, `act`, `fc2`).
public struct TransformerBlock: Layer {
    public let width: Int
    public let heads: Int
    public let hidden: Int
    public let placement: LayerNormPlacement

    public init(width: Int, heads: Int, hidden: Int, placement: LayerNormPlacement) {
        precondition(hidden > 0, "TransformerBlock: hidden width \(hidden) must be positive")
        self.width = width
        self.heads = heads
        self.hidden = hidden
        self.placement = placement
    }

    var attention: CausalSelfAttention { CausalSelfAttention(width: width, heads: heads) }
    var mlp: Sequential {
        Sequential([("fc1", Dense(inputs: width, outputs: hidden)), ("act", ActivationLayer(.gelu)), ("fc2", Dense(inputs: hidden, outputs: width))])
    }
    var norm: LayerNorm { LayerNorm(normalizedShape: [width]) }

    public var children: [(name: String, layer: any Layer)] {
        [("ln1", norm), ("attention", attention), ("ln2", norm), ("mlp", mlp)]
    }

    public func outputShape(for input: [Int]) -> [Int] { attention.outputShape(for: input) }

    public func activations(for input: [Int]) -> Int {
        let t = input[0]
        return attention.activations(for: input) + mlp.activations(for: input) + 8 * t * width
    }

    public func callAsFunction<A: TensorOps>(_ x: A, _ scope: Scope<A>) -> A {
        let (ln1, ln2) = ({ (y: A) in norm(y, scope.child("ln1")) }, { (y: A) in norm(y, scope.child("ln2")) })
        let attend = { (y: A) in attention(y, scope.child("attention")) }
        let transform = { (y: A) in mlp(y, scope.child("mlp")) }
        switch placement {
        case .pre:
            let h = x + attend(ln1(x))
            return h + transform(ln2(h))
        case .post:
            let h = ln1(x + attend(x))
            return ln2(h + transform(h))
        }
    }
}

/// The output layer tied to the token embedding: logits `h Eᵀ` at each position, `E` the
/// embedding table `[vocabulary, width]` read by its full name; input `[n, T, width]`, output
/// `[n, T, vocabulary]`. No parameter of its own (the embedding's gradient sums both uses).
public struct TiedOutput: Layer {
    public let embedding: String
    public let vocabulary: Int
    public let width: Int

    public init(embedding: String, vocabulary: Int, width: Int) {
        self.embedding = embedding
        self.vocabulary = vocabulary
        self.width = width
    }

    public func outputShape(for input: [Int]) -> [Int] {
        precondition(input.last == width, "TiedOutput: input \(input), expected [..., \(width)]")
        return input.dropLast() + [vocabulary]
    }

    public func callAsFunction<A: TensorOps>(_ x: A, _ scope: Scope<A>) -> A {
        let table = scope.parameter(fullName: embedding)
        let logits = x.reshaped([x.count / width, width]).matmul(table, transposeSelf: false, transposeOther: true)
        return logits.reshaped(x.shape.dropLast() + [vocabulary])
    }
}
