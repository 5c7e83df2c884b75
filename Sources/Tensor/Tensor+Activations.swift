/// Activation functions, their derivatives, and the softmax family, each over whole arrays.
/// Forms follow the kernels in `Kernels.swift`; transcendental functions are libmvec's (<= 4 ulp).
extension Tensor {
    public func tanh() -> Tensor { mapped { T.tanh($0, $1, $2) } }
    public func relu() -> Tensor { mapped { T.relu($0, $1, $2) } }
    /// Exact GELU `x Phi(x)`.
    public func gelu() -> Tensor { mapped { T.gelu($0, $1, $2) } }
    /// `exp` of every element.
    public func exp() -> Tensor { mapped { T.exp($0, $1, $2) } }

    /// `g * (1 - y^2)` where `self` is `y = tanh(x)`.
    public func tanhBackward(_ g: Tensor) -> Tensor { zipped(g, "tanhBackward") { T.tanhBackward($0, $1, $2, $3) } }
    /// `g` where `self > 0`, else 0.
    public func reluBackward(_ g: Tensor) -> Tensor { zipped(g, "reluBackward") { T.reluBackward($0, $1, $2, $3) } }
    /// GELU's first derivative at every element.
    public func geluDerivative() -> Tensor { mapped { T.geluDerivatives($0, $1, nil, $2) } }
    /// GELU's first and second derivatives at every element.
    public func geluDerivatives() -> (first: Tensor, second: Tensor) {
        var second = Tensor(shape: shape) { _, _ in }
        let first = scalars.withUnsafeBufferPointer { x in
            second.scalars.withUnsafeMutableBufferPointer { d2 in
                Tensor(shape: shape) { d1, n in T.geluDerivatives(x.baseAddress!, d1, d2.baseAddress!, n) }
            }
        }
        return (first, second)
    }

    /// Row-wise softmax of a `[rows, classes]` matrix.
    public func softmaxRows() -> Tensor {
        precondition(rank == 2, "softmaxRows: needs a matrix, got \(shape)")
        let (r, c) = (shape[0], shape[1])
        return mapped { z, out, _ in T.softmaxRows(z, out, rows: r, cols: c) }
    }

    /// `log sum_j exp(self[i, j])` per row: shape `[rows]`.
    public func logSumExpRows() -> Tensor {
        precondition(rank == 2, "logSumExpRows: needs a matrix, got \(shape)")
        let (r, c) = (shape[0], shape[1])
        return scalars.withUnsafeBufferPointer { z in
            Tensor(shape: [r]) { out, _ in T.logSumExpRows(z.baseAddress!, out, rows: r, cols: c) }
        }
    }

    /// The softmax Jacobian at probabilities `self` applied to `dz`, row by row: `p*dz - p*(p.dz)`.
    public func softmaxJacobianRows(_ dz: Tensor) -> Tensor {
        let (r, c) = (shape[0], shape[1])
        return zipped(dz, "softmaxJacobianRows") { T.softmaxJacobianRows($0, $1, $2, rows: r, cols: c); _ = $3 }
    }

    /// `p * sum_j y[i, j] - y` row by row, with `self` the probabilities p and `y` the targets.
    public func crossEntropyResidualRows(_ y: Tensor) -> Tensor {
        let (r, c) = (shape[0], shape[1])
        return zipped(y, "crossEntropyResidualRows") { T.crossEntropyResidualRows($0, $1, $2, rows: r, cols: c); _ = $3 }
    }
}

extension Tensor {
    /// `dg * (1 - y^2) - 2 g y dy`: the tangent of `tanhBackward` with `self = y`.
    public func tanhBackwardTangent(g: Tensor, dy: Tensor, dg: Tensor) -> Tensor {
        precondition(shape == g.shape && shape == dy.shape && shape == dg.shape, "tanhBackwardTangent: shapes differ")
        return scalars.withUnsafeBufferPointer { y in
            g.scalars.withUnsafeBufferPointer { gp in
                dy.scalars.withUnsafeBufferPointer { dyp in
                    dg.scalars.withUnsafeBufferPointer { dgp in
                        Tensor(shape: shape) { out, n in
                            T.tanhBackwardTangent(y.baseAddress!, gp.baseAddress!, dyp.baseAddress!, dgp.baseAddress!, out, n)
                        }
                    }
                }
            }
        }
    }
}
