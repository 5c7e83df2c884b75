import Tensor

// L = (1/n) Σ_i (lse(z_i) - y_i·z_i), targets y with rows summing to 1 (constants).
// JVP: L' = (1/n) Σ (p - y)·z' with p = softmax(z).  VJP: z̄ = ḡ (p - y)/n (rank-0 ḡ).
// The VJP g (p - y)/n has JVP  g'(p - y)/n + g J_softmax(z) z' / n,  J_softmax z' = p∘z' - p (p·z') per row.

extension Dual {
    public func softmaxCrossEntropy(targets: Tensor<T>) -> Dual {
        if tangent == nil && memo == nil { return Dual(primal.softmaxCrossEntropy(targets: targets)) }
        // The value and the gradient of the loss in z (for the tangent; with a memo, always).
        let v = Dual.primals(memo, "softmaxCE") {
            [primal.softmaxCrossEntropy(targets: targets), primal.softmaxCrossEntropyBackward(targets: targets, Tensor(scalar: 1))]
        }
        return Dual(v[0], tangent: tangent.map { Tensor(scalar: v[1].dot($0)) }, memo: memo)
    }

    public func softmaxCrossEntropyBackward(targets: Tensor<T>, _ g: Dual) -> Dual {
        let memo = Dual.memo(self, g)
        let invN = 1 / T(shape[0])
        let k = g.primal.scalar * invN
        // Probabilities p, the residual p - y, and the adjoint k (p - y).
        let v = Dual.primals(memo, "softmaxCEBackward") {
            let p = primal.softmaxRows()
            let residual = p.crossEntropyResidualRows(targets)
            // `Tensor`'s own rule ((g / n) residual), so a gradient over duals equals the plain one bit for bit.
            return [p, residual, (g.primal.scalar / T(shape[0])) * residual]
        }
        let t = sumTangents(g.tangent.map { ($0.scalar * invN) * v[1] },
                            tangent.map { k * v[0].softmaxJacobianRows($0) })
        return Dual(v[2], tangent: t, memo: memo)
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
