import Autodiff
import Foundation
import Tensor

/// Multi-head causal self-attention (Vaswani et al. 2017, decoder side): input and output
/// `[n, T, width]`.
///
/// Each of `heads` heads of size `d = width / heads` attends with
/// `softmax(q kᵀ / sqrt(d) + M) v`, `q`, `k`, `v` the head's slices of the `query`, `key` and
/// `value` projections; the heads are concatenated and projected by `output`. The causal mask
/// `M` is 0 on and below the diagonal and -∞ above it, so position t reads positions `0 ... t`
/// only: a later token's weight is an exact 0 and its value reaches no earlier position.
///
/// Children: `query`, `key`, `value`, `output`, each `Dense(width, width)` with bias
/// (`weight` `[width, width]` maps inputs to outputs, PyTorch's `Linear.weight` transposed).
public struct CausalSelfAttention: Layer {
    public let width: Int
    public let heads: Int

    public init(width: Int, heads: Int) {
        precondition(width > 0 && heads > 0 && width % heads == 0, "CausalSelfAttention: width \(width) must be a positive multiple of heads \(heads)")
        self.width = width
        self.heads = heads
    }

    /// Each of the four projections.
    var projection: Dense { Dense(inputs: width, outputs: width) }

    public var children: [(name: String, layer: any Layer)] {
        ["query", "key", "value", "output"].map { ($0, projection) }
    }

    public func outputShape(for input: [Int]) -> [Int] {
        precondition(input.count == 2 && input[1] == width, "CausalSelfAttention: input \(input), expected [positions, \(width)]")
        return input
    }

    public func activations(for input: [Int]) -> Int {
        // q, k, v, the scores, the weights (and their intermediates), the mixed values, the output.
        let t = input[0]
        return 5 * t * width + 4 * heads * t * t
    }

    /// The additive causal mask `[T, T]`: 0 where the key position is at most the query position, -∞ after.
    public static func causalMask<T: TensorScalar>(_ positions: Int, as: T.Type = T.self) -> Tensor<T> {
        Tensor(shape: [positions, positions], scalars: (0..<(positions * positions)).map { $0 % positions <= $0 / positions ? 0 : -T.infinity })
    }

    public func callAsFunction<A: TensorOps>(_ x: A, _ scope: Scope<A>) -> A {
        let (n, t) = (x.shape[0], x.shape[1])
        let size = width / heads
        /// `[n, T, width]` -> `[n * heads, T, size]`: one matrix per (example, head).
        func split(_ y: A) -> A { y.reshaped([n, t, heads, size]).transposed([0, 2, 1, 3]).reshaped([n * heads, t, size]) }
        let project = { (name: String) in projection(x, scope.child(name)) }
        let (q, k, v) = (split(project("query")), split(project("key")), split(project("value")))
        let scores = q.matmul(k, transposeSelf: false, transposeOther: true).scaled(A.Scalar(1 / Double(size).squareRoot()))
        let weights = scores.softmaxAlongLastAxis(mask: Self.causalMask(t))
        let mixed = weights.matmul(v).reshaped([n, heads, t, size]).transposed([0, 2, 1, 3]).reshaped([n, t, width])
        return projection(mixed, scope.child("output"))
    }
}
