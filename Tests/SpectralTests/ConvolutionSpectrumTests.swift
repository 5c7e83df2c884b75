import Models
import Spectral
import Tensor
import Testing
import TestSupport
import Training

@Suite("Spectrum of a small CNN's Hessian against its explicit form")
struct ConvolutionSpectrumTests {
    /// Two channels of 5x5 images: a 3x3 convolution with 3 outputs, tanh, 2x2 max pooling, a dense
    /// hidden layer of 4, a dense head of 3 classes (124 parameters), Float64, 24 random examples
    /// in chunks of 10, at the initial point of a seeded scheme.
    static func surface() -> (LossSurface<Double>, Tensor<Double>) {
        let model = Architectures.cnn(inputShape: [2, 5, 5], channels: [3], hidden: [4], outputs: 3, activation: .tanh, batchNorm: false)
        return randomSurface(model, examples: 24, chunkSize: 10, seed: 91, pointSeed: 92)
    }

    @Test("Lanczos top-5 and bottom-3 eigenvalues match dsyevd on the explicit Hessian")
    func extremeEigenvalues() throws {
        let (surface, w) = Self.surface()
        #expect(surface.dimension == 124 && surface.chunks.count == 3)
        let op = surface.hessianOperator(at: w)
        let n = op.dimension
        let h = op.denseMatrix()
        let (asym, scale) = asymmetry(h, dimension: n)
        #expect(asym <= 1e-12 * scale, "max |H - Hᵀ| = \(asym), max |H| = \(scale)")
        let exact = try denseSymmetricEigenvalues(h, dimension: n)
        let size = max(abs(exact.first!), abs(exact.last!))
        // Distinct top eigenvalues, so each is found once and compared with the right one.
        #expect(zip(exact.suffix(5), exact.suffix(4)).allSatisfy { $1 - $0 > 1e-6 * size }, "top eigenvalues \(exact.suffix(5))")
        let result = try extremeEigenpairs(of: op, settings: EigenSettings(top: 5, bottom: 3, tolerance: 1e-10))
        #expect((result.top + result.bottom).allSatisfy { $0.converged })
        for k in 0..<5 {
            let (observed, expected) = (result.top[k].value, exact[n - 1 - k])
            #expect(abs(observed - expected) < 1e-8 * size, "\(report("top \(k)", expected: expected, observed: observed, error: abs(observed - expected), bound: 1e-8 * size))")
        }
        for k in 0..<3 {
            let (observed, expected) = (result.bottom[k].value, exact[k])
            #expect(abs(observed - expected) < 1e-8 * size, "\(report("bottom \(k)", expected: expected, observed: observed, error: abs(observed - expected), bound: 1e-8 * size))")
        }
    }
}
