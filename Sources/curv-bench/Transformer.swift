import Models
import Tensor

// The Transformer benchmark of issue 14: a 2-block, 4-head, width-128 pre-LN decoder (MLP width
// 512, learned positions, untied head) over a 256-token (byte) vocabulary, context 64, batch 32
// random token windows with random next tokens, Float32.

let benchTransformerShape = TransformerShape(vocabulary: 256, context: 64, width: 128, layers: 2, heads: 4)
let benchTransformer = Architectures.transformer(benchTransformerShape)

/// `n` random windows of the shape's context with random one-hot next tokens.
func randomTokenBatch(n: Int, _ shape: TransformerShape, seed: UInt64) -> Batch<Float> {
    var rng = SeededGenerator(seed: seed)
    let (t, v) = (shape.context, shape.vocabulary)
    let tokens = (0..<(n * t)).map { _ in Float(rng.next() % UInt64(v)) }
    var y = Tensor<Float>(zeros: [n, t * v])
    for i in 0..<n { for p in 0..<t { y[i, p * v + Int(rng.next() % UInt64(v))] = 1 } }
    return Batch(inputs: Tensor(shape: [n, t], scalars: tokens), targets: y)
}

/// Multiply-adds times 2 of the forward pass at batch n: per token and block, the four attention
/// projections (4 d²) and the MLP (2 d h), the scores and the mixing over all T keys (2 T d, the
/// masked ones included: they are computed); the output layer (d V) once per token.
func transformerForwardFlops(n: Int, _ s: TransformerShape) -> Double {
    let (t, d, h, v) = (Double(s.context), Double(s.width), Double(s.hidden), Double(s.vocabulary))
    return 2 * Double(n) * t * (Double(s.layers) * (4 * d * d + 2 * d * h + 2 * t * d) + d * v)
}
