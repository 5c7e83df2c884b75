import Tensor

// Gather by an index map and its adjoint, the scatter-add. Both are linear in the tensor (the
// map is fixed, even when it was chosen from the data, as max pooling's argmax is), so each is
// its own JVP and the other's VJP.

extension Dual {
    public func gathered(_ map: IndexMap) -> Dual {
        let x = primal
        return Dual(shape: [shape[0]] + map.outputShape, deferred: { x.gathered(map) }, tangent: tangent?.gathered(map),
                    memo: memo, operation: "gathered")
    }

    public func scattered(_ map: IndexMap) -> Dual {
        let x = primal
        return Dual(shape: [shape[0]] + map.inputShape, deferred: { x.scattered(map) }, tangent: tangent?.scattered(map),
                    memo: memo, operation: "scattered")
    }
}

extension Traced {
    public func gathered(_ map: IndexMap) -> Traced {
        .record(value.gathered(map), [self]) { g, _ in [g.scattered(map)] }
    }

    public func scattered(_ map: IndexMap) -> Traced {
        .record(value.scattered(map), [self]) { g, _ in [g.gathered(map)] }
    }
}
