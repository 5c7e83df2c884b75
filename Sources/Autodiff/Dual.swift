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
///
/// Duals may carry a `PrimalMemo`, passed on to every result: repeated passes at the same point
/// (Hessian-vector products along many directions) then compute each primal value once.
public struct Dual<T: TensorScalar> {
    let box: PrimalBox<T>
    /// The tangent; `nil` means zero.
    public let tangent: Tensor<T>?
    public let shape: [Int]
    /// Where the primal work of this computation is remembered, if anywhere.
    let memo: PrimalMemo<T>?

    public init(_ primal: Tensor<T>, tangent: Tensor<T>? = nil) {
        self.init(primal, tangent: tangent, memo: nil)
    }

    /// A parameter (or any input) whose computation remembers its primal work in `memo`.
    public init(_ primal: Tensor<T>, tangent: Tensor<T>?, memo: PrimalMemo<T>?) {
        precondition(tangent == nil || tangent!.shape == primal.shape,
                     "Dual: tangent shape \(tangent!.shape) differs from primal \(primal.shape)")
        self.box = PrimalBox(primal)
        self.tangent = tangent
        self.shape = primal.shape
        self.memo = memo
    }

    /// A dual whose primal is computed by `primal` when first read (once per point with a memo).
    init(shape: [Int], deferred primal: @escaping () -> Tensor<T>, tangent: Tensor<T>?, memo: PrimalMemo<T>?,
         operation: StaticString) {
        self.tangent = tangent
        self.shape = shape
        self.memo = memo
        guard let memo else {
            self.box = PrimalBox(deferred: primal)
            return
        }
        let (slot, known) = memo.claim(operation)
        if let known {
            self.box = PrimalBox(known[0])
        } else {
            self.box = PrimalBox(deferred: {
                let value = primal()
                memo.store([value], in: slot)
                return value
            })
        }
    }

    /// The memo shared by some duals: the first one that has one.
    static func memo(_ duals: Dual...) -> PrimalMemo<T>? {
        for d in duals { if let m = d.memo { return m } }
        return nil
    }

    /// Primal-only work of `operation`: `compute()` once per point when `memo` is set.
    static func primal(_ memo: PrimalMemo<T>?, _ operation: StaticString, _ compute: () -> Tensor<T>) -> Tensor<T> {
        guard let memo else { return compute() }
        return memo.remember(operation) { [compute()] }[0]
    }

    /// Several primal-only values of `operation`, computed once per point when `memo` is set.
    static func primals(_ memo: PrimalMemo<T>?, _ operation: StaticString, _ compute: () -> [Tensor<T>]) -> [Tensor<T>] {
        guard let memo else { return compute() }
        return memo.remember(operation, compute)
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
