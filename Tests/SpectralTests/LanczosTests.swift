import Foundation
import Spectral
import Tensor
import Testing
import TestSupport

@Suite("Lanczos against LAPACK's dense eigensolver")
struct LanczosTests {
    @Test("order-n Lanczos reproduces every eigenvalue of a random symmetric matrix to 1e-10",
          arguments: [(Reorthogonalization.full, 1e-10), (.partial, 1e-10)])
    func fullOrder(mode: Reorthogonalization, bound: Double) throws {
        let n = 150
        let a = Matrices.randomSymmetric(n, seed: 11)
        let expected = try denseSymmetricEigenvalues(a, dimension: n)
        var rng = SeededGenerator(seed: 12)
        let start = (0..<n).map { _ in rng.normal() }
        let result = try lanczos(.dense(a, dimension: n), start: start, steps: n, reorthogonalization: mode)
        #expect(result.steps == n && result.breakdownStep == nil)
        let observed = try result.tridiagonal.eigenvalues()
        let scale = expected.map(abs).max()!
        let err = maxAbsoluteError(observed, expected) / scale
        #expect(err < bound, "\(report("eigenvalues (\(mode))", expected: expected.suffix(2), observed: observed.suffix(2), error: err, bound: bound))")
        if mode == .partial { #expect(result.reorthogonalizations < n, "partial reorthogonalized at every step") }
    }

    @Test("Gauss quadrature is exact for degrees up to 2m-1: Σ w θ^k = vᵀ A^k v / |v|²")
    func quadratureExactness() throws {
        let (n, m) = (60, 8)
        let a = Matrices.randomSymmetric(n, seed: 21)
        var rng = SeededGenerator(seed: 22)
        let v = (0..<n).map { _ in rng.normal() }
        let op = SymmetricOperator.dense(a, dimension: n)
        let (nodes, weights) = try lanczos(op, start: v, steps: m).tridiagonal.gaussQuadrature()
        #expect(abs(weights.reduce(0, +) - 1) < 1e-13)
        let vv = v.reduce(0) { $0 + $1 * $1 }
        var akv = v
        for k in 0...(2 * m - 1) {
            let exact = zip(v, akv).reduce(0) { $0 + $1.0 * $1.1 } / vv
            let quadrature = zip(nodes, weights).reduce(0) { $0 + $1.1 * pow($1.0, Double(k)) }
            let err = abs(quadrature - exact) / max(abs(exact), 1e-3)
            #expect(err < 1e-10, "\(report("moment \(k)", expected: exact, observed: quadrature, error: err, bound: 1e-10))")
            akv = op.apply(akv)
        }
        // Degree 2m is no longer exact in general: the test can tell the difference.
        let exact = zip(v, akv).reduce(0) { $0 + $1.0 * $1.1 } / vv
        let quadrature = zip(nodes, weights).reduce(0) { $0 + $1.1 * pow($1.0, Double(2 * m)) }
        #expect(abs(quadrature - exact) > 1e-8)
    }

    @Test("breakdown on a rank-3 matrix stops early with its exact eigenvalues")
    func breakdown() throws {
        let n = 50
        var values = [Double](repeating: 0, count: n)
        values[0] = 3; values[1] = -2; values[2] = 7
        let a = Matrices.withSpectrum(values, seed: 31)
        var rng = SeededGenerator(seed: 32)
        let result = try lanczos(.dense(a, dimension: n), start: (0..<n).map { _ in rng.normal() }, steps: 20)
        let step = try #require(result.breakdownStep)
        #expect(step <= 4)
        let ritz = try result.tridiagonal.eigenvalues()
        for lambda in [-2.0, 3, 7] { #expect(ritz.contains { abs($0 - lambda) < 1e-10 }, "\(lambda) not among \(ritz)") }
    }

    @Test("a NaN from the operator is an error naming the step")
    func nonFinite() {
        var calls = 0
        let op = SymmetricOperator(dimension: 10) { v in
            calls += 1
            return calls == 3 ? v.map { _ in .nan } : v.map { 2 * $0 }.enumerated().map { $0.element + Double($0.offset) * 1e-3 * $0.element }
        }
        #expect(throws: SpectralError.nonFiniteProduct(step: 3, probe: 0)) {
            try lanczos(op, start: [Double](repeating: 1, count: 10), steps: 8)
        }
        #expect("\(SpectralError.nonFiniteProduct(step: 3, probe: 2))".contains("step 3 of probe 2"))
    }

    @Test("without reorthogonalization converged eigenvalues come back as ghosts; with it they do not")
    func ghosts() throws {
        // Well-separated top eigenvalues converge early; 150 steps on n = 400 make plain Lanczos repeat them.
        let n = 400
        let values = (0..<n).map { Double($0) / Double(n) } + []
        var spectrum = values
        spectrum[n - 1] = 10; spectrum[n - 2] = 6
        let a = Matrices.withSpectrum(spectrum, seed: 41)
        var rng = SeededGenerator(seed: 42)
        let start = (0..<n).map { _ in rng.normal() }
        func copiesOfTop(_ mode: Reorthogonalization) throws -> Int {
            let ritz = try lanczos(.dense(a, dimension: n), start: start, steps: 150, reorthogonalization: mode).tridiagonal.eigenvalues()
            return ritz.filter { abs($0 - 10) < 1e-6 }.count
        }
        #expect(try copiesOfTop(.none) > 1)
        #expect(try copiesOfTop(.full) == 1)
        #expect(try copiesOfTop(.partial) == 1)
    }
}

@Suite("Partial reorthogonalization with a single-precision operator")
struct NoisyOperatorTests {
    @Test("with products rounded to Float32, partial reorthogonalization leaves no ghosts and matches full reorthogonalization")
    func float32Operator() throws {
        let n = 600
        let a = Matrices.withSpectrum(ExtremeEigenvalueTests.spikedSpectrum, seed: 91)
        let exact = try denseSymmetricEigenvalues(a, dimension: n)
        // The product computed in Float32, as a Float32 model's HVP would be (not exactly symmetric).
        let af = a.map { Float($0) }
        let op = SymmetricOperator(dimension: n, precision: 1e-6) { v in
            let vf = v.map { Float($0) }
            return (0..<n).map { i in Double((0..<n).reduce(Float(0)) { $0 + af[i * n + $1] * vf[$1] }) }
        }
        var rng = SeededGenerator(seed: 92)
        let start = (0..<n).map { _ in rng.normal() }
        let partial = try lanczos(op, start: start, steps: 150, reorthogonalization: .partial)
        let full = try lanczos(op, start: start, steps: 150, reorthogonalization: .full)
        let ritzPartial = try partial.tridiagonal.eigenvalues(), ritzFull = try full.tridiagonal.eigenvalues()
        #expect(ritzPartial.filter { abs($0 - exact.last!) < 1e-3 }.count == 1, "copies of λ_max: \(ritzPartial.suffix(4))")
        for k in 1...5 {
            #expect(abs(ritzPartial[150 - k] - exact[n - k]) < 1e-5 * 40, "top \(k): \(ritzPartial[150 - k]) vs \(exact[n - k])")
        }
        #expect(partial.reorthogonalizations < 120, "partial reorthogonalized \(partial.reorthogonalizations) of 150 steps")
        // The two quadratures describe the same spectral measure.
        let (dp, df) = (try spectralDensity(from: [partial.tridiagonal]), try spectralDensity(from: [full.tridiagonal]))
        var worst = 0.0
        for t in stride(from: -4.0, through: 41, by: 0.25) {
            worst = max(worst, abs(discreteCDF(t, nodes: dp.nodes[0], weights: dp.weights[0]) - discreteCDF(t, nodes: df.nodes[0], weights: df.weights[0])))
        }
        #expect(worst < 0.01, "CDF difference partial vs full: \(worst)")
        _ = ritzFull
    }
}
