import Tensor

/// The operations models are written in.
///
/// Three types implement them, each in its own way:
/// - `Tensor` evaluates (the plain forward pass);
/// - `Dual` evaluates and carries a tangent (forward mode: each op's JVP rule);
/// - `Traced<V>` evaluates over `V` and records a pullback per op (reverse mode: each op's VJP rule).
///
/// A model written once against this protocol gets its loss, its gradient (`Traced<Tensor>`) and its
/// exact Hessian-vector product (`Traced<Dual>`: forward-over-reverse, JAX's `jvp(grad(f))`) with no
/// further code. Shapes follow `Tensor`: examples along the first axis.
public protocol TensorOps {
    associatedtype Scalar: TensorScalar

    /// A value that does not depend on the parameters (data, targets, constants).
    init(constant: Tensor<Scalar>)
    var shape: [Int] { get }

    /// `op(self) * op(other)`: matrices, or batches of them (`[batch, rows, cols]`; a matrix
    /// operand is shared by the batch).
    func matmul(_ other: Self, transposeSelf: Bool, transposeOther: Bool) -> Self
    /// `Σ_i op(self[i]) op(other[i])` over two batches: the adjoint of a shared matrix.
    func matmulSummedOverBatch(_ other: Self, transposeSelf: Bool, transposeOther: Bool) -> Self
    /// A `[rows, cols]` matrix plus a `[cols]` vector on every row.
    func addingRowVector(_ b: Self) -> Self
    /// `self * w + 1 bᵀ`, a dense layer's affine map: `matmul(w).addingRowVector(b)` up to rounding,
    /// in fewer passes over the result (the default is that composition).
    func matmul(_ w: Self, addingRowVector b: Self) -> Self
    static func + (a: Self, b: Self) -> Self
    /// `alpha * self` for a constant alpha.
    func scaled(_ alpha: Scalar) -> Self
    /// `sum_i self[i]^2`, rank 0.
    func sumOfSquares() -> Self

    func tanh() -> Self
    func relu() -> Self
    /// Exact GELU `x Phi(x)`.
    func gelu() -> Self

    /// Mean softmax cross-entropy of logits `self` (`[n, classes]`) against `targets` whose rows are
    /// probability vectors (one-hot or soft; each row sums to 1): `(1/n) sum_i (lse(z_i) - y_i . z_i)`. Rank 0.
    func softmaxCrossEntropy(targets: Tensor<Scalar>) -> Self
    /// Mean over examples of half the squared error: `(1/(2n)) sum_i |z_i - y_i|^2`. Rank 0.
    func meanSquaredError(targets: Tensor<Scalar>) -> Self

    // MARK: General operations, from which layers are composed (Primitives/Elementwise.swift,
    // Primitives/Axes.swift, Primitives/Gather.swift). Each has a JVP rule on `Dual` and a VJP
    // rule written in these same operations, so a composition gets its gradient and its exact
    // Hessian-vector product with no derivative written for it.

    /// The value alone, without derivative information: for data-dependent choices (the argmax of
    /// max pooling) and by-products (BatchNorm's running statistics). Not differentiated.
    var primalValue: Tensor<Scalar> { get }
    /// Elementwise (Hadamard) product of two tensors of equal shape.
    static func * (a: Self, b: Self) -> Self
    /// `f` of every element: exp, log, sqrt, rsqrt, reciprocal, square.
    func applying(_ f: ElementwiseFunction) -> Self
    /// `self + c` elementwise, for a constant c.
    func shifted(by c: Scalar) -> Self
    /// The same elements under another shape of equal count.
    func reshaped(_ shape: [Int]) -> Self
    /// Axes permuted: result axis k is axis `permutation[k]`.
    func transposed(_ permutation: [Int]) -> Self
    /// Sums over `axes`, which keep extent 1.
    func summed(alongAxes axes: [Int]) -> Self
    /// Repeated along the axes of extent 1 up to `shape` (same rank).
    func broadcast(to shape: [Int]) -> Self
    /// `out[n, j] = self[n, map.indices[j]]` (0 for negative indices): im2col, pooling windows, argmax selection.
    func gathered(_ map: IndexMap) -> Self
    /// The adjoint of `gathered(map)`: `out[n, map.indices[j]] += self[n, j]`.
    func scattered(_ map: IndexMap) -> Self
}

/// The extra operations that VJP rules are written in. `Tensor` and `Dual` implement them, so a
/// pullback runs on plain values (gradient) or on dual values (tangent of the gradient = Hv).
/// Each is the derivative of a `TensorOps` operation applied to an incoming adjoint `g`.
public protocol PullbackOps: TensorOps {
    /// Sum over the first axis: `[rows, cols] -> [cols]` (the adjoint of `addingRowVector`).
    func columnSums() -> Self
    /// `self * s` for a rank-0 `s` (the adjoint of a rank-0 result flowing into a tensor).
    func scaled(by s: Self) -> Self
    /// `g * (1 - y^2)` with `self` the tanh output y.
    func tanhBackward(_ g: Self) -> Self
    /// `g * [x > 0]` with `self` the relu input x.
    func reluBackward(_ g: Self) -> Self
    /// `g * gelu'(x)` with `self` the gelu input x.
    func geluBackward(_ g: Self) -> Self
    /// `g * (softmax(z) - y) / n` with `self` the logits z and `g` rank 0.
    func softmaxCrossEntropyBackward(targets: Tensor<Scalar>, _ g: Self) -> Self
    /// `g * (z - y) / n` with `self` the predictions z and `g` rank 0.
    func meanSquaredErrorBackward(targets: Tensor<Scalar>, _ g: Self) -> Self
}

extension TensorOps {
    /// `self * other` as matrices.
    public func matmul(_ other: Self) -> Self { matmul(other, transposeSelf: false, transposeOther: false) }

    public func matmul(_ w: Self, addingRowVector b: Self) -> Self { matmul(w).addingRowVector(b) }
}
