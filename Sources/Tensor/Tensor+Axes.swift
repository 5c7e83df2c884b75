/// Axis operations: permutation of axes, sums over chosen axes, broadcasting along axes of extent
/// one, and the elementwise functions layers are written from. The first three are linear:
/// `summed(alongAxes:)` and `broadcast(to:)` are each other's adjoints, and a permutation's adjoint
/// is the inverse permutation.
extension Tensor {
    /// Row-major strides of `shape` (elements between neighbours along each axis).
    public static func strides(of shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var s = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = s
            s *= shape[axis]
        }
        return strides
    }

    /// The axes reordered: result axis `k` is input axis `permutation[k]` (NumPy's
    /// `transpose(permutation)`), copied into row-major order.
    public func transposed(_ permutation: [Int]) -> Tensor {
        precondition(permutation.count == rank && Set(permutation) == Set(0..<rank),
                     "Tensor.transposed: \(permutation) is not a permutation of the \(rank) axes of \(shape)")
        if permutation == Array(0..<rank) { return self }
        let inStrides = Tensor.strides(of: shape)
        let outShape = permutation.map { shape[$0] }
        let steps = permutation.map { inStrides[$0] }
        return mapped(to: outShape) { x, out in T.strided(x, out, shape: outShape, steps: steps, accumulate: false) }
    }

    /// Sums over `axes`, which keep extent 1 (NumPy's `sum(axis=axes, keepdims=True)`).
    public func summed(alongAxes axes: [Int]) -> Tensor {
        precondition(axes.allSatisfy { $0 >= 0 && $0 < rank }, "Tensor.summed: axes \(axes) outside the \(rank) axes of \(shape)")
        let reduced = Set(axes)
        let outShape = shape.indices.map { reduced.contains($0) ? 1 : shape[$0] }
        let outStrides = Tensor.strides(of: outShape)
        let steps = shape.indices.map { reduced.contains($0) ? 0 : outStrides[$0] }
        var result = Tensor(zeros: outShape)
        scalars.withUnsafeBufferPointer { x in
            result.scalars.withUnsafeMutableBufferPointer { out in
                T.strided(x.baseAddress!, out.baseAddress!, shape: shape, steps: steps, accumulate: true)
            }
        }
        return result
    }

    /// Repeated along every axis where `self` has extent 1 and `newShape` more (same rank;
    /// NumPy's `broadcast_to` without new axes).
    public func broadcast(to newShape: [Int]) -> Tensor {
        precondition(newShape.count == rank && zip(shape, newShape).allSatisfy { $0 == $1 || $0 == 1 },
                     "Tensor.broadcast: \(shape) does not broadcast to \(newShape) (extents must match or be 1)")
        if newShape == shape { return self }
        let inStrides = Tensor.strides(of: shape)
        let steps = shape.indices.map { shape[$0] == 1 ? 0 : inStrides[$0] }
        return mapped(to: newShape) { x, out in T.strided(x, out, shape: newShape, steps: steps, accumulate: false) }
    }

    /// `f` of every element.
    public func applying(_ f: ElementwiseFunction) -> Tensor { mapped { T.apply(f, $0, $1, $2) } }
    /// `self + c` elementwise.
    public func shifted(by c: T) -> Tensor { mapped { T.shift(c, $0, $1, $2) } }

    /// A new tensor of `shape` written by `body(input, output)`.
    @inline(__always)
    func mapped(to shape: [Int], _ body: (UnsafePointer<T>, UnsafeMutablePointer<T>) -> Void) -> Tensor {
        scalars.withUnsafeBufferPointer { x in Tensor(shape: shape) { out, _ in body(x.baseAddress!, out) } }
    }
}

extension Tensor {
    /// The largest element of each row along the last axis, keeping that axis with extent 1
    /// (NumPy's `max(axis=-1, keepdims=True)`); a row with no finite largest element (all -∞,
    /// or +∞ or NaN among them) gives 0. For shifting softmax rows, where the shift is any constant.
    public func maximaAlongLastAxis() -> Tensor {
        precondition(rank >= 1 && shape[rank - 1] > 0, "Tensor.maximaAlongLastAxis: needs a non-empty last axis, got shape \(shape)")
        let width = shape[rank - 1], rows = count / width
        var maxima = [T](repeating: 0, count: rows)
        scalars.withUnsafeBufferPointer { x in
            for r in 0..<rows {
                var m = -T.infinity
                for j in 0..<width where x[r * width + j] > m { m = x[r * width + j] }
                maxima[r] = m.isFinite ? m : 0
            }
        }
        return Tensor(shape: Array(shape.dropLast()) + [1], scalars: maxima)
    }
}
