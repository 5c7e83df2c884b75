import Tensor

/// A scalar function of a list of parameter tensors, written once for every `TensorOps` type.
///
/// `callAsFunction` must return a rank-0 (or one-element) value. Models and losses implement this;
/// `valueAndGradient`, `hessianVectorProduct` and `directionalDerivative` then differentiate it.
public protocol ScalarFunction {
    associatedtype Scalar: TensorScalar
    func callAsFunction<A: TensorOps>(_ parameters: [A]) -> A where A.Scalar == Scalar
}

/// A scalar function that also yields a by-product of its evaluation, not differentiated (JAX's
/// `has_aux`): a model's loss and its outputs, say, so a gradient step can report the accuracy
/// without a second forward pass. `callAsFunction` is the value alone.
public protocol AuxiliaryScalarFunction: ScalarFunction {
    /// The rank-0 value and the by-product, computed by the same operations as `callAsFunction`.
    func valueAndAuxiliary<A: TensorOps>(_ parameters: [A]) -> (value: A, auxiliary: A) where A.Scalar == Scalar
}

extension AuxiliaryScalarFunction {
    public func callAsFunction<A: TensorOps>(_ parameters: [A]) -> A where A.Scalar == Scalar {
        valueAndAuxiliary(parameters).value
    }
}

/// `f(w)` and `∇f(w)` by reverse mode. Cost: one forward pass and one backward pass.
public func valueAndGradient<F: ScalarFunction>(of f: F, at parameters: [Tensor<F.Scalar>])
    -> (value: F.Scalar, gradient: [Tensor<F.Scalar>]) {
    let tape = Tape<Tensor<F.Scalar>>()
    let variables = parameters.map { tape.variable($0) }
    let output = f(variables)
    let gradient = tape.backward(from: output, to: variables) { Tensor(zeros: $0.shape) }
    return (output.value.scalar, gradient)
}

/// `f(w)`, `∇f(w)` and the by-product of the same forward pass (its value at `w`), by reverse
/// mode; with a `memo`, over duals as `valueAndGradient(of:at:memo:)`. The value and gradient
/// equal those of `valueAndGradient` bit for bit (the passes run the same operations).
public func valueGradientAndAuxiliary<F: AuxiliaryScalarFunction>(of f: F, at parameters: [Tensor<F.Scalar>],
                                                                  memo: PrimalMemo<F.Scalar>? = nil)
    -> (value: F.Scalar, gradient: [Tensor<F.Scalar>], auxiliary: Tensor<F.Scalar>) {
    guard let memo else {
        let tape = Tape<Tensor<F.Scalar>>()
        let variables = parameters.map { tape.variable($0) }
        let (output, auxiliary) = f.valueAndAuxiliary(variables)
        let gradient = tape.backward(from: output, to: variables) { Tensor(zeros: $0.shape) }
        return (output.value.scalar, gradient, auxiliary.value)
    }
    memo.rewind()
    let tape = Tape<Dual<F.Scalar>>()
    let variables = parameters.map { tape.variable(Dual($0, tangent: nil, memo: memo)) }
    let (output, auxiliary) = f.valueAndAuxiliary(variables)
    let adjoints = tape.backward(from: output, to: variables) { Dual(Tensor(zeros: $0.shape)) }
    return (output.value.primal.scalar, adjoints.map(\.primal), auxiliary.value.primal)
}

/// `f(w)` and `∇f(w)` by reverse mode over duals without tangents, remembering the primal work in
/// `memo` (or reusing what an earlier pass at the same `parameters` left there): a gradient and
/// Hessian-vector products at one point then share their forward and backward passes. Equal to
/// `valueAndGradient(of:at:)` bit for bit (the dual rules compute primals as `Tensor` does); about as costly when the memo is empty, a third of
/// it (the parameter gradients' own matrix products) when a product has filled it.
public func valueAndGradient<F: ScalarFunction>(of f: F, at parameters: [Tensor<F.Scalar>],
                                                memo: PrimalMemo<F.Scalar>) -> (value: F.Scalar, gradient: [Tensor<F.Scalar>]) {
    memo.rewind()
    let tape = Tape<Dual<F.Scalar>>()
    let variables = parameters.map { tape.variable(Dual($0, tangent: nil, memo: memo)) }
    let output = f(variables)
    let adjoints = tape.backward(from: output, to: variables) { Dual(Tensor(zeros: $0.shape)) }
    return (output.value.primal.scalar, adjoints.map(\.primal))
}

/// The result of `hessianVectorProduct`.
public struct HessianVectorProduct<T: TensorScalar> {
    /// `f(w)`.
    public let value: T
    /// `H v`, one tensor per parameter, exact up to rounding.
    public let product: [Tensor<T>]
    fileprivate let adjoints: [Dual<T>]
    /// `∇f(w)`, computed on first call (its GEMMs are skipped unless asked for).
    public func gradient() -> [Tensor<T>] { adjoints.map(\.primal) }
}

/// `f(w)` and the exact Hessian-vector product `H v = d/dε ∇f(w + ε v)` at ε = 0.
///
/// Forward-over-reverse (Pearlmutter's R-operator, JAX's `jvp(grad(f))`): the parameters enter as
/// duals `w + ε v`, and the reverse pass runs on duals, so each VJP rule's own JVP rules carry the
/// tangent through the backward pass. No finite differences; no per-layer second derivatives.
/// Cost: about 2-2.5 gradients for matrix-product-bound models.
///
/// With a `memo`, products at the same `parameters` share their primal work: the first records
/// it, later ones (any direction) reuse it and cost only the tangent passes. The memo belongs to
/// this `f` at these `parameters`; use a new one for another point.
public func hessianVectorProduct<F: ScalarFunction>(of f: F, at parameters: [Tensor<F.Scalar>],
                                                    along direction: [Tensor<F.Scalar>],
                                                    memo: PrimalMemo<F.Scalar>? = nil) -> HessianVectorProduct<F.Scalar> {
    precondition(parameters.count == direction.count, "hessianVectorProduct: \(parameters.count) parameters, \(direction.count) directions")
    memo?.rewind()
    let tape = Tape<Dual<F.Scalar>>()
    let variables = zip(parameters, direction).map { w, v in
        precondition(w.shape == v.shape, "hessianVectorProduct: parameter \(w.shape) and direction \(v.shape) differ")
        return tape.variable(Dual(w, tangent: v, memo: memo))
    }
    let output = f(variables)
    let adjoints = tape.backward(from: output, to: variables) { Dual(Tensor(zeros: $0.shape)) }
    return HessianVectorProduct(value: output.value.primal.scalar,
                                product: adjoints.map(\.tangentOrZero), adjoints: adjoints)
}

/// `f(w)` and the directional derivative `∇f(w) · v` by forward mode (one pass over duals).
public func directionalDerivative<F: ScalarFunction>(of f: F, at parameters: [Tensor<F.Scalar>],
                                                     along direction: [Tensor<F.Scalar>]) -> (value: F.Scalar, derivative: F.Scalar) {
    let duals = zip(parameters, direction).map { Dual($0, tangent: $1) }
    let output = f(duals)
    return (output.primal.scalar, output.tangent?.scalar ?? 0)
}
