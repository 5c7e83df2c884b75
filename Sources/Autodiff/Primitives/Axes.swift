import Tensor

// Linear rearrangements: reshape, axis permutation, sums over axes, broadcasting. Each is its own
// JVP (applied to the tangent); its VJP is the adjoint map:
// reshape ↔ reshape back;  transpose(p) ↔ transpose(p⁻¹);  summed(axes) ↔ broadcast back.

extension Dual {
    public func reshaped(_ newShape: [Int]) -> Dual {
        precondition(newShape.reduce(1, *) == shape.reduce(1, *), "Dual.reshaped: \(shape) cannot become \(newShape)")
        // No memo slot: reshaping moves no data.
        return Dual(primal.reshaped(newShape), tangent: tangent?.reshaped(newShape), memo: memo)
    }

    public func transposed(_ permutation: [Int]) -> Dual {
        let x = primal
        return Dual(shape: permutation.map { shape[$0] }, deferred: { x.transposed(permutation) },
                    tangent: tangent?.transposed(permutation), memo: memo, operation: "transposed")
    }

    public func summed(alongAxes axes: [Int]) -> Dual {
        let x = primal
        let reduced = Set(axes)
        return Dual(shape: shape.indices.map { reduced.contains($0) ? 1 : shape[$0] }, deferred: { x.summed(alongAxes: axes) },
                    tangent: tangent?.summed(alongAxes: axes), memo: memo, operation: "summed")
    }

    public func broadcast(to newShape: [Int]) -> Dual {
        if newShape == shape { return self }
        let x = primal
        return Dual(shape: newShape, deferred: { x.broadcast(to: newShape) }, tangent: tangent?.broadcast(to: newShape),
                    memo: memo, operation: "broadcast")
    }
}

extension Traced {
    public func reshaped(_ newShape: [Int]) -> Traced {
        let old = shape
        return .record(value.reshaped(newShape), [self]) { g, _ in [g.reshaped(old)] }
    }

    public func transposed(_ permutation: [Int]) -> Traced {
        var inverse = [Int](repeating: 0, count: permutation.count)
        for (k, axis) in permutation.enumerated() { inverse[axis] = k }
        return .record(value.transposed(permutation), [self]) { g, _ in [g.transposed(inverse)] }
    }

    public func summed(alongAxes axes: [Int]) -> Traced {
        let old = shape
        return .record(value.summed(alongAxes: axes), [self]) { g, _ in [g.broadcast(to: old)] }
    }

    public func broadcast(to newShape: [Int]) -> Traced {
        if newShape == shape { return self }
        let expanded = shape.indices.filter { shape[$0] != newShape[$0] }
        return .record(value.broadcast(to: newShape), [self]) { g, _ in [g.summed(alongAxes: expanded)] }
    }
}
