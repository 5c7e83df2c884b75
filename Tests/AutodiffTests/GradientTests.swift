import Autodiff
import Tensor
import Testing
import TestSupport

@Suite("Gradients against central finite differences (Float64)")
struct GradientTests {
    @Test("directional derivative ∇f·v matches (f(w+hv) - f(w-hv))/2h", arguments: TinyNetwork.allVariants.indices)
    func gradientMatchesFiniteDifferences(variant: Int) {
        let (act, loss, decay) = TinyNetwork.allVariants[variant]
        let (f, w) = TinyNetwork.make(act: act, loss: loss, decay: decay)
        let (_, g) = valueAndGradient(of: f, at: w)
        let w0 = flat(w)
        for probe in 0..<4 {
            let v = randomDirection(w0.count, seed: 100 + UInt64(probe))
            let h = 1e-5
            let plus = f(unflat(axpy(h, v, w0), like: w)).scalar
            let minus = f(unflat(axpy(-h, v, w0), like: w)).scalar
            let expected = (plus - minus) / (2 * h)
            let observed = dot(flat(g), v)
            let err = abs(observed - expected) / max(abs(expected), 1e-8)
            #expect(err < 1e-6, "\(report("∇f·v", expected: expected, observed: observed, error: err, bound: 1e-6))")
        }
    }

    @Test("forward mode (duals) gives the same directional derivative as reverse mode", arguments: TinyNetwork.allVariants.indices)
    func forwardMatchesReverse(variant: Int) {
        let (act, loss, decay) = TinyNetwork.allVariants[variant]
        let (f, w) = TinyNetwork.make(act: act, loss: loss, decay: decay, seed: 11)
        let v = randomDirection(flat(w).count, seed: 5)
        let (value, derivative) = directionalDerivative(of: f, at: w, along: unflat(v, like: w))
        let (value2, g) = valueAndGradient(of: f, at: w)
        #expect(abs(value - value2) <= 1e-15 * abs(value))
        let expected = dot(flat(g), v)
        #expect(abs(derivative - expected) <= 1e-12 * max(1, abs(expected)))
    }

    @Test("a parameter the loss does not use gets a zero gradient")
    func unusedParameter() {
        struct UsesFirst: ScalarFunction {
            typealias Scalar = Double
            func callAsFunction<A: TensorOps>(_ p: [A]) -> A where A.Scalar == Double { p[0].sumOfSquares() }
        }
        let w = [Tensor<Double>(shape: [2], scalars: [1, 2]), Tensor<Double>(shape: [3], scalars: [1, 1, 1])]
        let (value, g) = valueAndGradient(of: UsesFirst(), at: w)
        #expect(value == 5)
        #expect(g[0].scalars == [2, 4] && g[1].scalars == [0, 0, 0])
    }
}
