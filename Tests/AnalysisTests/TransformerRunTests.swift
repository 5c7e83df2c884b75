// A Transformer recorded with Adam and re-analysed from the run file alone: the recorded λ_max
// of the Hessian and of Adam's preconditioned Hessian, and curv-density's, each against LAPACK
// on an explicit matrix built here from the config's own data pipeline and the checkpoint's raw
// optimizer state.

import Analysis
import Foundation
import Models
import RunStore
import Spectral
import Tensor
import Testing
import Training

@Suite("Transformer runs: recorded and re-analysed curvature against dense references")
struct TransformerRunTests {
    /// A Float64 recording of a 1-block, 2-head, width-8 Transformer (context 4, copy task over 4
    /// symbols: V = 5; 1 001 parameters with pre-LN) trained by Adam on minibatches of 8 for 6
    /// steps; λ_max tracked tightly at step 6 over a 16-example Hessian batch; checkpoints at 0 and 6.
    func record(_ placement: LayerNormPlacement, in dir: URL) throws -> (String, RunConfig) {
        var c = RunConfig()
        c.name = "transformer-\(placement.rawValue)"
        c.steps = 6
        c.dtype = "f64"
        c.useTinyCopyTransformer()
        c.model.layerNorm = placement
        c.optimizer.beta2 = 0.99
        c.training.batchSize = 8
        c.record.sharpnessEvery = 6
        c.record.sharpnessTolerance = 1e-10
        c.record.sharpnessLanczos = 200
        c.record.hessianExamples = 16
        c.record.checkpointAt = [0, 6]
        let path = dir.appendingPathComponent("\(c.name).h5").path
        _ = try Recorder.record(c, options: RecordOptions(outputPath: path, progress: .quiet))
        return (path, c)
    }

    /// The references at `step`: the Hessian over examples from the config's own data pipeline
    /// (not the stored batch) at the checkpoint's weights, and `D H D` with `D = P^-1/2`,
    /// `P = sqrt(v / (1 - beta2^t)) + eps` written out from the checkpoint's raw `v` slot; both
    /// dense, row-major `n x n`.
    static func denseMatrices(_ path: String, _ config: RunConfig, step: Int) throws -> (hessian: [Double], preconditioned: [Double], n: Int) {
        let reader = try RunReader.open(path)
        defer { reader.close() }
        let spec = try ModelSpec.parse(json: reader.modelSpec(), source: path)
        let network = spec.network
        let checkpoint = try reader.checkpoint(at: step, as: Double.self)
        let surface = LossSurface(model: network, loss: spec.loss, examples: try PreparedData.prepare(config).hessianBatch.batch(as: Double.self))
        let w = try network.layout.flat(from: checkpoint.weights, source: path)
        let n = w.count
        let hessian = surface.hessianOperator(at: w).denseMatrix()
        let state = checkpoint.optimizer
        #expect(state.kind == "adam" && state.stepCount == step)
        let v = try network.layout.flat(from: try #require(state.slots["v"]), source: path).doubles
        let correction = 1 - pow(config.optimizer.beta2, Double(step))
        let d = v.map { 1 / (($0 / correction).squareRoot() + config.optimizer.eps).squareRoot() }
        var scaled = hessian
        for i in 0..<n { for j in 0..<n { scaled[i * n + j] *= d[i] * d[j] } }
        return (hessian, scaled, n)
    }

    @Test("λ_max of H and of P^-1/2 H P^-1/2: recorder, curv-density and LAPACK agree (pre-LN and post-LN)",
          arguments: [LayerNormPlacement.pre, .post])
    func curvatureAgrees(placement: LayerNormPlacement) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("curv-transformer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let (path, config) = try record(placement, in: dir)
        let reader = try RunReader.open(path)
        #expect(try ModelSpec.parse(json: reader.modelSpec(), source: path).transformerShape?.placement == placement)
        let metrics = try reader.metrics()
        reader.close()
        let row = try #require(metrics.steps.firstIndex(of: 6))
        let recorded = (hessian: metrics.columns["sharpness"]![row], preconditioned: metrics.columns["preconditioned_sharpness"]![row])

        let (hessian, scaled, n) = try Self.denseMatrices(path, config, step: 6)
        let top = try denseSymmetricEigenvalues(hessian, dimension: n).max()!
        let preconditionedTop = try denseSymmetricEigenvalues(scaled, dimension: n).max()!
        #expect(preconditionedTop > 2 * top, "Adam's preconditioner should magnify the curvature early in training")

        // curv-density from the run file alone, both operators.
        var analysed: [SpectralOperator: Double] = [:]
        for kind in [SpectralOperator.hessian, .preconditioned] {
            _ = try DensityAnalysis.run(path: path, request: lambdaMaxRequest(step: 6, kind, probes: 2, lanczos: 30), progress: .quiet)
            let r = try RunReader.open(path)
            analysed[kind] = try r.analyses().last!.analysis.topEigenvalues[0]
            r.close()
        }
        #expect(abs(analysed[.hessian]! - top) <= 1e-6 * top, "curv-density \(analysed[.hessian]!), LAPACK \(top)")
        #expect(abs(analysed[.preconditioned]! - preconditionedTop) <= 1e-6 * preconditionedTop,
                "curv-density \(analysed[.preconditioned]!), LAPACK \(preconditionedTop)")
        #expect(abs(recorded.hessian - top) <= 1e-6 * top, "recorded \(recorded.hessian), LAPACK \(top)")
        #expect(abs(recorded.preconditioned - preconditionedTop) <= 1e-6 * preconditionedTop,
                "recorded \(recorded.preconditioned), LAPACK \(preconditionedTop)")
    }
}
