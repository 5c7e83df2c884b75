import Foundation
import Models
import Spectral
import Tensor
import Testing
import TestSupport
import Training

@Suite("Spectra of a small MLP's Hessian against its explicit form")
struct HessianSpectrumTests {
    /// An MLP with 177 parameters on random data, Float64, at a random point.
    static func surface() -> (LossSurface<Double>, Tensor<Double>) {
        randomSurface(MLP(widths: [6, 12, 6, 3], activation: .tanh).network, examples: 40, chunkSize: 16, seed: 81, pointSeed: 82)
    }

    @Test("top-5 and bottom-5 from Lanczos match dsyevd on the explicit Hessian; Hutch++ is within 3 SE of the trace")
    func topBottomAndTrace() throws {
        let (surface, w) = Self.surface()
        let op = surface.hessianOperator(at: w)
        let n = op.dimension
        let h = op.denseMatrix()
        var asymmetry = 0.0
        for i in 0..<n { for j in 0..<i { asymmetry = max(asymmetry, abs(h[i * n + j] - h[j * n + i])) } }
        #expect(asymmetry < 1e-12)
        let exact = try denseSymmetricEigenvalues(h, dimension: n)
        let scale = max(abs(exact.first!), abs(exact.last!))
        let result = try extremeEigenpairs(of: op, settings: EigenSettings(top: 5, bottom: 5, tolerance: 1e-10))
        for k in 0..<5 {
            #expect(abs(result.top[k].value - exact[n - 1 - k]) < 1e-8 * scale, "top \(k): \(result.top[k].value) vs \(exact[n - 1 - k])")
            #expect(abs(result.bottom[k].value - exact[k]) < 1e-8 * scale, "bottom \(k): \(result.bottom[k].value) vs \(exact[k])")
        }
        let trace = (0..<n).reduce(0) { $0 + h[$1 * n + $1] }
        let estimate = try hutchPlusPlusTrace(of: op, matvecs: 90, seed: 2)
        #expect(abs(estimate.value - trace) < 3 * estimate.standardError, "Hutch++ \(estimate.value) ± \(estimate.standardError), exact \(trace)")
    }

    @Test("the preconditioned operator's eigenvalues equal those of D^-1/2 H D^-1/2 formed densely")
    func preconditioned() throws {
        let (surface, w) = Self.surface()
        let op = surface.hessianOperator(at: w)
        let n = op.dimension
        var rng = SeededGenerator(seed: 83)
        // An Adam-like preconditioner sqrt(v_hat) + eps spanning three orders of magnitude.
        let d = (0..<n).map { _ in pow(10, -3 * rng.uniform()) + 1e-8 }
        let h = op.denseMatrix()
        var scaled = h
        for i in 0..<n { for j in 0..<n { scaled[i * n + j] = h[i * n + j] / (d[i] * d[j]).squareRoot() } }
        let exact = try denseSymmetricEigenvalues(scaled, dimension: n)
        let scale = max(abs(exact.first!), abs(exact.last!))
        // Lanczos from one start vector sees each distinct eigenvalue once (softmax's shift
        // invariance makes zero a repeated eigenvalue), so compare the extremes, and check every
        // Ritz value of a full run is an eigenvalue.
        let op2 = op.diagonallyPreconditioned(by: d)
        let result = try extremeEigenpairs(of: op2, settings: EigenSettings(top: 5, bottom: 5, tolerance: 1e-12))
        for k in 0..<5 {
            #expect(abs(result.top[k].value - exact[n - 1 - k]) < 1e-10 * scale, "top \(k): \(result.top[k].value) vs \(exact[n - 1 - k])")
            #expect(abs(result.bottom[k].value - exact[k]) < 1e-10 * scale, "bottom \(k): \(result.bottom[k].value) vs \(exact[k])")
        }
        var rng2 = SeededGenerator(seed: 4)
        let full = try lanczos(op2, start: (0..<n).map { _ in rng2.normal() }, steps: n)
        for ritz in try full.tridiagonal.eigenvalues() {
            let nearest = exact.map { abs($0 - ritz) }.min()!
            #expect(nearest < 1e-10 * scale, "Ritz value \(ritz) is \(nearest) from the nearest eigenvalue")
        }
    }

    @Test("SLQ on a Float32 network Hessian (partial reorthogonalization, the default): moments and λ_max match the dense Float64 Hessian, and full reorthogonalization agrees")
    func slqOnFloat32Hessian() throws {
        // An MLP with 964 parameters on 64 random examples; Float64 for the reference, Float32 for SLQ.
        var rng = SeededGenerator(seed: 85)
        let model = MLP(widths: [10, 24, 24, 4], activation: .tanh).network
        let x = Tensor<Double>.randomNormal([64, 10], using: &rng)
        var y = Tensor<Double>(zeros: [64, 4])
        for i in 0..<64 { y[i, Int(rng.next() % 4)] = 1 }
        let w = model.layout.flatten(model.initialParameters(.lecunNormal, seed: 86, as: Double.self))
        let reference = LossSurface(model: model, loss: .crossEntropy, examples: Batch(inputs: x, targets: y))
        let h = reference.hessianOperator(at: w).denseMatrix()
        let n = reference.dimension
        let exact = try denseSymmetricEigenvalues(h, dimension: n)
        let single = LossSurface(model: model, loss: .crossEntropy,
                                 examples: Batch(inputs: Tensor<Float>(shape: x.shape, converting: x.scalars),
                                                 targets: Tensor<Float>(shape: y.shape, converting: y.scalars)))
        let op = single.hessianOperator(at: Tensor<Float>(shape: w.shape, converting: w.scalars))
        #expect(op.precision > 1e-7 && op.precision < 1e-4)

        let settings = SLQSettings(probes: 3, steps: 40, seed: 7)
        #expect(settings.reorthogonalization == .partial)
        let partial = try lanczosRuns(of: op, settings: settings)
        var fullSettings = settings
        fullSettings.reorthogonalization = .full
        let full = try lanczosRuns(of: op, settings: fullSettings)
        let lambdaMax = max(abs(exact.first!), abs(exact.last!))
        for (l, (p, f)) in zip(partial, full).enumerated() {
            #expect(p.reorthogonalizations < 40, "probe \(l): partial reorthogonalized at all \(p.reorthogonalizations) steps")
            // Gauss quadrature moments Σ w θ^k against vᵀ H^k v / |v|² with the dense Float64 H,
            // for the same Rademacher probe SLQ drew (degree ≤ 2m - 1 is exact; Float32 products
            // leave ~1e-6 per power).
            var rng = probeGenerator(seed: 7, probe: l)
            let v = ProbeKind.rademacher.draw(n, using: &rng)
            let vv = v.reduce(0) { $0 + $1 * $1 }
            var hkv = v
            let (pn, pw) = try p.tridiagonal.gaussQuadrature(), (fn, fw) = try f.tridiagonal.gaussQuadrature()
            for k in 0...12 {
                let moment = zip(v, hkv).reduce(0) { $0 + $1.0 * $1.1 } / vv
                let norm = pow(lambdaMax, Double(k))
                let mp = zip(pn, pw).reduce(0) { $0 + $1.1 * pow($1.0, Double(k)) }
                let mf = zip(fn, fw).reduce(0) { $0 + $1.1 * pow($1.0, Double(k)) }
                #expect(abs(mp - moment) < 1e-4 * norm, "probe \(l) moment \(k): partial \(mp), exact \(moment)")
                #expect(abs(mf - moment) < 1e-4 * norm, "probe \(l) moment \(k): full \(mf), exact \(moment)")
                hkv = symmetricProduct(h, hkv, n)
            }
            // The largest Ritz value is λ_max, once (no ghost copies).
            let ritz = try p.tridiagonal.eigenvalues()
            #expect(abs(ritz.last! - exact.last!) < 1e-4 * lambdaMax, "probe \(l): top Ritz \(ritz.last!) vs λ_max \(exact.last!)")
            #expect(ritz.filter { abs($0 - exact.last!) < 1e-3 * lambdaMax }.count == 1, "probe \(l): copies of λ_max in \(ritz.suffix(3))")
        }
    }
}

/// `H v` for a dense row-major `n x n` matrix.
private func symmetricProduct(_ h: [Double], _ v: [Double], _ n: Int) -> [Double] {
    (0..<n).map { i in (0..<n).reduce(0) { $0 + h[i * n + $1] * v[$1] } }
}
