import Tensor

/// A value with a tangent: `primal + ε tangent`, ε² = 0. Forward-mode autodiff.
///
/// Each operation applies its JVP rule (`Primitives/*.swift`): the result's tangent is the op's
/// Jacobian applied to the inputs' tangents. A `nil` tangent is a known zero (data, constants) and
/// is skipped, so `X W` with constant X costs one extra GEMM (`X W'`), not two.
///
/// The primal of a matrix product or a sum is computed on first use. Running a pullback on duals
/// (forward-over-reverse) produces each parameter's adjoint as `(gradient, Hv)`; a caller who only
/// wants `Hv` never reads the primal, and its GEMMs are never run (the dead code JAX's compiler drops).
public struct Dual<T: TensorScalar> {
    let box: PrimalBox<T>
    /// The tangent; `nil` means zero.
    public let tangent: Tensor<T>?
    public let shape: [Int]

    public init(_ primal: Tensor<T>, tangent: Tensor<T>? = nil) {
        precondition(tangent == nil || tangent!.shape == primal.shape,
                     "Dual: tangent shape \(tangent!.shape) differs from primal \(primal.shape)")
        self.box = PrimalBox(primal)
        self.tangent = tangent
        self.shape = primal.shape
    }

    /// A dual whose primal is computed by `primal` when first read.
    init(shape: [Int], deferred primal: @escaping () -> Tensor<T>, tangent: Tensor<T>?) {
        self.box = PrimalBox(deferred: primal)
        self.tangent = tangent
        self.shape = shape
    }

    /// The value (computed now if it was deferred).
    public var primal: Tensor<T> { box.value }

    /// The tangent, with zeros materialized.
    public var tangentOrZero: Tensor<T> { tangent ?? Tensor(zeros: shape) }
}

/// Holds a primal value, or the recipe for it until it is first read.
final class PrimalBox<T: TensorScalar> {
    private var stored: Tensor<T>?
    private var recipe: (() -> Tensor<T>)?

    init(_ value: Tensor<T>) { stored = value }
    init(deferred recipe: @escaping () -> Tensor<T>) { self.recipe = recipe }

    var value: Tensor<T> {
        if let stored { return stored }
        let v = recipe!()
        stored = v
        recipe = nil
        return v
    }
}

/// Sums of optional tangents, where `nil` is zero.
func sumTangents<T>(_ a: Tensor<T>?, _ b: Tensor<T>?) -> Tensor<T>? {
    switch (a, b) {
    case let (a?, b?): return a + b
    case let (a?, nil): return a
    case let (nil, b?): return b
    case (nil, nil): return nil
    }
}

extension Dual: PullbackOps {
    public typealias Scalar = T
    public init(constant: Tensor<T>) { self.init(constant) }
}
