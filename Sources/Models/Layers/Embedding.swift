import Autodiff
import Foundation
import Tensor

/// Token embedding: input `[n, T]` token ids (exact integers `0 ..< vocabulary`, a constant),
/// output `[n, T, width]`, row `weight[token]` at each position.
///
/// Parameter `weight` `[vocabulary, width]`, drawn by the run's scheme with fan-in `width` (LeCun
/// normal gives N(0, 1/width), so a tied output layer starts with logits of unit variance).
/// The lookup is a gather of the table by an index map built from the tokens; its adjoint adds
/// each position's gradient into its token's row, so repeated tokens accumulate.
public struct TokenEmbedding: Layer {
    public let vocabulary: Int
    public let width: Int

    public init(vocabulary: Int, width: Int) {
        precondition(vocabulary > 0 && width > 0, "TokenEmbedding: vocabulary \(vocabulary) and width \(width) must be positive")
        self.vocabulary = vocabulary
        self.width = width
    }

    public var parameters: [ParameterSpec] {
        [ParameterSpec("weight", [vocabulary, width], .weight(fanIn: width, fanOut: vocabulary, scale: 1), role: .table)]
    }

    public func outputShape(for input: [Int]) -> [Int] {
        precondition(input.count == 1, "TokenEmbedding: input \(input), expected [positions] of token ids")
        return input + [width]
    }

    public func callAsFunction<A: TensorOps>(_ x: A, _ scope: Scope<A>) -> A {
        let tokens = x.primalValue.scalars
        let (n, positions) = (x.shape[0], x.shape[1])
        var indices = [Int32](repeating: 0, count: tokens.count * width)
        for (p, token) in tokens.enumerated() {
            let id = Int(exactly: Double(token)) ?? -1
            precondition(id >= 0 && id < vocabulary, "TokenEmbedding: token \(token) at position \(p) is outside 0..<\(vocabulary)")
            for k in 0..<width { indices[p * width + k] = Int32(id * width + k) }
        }
        let table = scope.parameter("weight").reshaped([1, vocabulary * width])
        let map = IndexMap(inputShape: [vocabulary * width], outputShape: [indices.count], indices: indices)
        return table.gathered(map).reshaped([n, positions, width])
    }
}

/// Where each position's information comes from: learned rows or fixed sinusoids added to the
/// token embeddings.
public enum PositionalEncodingKind: String, CaseIterable, Sendable, Codable {
    /// A parameter `weight` `[context, width]` (GPT-2's), drawn like the token embedding.
    case learned
    /// The fixed `PE[t, 2i] = sin(t / 10000^(2i/width))`, `PE[t, 2i+1] = cos(...)` of Vaswani et
    /// al. (2017); no parameter.
    case sinusoidal
}

/// Adds a position's encoding to each position: input and output `[n, context, width]`.
public struct PositionalEncoding: Layer {
    public let kind: PositionalEncodingKind
    public let context: Int
    public let width: Int

    public init(_ kind: PositionalEncodingKind, context: Int, width: Int) {
        precondition(context > 0 && width > 0, "PositionalEncoding: context \(context) and width \(width) must be positive")
        self.kind = kind
        self.context = context
        self.width = width
    }

    public var parameters: [ParameterSpec] {
        kind == .learned ? [ParameterSpec("weight", [context, width], .weight(fanIn: width, fanOut: context, scale: 1), role: .table)] : []
    }

    public func outputShape(for input: [Int]) -> [Int] {
        precondition(input == [context, width], "PositionalEncoding: input \(input), expected [\(context), \(width)]")
        return input
    }

    /// The sinusoidal table `[positions, width]`.
    public static func sinusoids<T: TensorScalar>(positions: Int, width: Int, as: T.Type = T.self) -> Tensor<T> {
        var table = [T](repeating: 0, count: positions * width)
        for t in 0..<positions {
            for j in 0..<width {
                let angle = Double(t) / pow(10_000, Double(j - j % 2) / Double(width))
                table[t * width + j] = T(j % 2 == 0 ? sin(angle) : cos(angle))
            }
        }
        return Tensor(shape: [positions, width], scalars: table)
    }

    public func callAsFunction<A: TensorOps>(_ x: A, _ scope: Scope<A>) -> A {
        switch kind {
        case .sinusoidal: return x.adding(broadcast: A(constant: Self.sinusoids(positions: context, width: width)))
        case .learned: return x.adding(broadcast: scope.parameter("weight"))
        }
    }
}
