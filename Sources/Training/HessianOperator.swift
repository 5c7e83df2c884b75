import Autodiff
import Models
import Spectral
import Tensor

extension LossSurface {
    /// The Hessian of the mean loss at `w` as a symmetric operator on Float64 vectors, for Lanczos.
    ///
    /// Each application converts the Float64 vector to the model's precision `T`, runs one exact
    /// HVP (forward-over-reverse, chunked over the examples), and converts back. With `T = Float`
    /// the products carry single-precision rounding (relative error around 1e-6); Lanczos itself
    /// stays in Float64.
    ///
    /// The products share their primal work (activations and backward-pass adjoints at `w`,
    /// recorded by the first product, up to `memoryLimit` bytes), so each later product costs only
    /// its tangent passes. Apply the operator from one thread at a time.
    public func hessianOperator(at w: Tensor<T>, memoryLimit: Int = 1 << 30) -> SymmetricOperator {
        hessianOperator(at: w, memos: primalMemos(byteLimit: memoryLimit))
    }

    /// The Hessian at `w` with the given memos (from `primalMemos`), which may already hold this
    /// point's primal work (from `valueAndGradient(at:memos:)` at the same `w`).
    public func hessianOperator(at w: Tensor<T>, memos: [PrimalMemo<T>]) -> SymmetricOperator {
        let params = layout.unflatten(w)
        // Float32 products: rounding accumulates over each dot product, about 10 ulp in practice.
        return SymmetricOperator(dimension: dimension, precision: min(max(10 * Double(T.ulpOfOne), Double.ulpOfOne), 1e-3)) { v in
            self.hessianVectorProduct(at: params, Tensor<T>(shape: [v.count], converting: v), memos: memos).doubles
        }
    }
}
