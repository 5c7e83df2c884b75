import Tensor

// L = (1/(2n)) Σ_i |z_i - y_i|², targets y constant.
// JVP: L' = (1/n) (z - y)·z'.  VJP: z̄ = ḡ (z - y)/n.
// The VJP g (z - y)/n has JVP  g'(z - y)/n + g z'/n.

extension Dual {
    public func meanSquaredError(targets: Tensor<T>) -> Dual {
        if tangent == nil && memo == nil { return Dual(primal.meanSquaredError(targets: targets)) }
        // The value and the gradient of the loss in z (for the tangent; with a memo, always).
        let v = Dual.primals(memo, "mse") {
            [primal.meanSquaredError(targets: targets), primal.meanSquaredErrorBackward(targets: targets, Tensor(scalar: 1))]
        }
        return Dual(v[0], tangent: tangent.map { Tensor(scalar: v[1].dot($0)) }, memo: memo)
    }

    public func meanSquaredErrorBackward(targets: Tensor<T>, _ g: Dual) -> Dual {
        let memo = Dual.memo(self, g)
        let invN = 1 / T(shape[0])
        let k = g.primal.scalar * invN
        // The adjoint by `Tensor`'s own rule, so a gradient over duals equals the plain one bit for bit.
        let r = Dual.primals(memo, "mseBackward") {
            [primal - targets, primal.meanSquaredErrorBackward(targets: targets, g.primal)]
        }
        let t = sumTangents(g.tangent.map { ($0.scalar * invN) * r[0] }, tangent.map { k * $0 })
        return Dual(r[1], tangent: t, memo: memo)
    }
}

extension Traced {
    public func meanSquaredError(targets: Tensor<Scalar>) -> Traced {
        let z = value
        return .record(z.meanSquaredError(targets: targets), [self]) { g, _ in
            [z.meanSquaredErrorBackward(targets: targets, g)]
        }
    }
}
