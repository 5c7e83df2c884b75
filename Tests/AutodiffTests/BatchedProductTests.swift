import Autodiff
import Tensor
import Testing
import TestSupport

/// `f(a, b, r) = |op(a) op(b) ∘ r|²` for matrices or batches of them, each operand shared (rank 2)
/// or batched (rank 3): every second derivative goes through the batched product's rules, a
/// shared operand's adjoint through the sum over the batch.
struct BatchedProductProbe: ScalarFunction, CustomTestStringConvertible {
    typealias Scalar = Double
    let transposeA: Bool
    let transposeB: Bool
    let batchedA: Bool
    let batchedB: Bool
    static let (batch, m, k, n) = (3, 2, 4, 3)

    var testDescription: String {
        "A\(batchedA ? "[3]" : "")\(transposeA ? "ᵀ" : "") B\(batchedB ? "[3]" : "")\(transposeB ? "ᵀ" : "")"
    }

    func callAsFunction<A: TensorOps>(_ p: [A]) -> A where A.Scalar == Double {
        let c = p[0].matmul(p[1], transposeSelf: transposeA, transposeOther: transposeB)
        let d = c * p[2]
        return (d * d).sumOfElements()
    }

    /// Random parameters of this case's shapes.
    var point: [Tensor<Double>] {
        let (b, m, k, n) = (Self.batch, Self.m, Self.k, Self.n)
        var rng = SeededGenerator(seed: 5)
        let aShape = (batchedA ? [b] : []) + (transposeA ? [k, m] : [m, k])
        let bShape = (batchedB ? [b] : []) + (transposeB ? [n, k] : [k, n])
        let cShape = (batchedA || batchedB ? [b] : []) + [m, n]
        return [.randomNormal(aShape, using: &rng), .randomNormal(bShape, using: &rng), .randomNormal(cShape, using: &rng)]
    }

    static var all: [BatchedProductProbe] {
        var cases = [BatchedProductProbe]()
        for ta in [false, true] { for tb in [false, true] {
            for (ba, bb) in [(true, true), (false, true), (true, false)] {
                cases.append(BatchedProductProbe(transposeA: ta, transposeB: tb, batchedA: ba, batchedB: bb))
            }
        } }
        return cases
    }
}

@Suite("Batched matrix products (matrices in a batch, a rank-2 operand shared)")
struct BatchedProductTests {
    @Test("each matrix of the batch is the product of the operands' matrices", arguments: BatchedProductProbe.all)
    func againstMatrixLoop(probe: BatchedProductProbe) {
        let p = probe.point
        let c = p[0].matmul(p[1], transposeSelf: probe.transposeA, transposeOther: probe.transposeB)
        let (m, n) = (BatchedProductProbe.m, BatchedProductProbe.n)
        #expect(c.shape == [BatchedProductProbe.batch, m, n])
        func matrix(_ t: Tensor<Double>, _ i: Int) -> Tensor<Double> {
            t.rank == 2 ? t : Tensor(shape: Array(t.shape.dropFirst()), scalars: Array(t.scalars[(i * t.count / t.shape[0])..<((i + 1) * t.count / t.shape[0])]))
        }
        for i in 0..<BatchedProductProbe.batch {
            let (a, b) = (matrix(p[0], i), matrix(p[1], i))
            let aa = probe.transposeA ? transposed(a.scalars, rows: a.shape[0], cols: a.shape[1]) : a.scalars
            let bb = probe.transposeB ? transposed(b.scalars, rows: b.shape[0], cols: b.shape[1]) : b.scalars
            let expected = referenceProduct(aa, bb, m: m, k: BatchedProductProbe.k, n: n)
            #expect(maxAbsoluteError(Array(c.scalars[(i * m * n)..<((i + 1) * m * n)]), expected) < 1e-13)
        }
    }

    @Test("gradient and Hv against central differences; the explicit Hessian is symmetric", arguments: BatchedProductProbe.all)
    func derivatives(probe: BatchedProductProbe) {
        let d = DerivativeProbe(probe, at: probe.point)
        let g = d.gradient, fd = d.centralDifferenceGradient()
        #expect(relativeError(g, fd) < 1e-8, "gradient: relative error \(relativeError(g, fd))")
        let v = normalVector(d.dimension, seed: 9)
        let hv = d.hessianVectorProduct(v), reference = d.gradientDifference(along: v)
        #expect(relativeError(hv, reference) < 1e-8, "Hv: relative error \(relativeError(hv, reference))")
        let (asym, scale) = asymmetry(d.hessian(), dimension: d.dimension)
        #expect(asym <= 1e-12 * scale)
        let memo = PrimalMemo<Double>()
        _ = d.hessianVectorProduct(normalVector(d.dimension, seed: 1), memo: memo)
        #expect(d.hessianVectorProduct(v, memo: memo) == hv)
    }
}

/// `f(a, b, r) = |Σ_i op(a_i) op(b_i) ∘ r|²`: the summed product as an operation of its own.
struct SummedProductProbe: ScalarFunction, CustomTestStringConvertible {
    typealias Scalar = Double
    let transposeA: Bool
    let transposeB: Bool
    var testDescription: String { "Σ A\(transposeA ? "ᵀ" : "") B\(transposeB ? "ᵀ" : "")" }

    func callAsFunction<A: TensorOps>(_ p: [A]) -> A where A.Scalar == Double {
        let d = p[0].matmulSummedOverBatch(p[1], transposeSelf: transposeA, transposeOther: transposeB) * p[2]
        return (d * d).sumOfElements()
    }

    var point: [Tensor<Double>] {
        let (b, m, k, n) = (BatchedProductProbe.batch, BatchedProductProbe.m, BatchedProductProbe.k, BatchedProductProbe.n)
        var rng = SeededGenerator(seed: 6)
        return [.randomNormal([b] + (transposeA ? [k, m] : [m, k]), using: &rng), .randomNormal([b] + (transposeB ? [n, k] : [k, n]), using: &rng),
                .randomNormal([m, n], using: &rng)]
    }

    static var all: [SummedProductProbe] { [(false, false), (true, false), (false, true), (true, true)].map { SummedProductProbe(transposeA: $0, transposeB: $1) } }
}

@Suite("Products summed over a batch (the adjoint of a shared matrix)")
struct SummedProductTests {
    @Test("equal the batched product summed over the batch; gradient and Hv against central differences", arguments: SummedProductProbe.all)
    func summedProduct(probe: SummedProductProbe) {
        let p = probe.point
        let summed = p[0].matmulSummedOverBatch(p[1], transposeSelf: probe.transposeA, transposeOther: probe.transposeB)
        let reference = p[0].matmul(p[1], transposeSelf: probe.transposeA, transposeOther: probe.transposeB).summed(alongAxes: [0])
        #expect(maxAbsoluteError(summed.scalars, reference.scalars) < 1e-13)
        let d = DerivativeProbe(probe, at: p)
        #expect(relativeError(d.gradient, d.centralDifferenceGradient()) < 1e-8)
        let v = normalVector(d.dimension, seed: 3)
        #expect(relativeError(d.hessianVectorProduct(v), d.gradientDifference(along: v)) < 1e-8)
    }
}
