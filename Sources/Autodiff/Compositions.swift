import Tensor

/// Operations composed from the primitives of `TensorOps`: no derivative rules of their own, their
/// gradients and Hessian-vector products follow from those of the parts.
extension TensorOps {
    public static func - (a: Self, b: Self) -> Self { a + b.scaled(-1) }

    /// The number of elements.
    public var count: Int { shape.reduce(1, *) }

    /// Mean over `axes`, which keep extent 1.
    public func mean(alongAxes axes: [Int]) -> Self {
        let n = axes.reduce(1) { $0 * shape[$1] }
        return summed(alongAxes: axes).scaled(1 / Scalar(n))
    }

    /// The sum of all elements, rank 0.
    public func sumOfElements() -> Self { reshaped([count]).summed(alongAxes: [0]).reshaped([]) }

    /// `other` with leading axes of extent 1 added and then repeated to `self`'s shape (NumPy's
    /// broadcasting of a lower-rank operand).
    public func broadcasting(_ other: Self) -> Self {
        precondition(other.shape.count <= shape.count, "broadcasting: \(other.shape) has more axes than \(shape)")
        let aligned = [Int](repeating: 1, count: shape.count - other.shape.count) + other.shape
        return other.reshaped(aligned).broadcast(to: shape)
    }

    /// `self + other`, `other` broadcast to `self`'s shape.
    public func adding(broadcast other: Self) -> Self { self + broadcasting(other) }
    /// `self * other` elementwise, `other` broadcast to `self`'s shape.
    public func multiplying(broadcast other: Self) -> Self { self * broadcasting(other) }
}

extension TensorOps {
    /// Softmax along the last axis, `p_j = exp(z_j) / Σ_k exp(z_k)`, after adding the constant
    /// `mask` (broadcast from its trailing axes; 0 keeps an entry, -∞ removes it: its weight is an
    /// exact 0 and its value reaches nothing, derivatives included).
    ///
    /// Numerically stable: each row's largest (unmasked) value is subtracted first, a constant
    /// that softmax does not depend on, so no exponential overflows. Every row must keep at least
    /// one entry.
    public func softmaxAlongLastAxis(mask: Tensor<Scalar>? = nil) -> Self {
        let last = shape.count - 1
        let z = mask.map { adding(broadcast: Self(constant: $0)) } ?? self
        let largest = z.primalValue.maximaAlongLastAxis()
        let e = (z - Self(constant: largest.broadcast(to: shape))).applying(.exp)
        return e * e.summed(alongAxes: [last]).applying(.reciprocal).broadcast(to: shape)
    }
}
