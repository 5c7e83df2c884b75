import Foundation
import CBLAS
import CKernels

/// The element types a `Tensor` holds: `Float` and `Double`.
///
/// Every hot loop of the tensor core is a requirement of this protocol. The protocol extension in
/// `Kernels.swift` gives one generic implementation of each; because the conformances of `Float` and
/// `Double` sit in this module, the compiler specializes those implementations for each type, so
/// generic code elsewhere (`Tensor<T>`, autodiff, models) pays one indirect call per array, never
/// one per element. BLAS and libmvec calls are the only per-type code.
public protocol TensorScalar: ArrayKernels, BinaryFloatingPoint, SIMDScalar, Sendable, LosslessStringConvertible
where Self.RawSignificand: FixedWidthInteger {
    /// "f32" or "f64": the name used in run files and on the command line.
    static var dtypeName: String { get }

    // MARK: BLAS (row-major)
    /// `C = alpha * op(A) * op(B) + beta * C`, with `op(A)` of shape `m x k`, `op(B)` of shape `k x n`.
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Self,
                     a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
                     beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
    /// `sum_i x[i] * y[i]` over `n` elements.
    static func dot(_ n: Int, _ x: UnsafePointer<Self>, _ y: UnsafePointer<Self>) -> Self

    // MARK: Transcendental functions over arrays (libmvec, within 4 ulp)
    static func tanh(_ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>, _ n: Int)
    static func exp(_ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>, _ n: Int)
    static func erf(_ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>, _ n: Int)
    /// Scalar natural logarithm.
    static func log(_ x: Self) -> Self
}

extension Float: TensorScalar {
    public static var dtypeName: String { "f32" }

    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
                    beta, c, blasint(ldc))
    }
    public static func dot(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>) -> Float {
        cblas_sdot(blasint(n), x, 1, y, 1)
    }
    public static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { ck_tanh_f32(x, y, n) }
    public static func exp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { ck_exp_f32(x, y, n) }
    public static func erf(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { ck_erf_f32(x, y, n) }
    public static func log(_ x: Float) -> Float { logf(x) }
    public static func convert(fromDouble x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n { out[i] = Float(x[i]) }
    }
    public static func convert(toDouble x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Double>, _ n: Int) {
        for i in 0..<n { out[i] = Double(x[i]) }
    }
}

extension Double: TensorScalar {
    public static var dtypeName: String { "f64" }

    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                            a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                            beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
                    beta, c, blasint(ldc))
    }
    public static func dot(_ n: Int, _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>) -> Double {
        cblas_ddot(blasint(n), x, 1, y, 1)
    }
    public static func tanh(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) { ck_tanh_f64(x, y, n) }
    public static func exp(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) { ck_exp_f64(x, y, n) }
    public static func erf(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) { ck_erf_f64(x, y, n) }
    public static func log(_ x: Double) -> Double { Foundation.log(x) }
    public static func convert(fromDouble x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, _ n: Int) {
        out.update(from: x, count: n)
    }
    public static func convert(toDouble x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, _ n: Int) {
        out.update(from: x, count: n)
    }
}
