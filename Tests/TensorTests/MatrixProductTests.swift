import Testing
import Tensor
import TestSupport

@Suite("Matrix products against a triple loop")
struct MatrixProductTests {
    @Test("GEMM with every transpose combination, Float64", arguments: [(false, false), (true, false), (false, true), (true, true)])
    func gemmDouble(transposes: (Bool, Bool)) {
        var rng = SeededGenerator(seed: 1)
        let (m, k, n) = (7, 5, 3)
        let a = Tensor<Double>.randomNormal(transposes.0 ? [k, m] : [m, k], using: &rng)
        let b = Tensor<Double>.randomNormal(transposes.1 ? [n, k] : [k, n], using: &rng)
        let c = a.matmul(b, transposeSelf: transposes.0, transposeOther: transposes.1)
        let opA = transposes.0 ? transposed(a.scalars, rows: k, cols: m) : a.scalars
        let opB = transposes.1 ? transposed(b.scalars, rows: n, cols: k) : b.scalars
        let expected = referenceProduct(opA, opB, m: m, k: k, n: n)
        #expect(c.shape == [m, n])
        let err = relativeError(c.scalars, expected)
        #expect(err < 1e-14, "\(report("C", expected: expected.prefix(3), observed: c.scalars.prefix(3), error: err, bound: 1e-14))")
    }

    @Test("Float32 GEMM agrees with the Float64 reference to single precision")
    func gemmFloat() {
        var rng = SeededGenerator(seed: 2)
        let a = Tensor<Float>.randomNormal([33, 17], using: &rng)
        let b = Tensor<Float>.randomNormal([17, 9], using: &rng)
        let expected = referenceProduct(a.scalars.map(Double.init), b.scalars.map(Double.init), m: 33, k: 17, n: 9)
        let err = relativeError(a.matmul(b).scalars, expected.map(Float.init))
        #expect(err < 1e-6, "relative error \(err)")
    }

    /// The fused product-plus-bias against the composed reference, for an inner dimension BLAS
    /// takes in one block and for one it splits (where the bias enters the sum first: rounding only).
    @Test("matmul(_:addingRowVector:) equals matmul then addingRowVector to rounding", arguments: [5, 64, 784])
    func fusedBias(k: Int) {
        var rng = SeededGenerator(seed: 4)
        let (m, n) = (37, 19)
        let a = Tensor<Double>.randomNormal([m, k], using: &rng), b = Tensor<Double>.randomNormal([k, n], using: &rng)
        let bias = Tensor<Double>.randomNormal([n], using: &rng)
        let fused = a.matmul(b, addingRowVector: bias), composed = a.matmul(b).addingRowVector(bias)
        #expect(fused.shape == [m, n])
        let err = relativeError(fused.scalars, composed.scalars)
        #expect(err < 1e-14, "\(report("A B + 1 biasᵀ", expected: composed.scalars.prefix(3), observed: fused.scalars.prefix(3), error: err, bound: 1e-14))")
        let (af, bf, biasf) = (a.converted(to: Float.self), b.converted(to: Float.self), bias.converted(to: Float.self))
        let errf = relativeError(af.matmul(bf, addingRowVector: biasf).scalars, af.matmul(bf).addingRowVector(biasf).scalars)
        #expect(errf < 1e-6, "Float32: relative error \(errf)")
        #expect(Tensor<Float>(rows: 3, repeating: biasf).scalars == Array([[Float]](repeating: biasf.scalars, count: 3).joined()))
        #expect(Tensor<Double>(shape: [0, 4], scalars: []).matmul(Tensor(zeros: [4, 2]), addingRowVector: Tensor(zeros: [2])).shape == [0, 2])
    }

    @Test("Accumulating product adds alpha op(A) op(B) to the target")
    func accumulate() {
        var rng = SeededGenerator(seed: 3)
        let a = Tensor<Double>.randomNormal([4, 6], using: &rng)
        let b = Tensor<Double>.randomNormal([6, 5], using: &rng)
        var c = Tensor<Double>.randomNormal([4, 5], using: &rng)
        let before = c
        c.accumulateProduct(a, b, alpha: 2, beta: 1)
        let expected = zip(before.scalars, referenceProduct(a.scalars, b.scalars, m: 4, k: 6, n: 5)).map { $0 + 2 * $1 }
        #expect(relativeError(c.scalars, expected) < 1e-14)
    }
}
