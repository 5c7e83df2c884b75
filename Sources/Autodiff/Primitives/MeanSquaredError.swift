import Tensor

// L = (1/(2n)) Σ_i |z_i - y_i|², targets y constant.
// JVP: L' = (1/n) (z - y)·z'.  VJP: z̄ = ḡ (z - y)/n.
// The VJP g (z - y)/n has JVP  g'(z - y)/n + g z'/n.

extension Dual {
    public func meanSquaredError(targets: Tensor<T>) -> Dual {
        guard let tangent else {
            return Dual(Dual.primal(memo, "mse") { primal.meanSquaredError(targets: targets) }, tangent: nil, memo: memo)
        }
        // The value and the gradient of the loss in z (for the tangent).
        let v = Dual.primals(memo, "mse+gradient") {
            [primal.meanSquaredError(targets: targets), primal.meanSquaredErrorBackward(targets: targets, Tensor(scalar: 1))]
        }
        return Dual(v[0], tangent: Tensor(scalar: v[1].dot(tangent)), memo: memo)
    }

    public func meanSquaredErrorBackward(targets: Tensor<T>, _ g: Dual) -> Dual {
        let memo = Dual.memo(self, g)
        let invN = 1 / T(shape[0])
        let k = g.primal.scalar * invN
        let r = Dual.primals(memo, "mseBackward") {
            let residual = primal - targets
            return [residual, k * residual]
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
