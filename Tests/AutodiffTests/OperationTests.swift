import Autodiff
import Tensor
import Testing
import TestSupport

/// Each general operation checked as the dense-layer primitives are (HessianTests, GradientTests):
/// in Float64, its gradient against central differences of values, its Hessian-vector product
/// against central differences of gradients, the explicit Hessian for symmetry, forward mode
/// against reverse mode, and memoized products against fresh ones.
@Suite("General operations: gradients and exact Hessian-vector products (Float64)")
struct OperationTests {
    @Test("∇f matches central differences, coordinate by coordinate", arguments: OperationProbe.all)
    func gradient(f: OperationProbe) {
        let probe = DerivativeProbe(f, at: f.parameters(seed: 1))
        let (expected, observed) = (probe.centralDifferenceGradient(), probe.gradient)
        let err = relativeError(observed, expected)
        #expect(err < 1e-8, "\(report("∇f", expected: expected.prefix(3), observed: observed.prefix(3), error: err, bound: 1e-8))")
    }

    @Test("forward mode gives ∇f·v for random v", arguments: OperationProbe.all)
    func forwardMode(f: OperationProbe) {
        let probe = DerivativeProbe(f, at: f.parameters(seed: 2))
        let v = normalVector(probe.dimension, seed: 3)
        let (value, derivative) = directionalDerivative(of: f, at: probe.parameters, along: probe.tensors(v))
        #expect(value == probe.value)
        let expected = zip(probe.gradient, v).reduce(0) { $0 + $1.0 * $1.1 }
        let err = abs(derivative - expected) / max(abs(expected), 1e-300)
        #expect(err < 1e-12, "\(report("∇f·v", expected: expected, observed: derivative, error: err, bound: 1e-12))")
    }

    @Test("Hv matches central differences of the gradient along v", arguments: OperationProbe.all)
    func hessianVectorProduct(f: OperationProbe) {
        let probe = DerivativeProbe(f, at: f.parameters(seed: 4))
        for seed in [UInt64(5), 6] {
            let v = normalVector(probe.dimension, seed: seed)
            let (expected, observed) = (probe.gradientDifference(along: v), probe.hessianVectorProduct(v))
            let err = relativeError(observed, expected)
            #expect(err < 1e-8, "\(report("Hv", expected: expected.prefix(3), observed: observed.prefix(3), error: err, bound: 1e-8))")
        }
    }

    @Test("the explicit Hessian (columns H e_j) is symmetric and agrees with differences of gradients", arguments: OperationProbe.all)
    func explicitHessian(f: OperationProbe) {
        let probe = DerivativeProbe(f, at: f.parameters(seed: 7))
        let n = probe.dimension
        let h = probe.hessian()
        let (asym, scale) = asymmetry(h, dimension: n)
        #expect(scale > 0)
        #expect(asym <= 1e-12 * scale, "max |H - Hᵀ| = \(asym), max |H| = \(scale) (bound 1e-12 max |H|)")
        let reference = probe.gradientDifferenceHessian()
        let err = relativeError(h, reference)
        #expect(err < 1e-8, "\(report("H", expected: reference.prefix(3), observed: h.prefix(3), error: err, bound: 1e-8))")
    }

    @Test("products through a PrimalMemo equal fresh ones bit for bit, along several directions", arguments: OperationProbe.all)
    func memoizedProducts(f: OperationProbe) {
        let probe = DerivativeProbe(f, at: f.parameters(seed: 8))
        let memo = PrimalMemo<Double>()
        var held = [Int]()
        for seed in UInt64(9)...12 {
            let v = normalVector(probe.dimension, seed: seed)
            #expect(probe.hessianVectorProduct(v, memo: memo) == probe.hessianVectorProduct(v), "direction \(seed)")
            held.append(memo.bytes)
        }
        #expect(Set(held).count == 1, "bytes held after each product: \(held)")
        let (value, gradient) = valueAndGradient(of: f, at: probe.parameters, memo: memo)
        #expect(value == probe.value && gradient.flatMap(\.scalars) == probe.gradient)
    }
}
