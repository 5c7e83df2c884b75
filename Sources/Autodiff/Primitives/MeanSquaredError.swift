import Tensor

// L = (1/(2n)) Σ_i |z_i - y_i|², targets y constant.
// JVP: L' = (1/n) (z - y)·z'.  VJP: z̄ = ḡ (z - y)/n.
// The VJP g (z - y)/n has JVP  g'(z - y)/n + g z'/n.

extension Dual {
    public func meanSquaredError(targets: Tensor<T>) -> Dual {
        let z = primal
        let t = tangent.map { dz in
            Tensor(scalar: z.meanSquaredErrorBackward(targets: targets, Tensor(scalar: 1)).dot(dz))
        }
        return Dual(z.meanSquaredError(targets: targets), tangent: t)
    }

    public func meanSquaredErrorBackward(targets: Tensor<T>, _ g: Dual) -> Dual {
        let z = primal
        let invN = 1 / T(shape[0])
        let residual = z - targets
        let k = g.primal.scalar * invN
        let t = sumTangents(g.tangent.map { ($0.scalar * invN) * residual }, tangent.map { k * $0 })
        return Dual(k * residual, tangent: t)
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
