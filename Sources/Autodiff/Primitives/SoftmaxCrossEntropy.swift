import Tensor

// L = (1/n) Σ_i (lse(z_i) - y_i·z_i), targets y with rows summing to 1 (constants).
// JVP: L' = (1/n) Σ (p - y)·z' with p = softmax(z).  VJP: z̄ = ḡ (p - y)/n (rank-0 ḡ).
// The VJP g (p - y)/n has JVP  g'(p - y)/n + g J_softmax(z) z' / n,  J_softmax z' = p∘z' - p (p·z') per row.

extension Dual {
    public func softmaxCrossEntropy(targets: Tensor<T>) -> Dual {
        let z = primal
        let t = tangent.map { dz in
            Tensor(scalar: z.softmaxCrossEntropyBackward(targets: targets, Tensor(scalar: 1)).dot(dz))
        }
        return Dual(z.softmaxCrossEntropy(targets: targets), tangent: t)
    }

    public func softmaxCrossEntropyBackward(targets: Tensor<T>, _ g: Dual) -> Dual {
        let p = primal.softmaxRows()
        let residual = p.crossEntropyResidualRows(targets)
        let invN = 1 / T(shape[0])
        let k = g.primal.scalar * invN
        let t = sumTangents(g.tangent.map { ($0.scalar * invN) * residual },
                            tangent.map { k * p.softmaxJacobianRows($0) })
        return Dual(k * residual, tangent: t)
    }
}

extension Traced {
    public func softmaxCrossEntropy(targets: Tensor<Scalar>) -> Traced {
        let z = value
        return .record(z.softmaxCrossEntropy(targets: targets), [self]) { g, _ in
            [z.softmaxCrossEntropyBackward(targets: targets, g)]
        }
    }
}
