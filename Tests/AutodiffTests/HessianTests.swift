import Foundation
import Autodiff
import Tensor
import Testing
import TestSupport

/// The explicit Hessian, column j = H e_j from exact HVPs.
func explicitHessian(_ f: TinyNetwork, at w: [Tensor<Double>]) -> (h: [Double], n: Int) {
    let n = flat(w).count
    var h = [Double](repeating: 0, count: n * n)
    for j in 0..<n {
        var e = [Double](repeating: 0, count: n)
        e[j] = 1
        let column = flat(hessianVectorProduct(of: f, at: w, along: unflat(e, like: w)).product)
        for i in 0..<n { h[i * n + j] = column[i] }
    }
    return (h, n)
}

@Suite("Exact Hessian-vector products (forward-over-reverse)")
struct HessianTests {
    @Test("Hv matches central differences of the gradient", arguments: TinyNetwork.allVariants.indices)
    func hvpMatchesGradientDifferences(variant: Int) {
        let (act, loss, decay) = TinyNetwork.allVariants[variant]
        let (f, w) = TinyNetwork.make(act: act, loss: loss, decay: decay)
        let w0 = flat(w)
        let v = randomDirection(w0.count, seed: 21)
        let hv = flat(hessianVectorProduct(of: f, at: w, along: unflat(v, like: w)).product)
        let h = 1e-5
        let gPlus = flat(valueAndGradient(of: f, at: unflat(axpy(h, v, w0), like: w)).gradient)
        let gMinus = flat(valueAndGradient(of: f, at: unflat(axpy(-h, v, w0), like: w)).gradient)
        let fd = zip(gPlus, gMinus).map { ($0 - $1) / (2 * h) }
        let err = relativeError(hv, fd)
        #expect(err < 1e-6, "\(report("Hv", expected: fd.prefix(3), observed: hv.prefix(3), error: err, bound: 1e-6))")
    }

    @Test("u·Hv = v·Hu to 1e-10 relative", arguments: TinyNetwork.allVariants.indices)
    func symmetricBilinearForm(variant: Int) {
        let (act, loss, decay) = TinyNetwork.allVariants[variant]
        let (f, w) = TinyNetwork.make(n: 10, d: 6, h: 8, c: 4, act: act, loss: loss, decay: decay, seed: 3)
        let n = flat(w).count
        let u = randomDirection(n, seed: 31), v = randomDirection(n, seed: 32)
        let hv = flat(hessianVectorProduct(of: f, at: w, along: unflat(v, like: w)).product)
        let hu = flat(hessianVectorProduct(of: f, at: w, along: unflat(u, like: w)).product)
        let (a, b) = (dot(u, hv), dot(v, hu))
        let err = abs(a - b) / max(abs(a), abs(b))
        #expect(err < 1e-10, "\(report("u·Hv vs v·Hu", expected: a, observed: b, error: err, bound: 1e-10))")
    }

    @Test("the explicit Hessian built from HVPs is symmetric", arguments: TinyNetwork.allVariants.indices)
    func explicitHessianIsSymmetric(variant: Int) {
        let (act, loss, decay) = TinyNetwork.allVariants[variant]
        let (f, w) = TinyNetwork.make(n: 12, d: 8, h: 10, c: 5, act: act, loss: loss, decay: decay, seed: 4)
        let (h, n) = explicitHessian(f, at: w)
        #expect(n == 8 * 10 + 10 + 10 * 5 + 5)
        var asym = 0.0, scale = 0.0
        for i in 0..<n { for j in 0..<n { asym = max(asym, abs(h[i * n + j] - h[j * n + i])); scale = max(scale, abs(h[i * n + j])) } }
        #expect(asym <= 1e-12 * scale, "max |H - Hᵀ| = \(asym), max |H| = \(scale)")
    }

    /// The fused affine primitive against the composition it stands for: gradient and Hv of a
    /// network written each way, every tangent combination (data only, data and bias, both).
    @Test("the fused matmul(_:addingRowVector:) has the gradient and Hv of matmul then addingRowVector",
          arguments: TinyNetwork.allVariants.indices)
    func fusedAffineMatchesComposition(variant: Int) {
        let (act, loss, decay) = TinyNetwork.allVariants[variant]
        let (composed, w) = TinyNetwork.make(act: act, loss: loss, decay: decay)
        var fused = composed
        fused.fusedAffine = true
        let (value, g) = valueAndGradient(of: fused, at: w)
        let reference = valueAndGradient(of: composed, at: w)
        #expect(abs(value - reference.value) <= 1e-14 * abs(reference.value))
        #expect(relativeError(flat(g), flat(reference.gradient)) < 1e-13)
        for seed in [UInt64(1), 2] {
            var v = unflat(randomDirection(flat(w).count, seed: seed), like: w)
            if seed == 2 { v[1] = Tensor(zeros: v[1].shape); v[3] = Tensor(zeros: v[3].shape) }
            let hv = hessianVectorProduct(of: fused, at: w, along: v).product
            let expected = hessianVectorProduct(of: composed, at: w, along: v).product
            let err = relativeError(flat(hv), flat(expected))
            #expect(err < 1e-12, "Hv, direction \(seed): relative error \(err)")
        }
        // The bias tangent alone (no weight tangent): Y' = 1 b'ᵀ.
        var biasOnly = w.map { Tensor<Double>(zeros: $0.shape) }
        biasOnly[3] = Tensor(shape: biasOnly[3].shape, repeating: 1)
        #expect(relativeError(flat(hessianVectorProduct(of: fused, at: w, along: biasOnly).product),
                              flat(hessianVectorProduct(of: composed, at: w, along: biasOnly).product)) < 1e-12)
    }

    @Test("the gradient carried by the HVP equals the reverse-mode gradient")
    func gradientFromHVP() {
        let (f, w) = TinyNetwork.make(act: .gelu, loss: .crossEntropy, decay: 0.1)
        let result = hessianVectorProduct(of: f, at: w, along: unflat(randomDirection(flat(w).count, seed: 1), like: w))
        let (value, g) = valueAndGradient(of: f, at: w)
        #expect(result.value == value)
        #expect(relativeError(flat(result.gradient()), flat(g)) < 1e-14)
    }
}

@Suite("Closed form: softmax cross-entropy of a linear model")
struct LinearSoftmaxHessianTests {
    struct LinearSoftmax: ScalarFunction {
        typealias Scalar = Double
        let x: Tensor<Double>, y: Tensor<Double>
        func callAsFunction<A: TensorOps>(_ p: [A]) -> A where A.Scalar == Double {
            A(constant: x).matmul(p[0]).addingRowVector(p[1]).softmaxCrossEntropy(targets: y)
        }
    }

    @Test("H = (1/n) Σ_i (diag(p_i) - p_i p_iᵀ) ⊗ x̃_i x̃_iᵀ with x̃ = (x, 1)")
    func closedForm() {
        let (n, d, c) = (9, 4, 3)
        var rng = SeededGenerator(seed: 8)
        let x = Tensor<Double>.randomNormal([n, d], using: &rng)
        var y = Tensor<Double>(zeros: [n, c])
        for i in 0..<n { y[i, i % c] = 1 }
        let w = [Tensor<Double>.randomNormal([d, c], using: &rng), Tensor<Double>.randomNormal([c], using: &rng)]
        let f = LinearSoftmax(x: x, y: y)
        // Probabilities computed here with plain Swift, independent of the library's softmax.
        let bias = w[1].scalars
        func index(_ feature: Int, _ klass: Int) -> Int { feature < d ? feature * c + klass : d * c + klass }
        let dim = d * c + c
        var expected = [Double](repeating: 0, count: dim * dim)
        for i in 0..<n {
            let logits = (0..<c).map { k in (0..<d).reduce(bias[k]) { $0 + x[i, $1] * w[0][$1, k] } }
            let m = logits.max()!
            let e = logits.map { _exp($0 - m) }
            let p = e.map { $0 / e.reduce(0, +) }
            let xt = (0..<d).map { x[i, $0] } + [1.0]
            for a in 0...d { for b in 0...d { for j in 0..<c { for k in 0..<c {
                let s = (j == k ? p[j] : 0) - p[j] * p[k]
                expected[index(a, j) * dim + index(b, k)] += s * xt[a] * xt[b] / Double(n)
            } } } }
        }
        var observed = [Double](repeating: 0, count: dim * dim)
        for col in 0..<dim {
            var e = [Double](repeating: 0, count: dim)
            e[col] = 1
            let hv = flat(hessianVectorProduct(of: f, at: w, along: unflat(e, like: w)).product)
            for row in 0..<dim { observed[row * dim + col] = hv[row] }
        }
        let err = relativeError(observed, expected)
        #expect(err < 1e-13, "relative Frobenius error \(err)")
    }
}

private func _exp(_ x: Double) -> Double { Foundation.exp(x) }
