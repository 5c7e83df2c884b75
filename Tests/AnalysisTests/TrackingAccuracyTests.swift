import Analysis
import Foundation
import Models
import RunStore
import Spectral
import Tensor
import Testing
import Training

@Suite("The recorded λ_max against the dense Hessian at every measurement")
struct TrackingAccuracyTests {
    /// Full-batch GD at a learning rate that drives sharpness to 2/lr (edge of stability), where the
    /// top eigenvalues crowd and swap: 100 digits, MLP 64-8-8-10 tanh, MSE, 682 parameters, Float64.
    static func edgeOfStabilityConfig(lr: Double, steps: Int, every: Int) -> RunConfig {
        var c = RunConfig()
        c.name = "eos-small"
        c.steps = steps
        c.dtype = "f64"
        c.data.source = .digits
        c.data.path = repositoryRoot.appendingPathComponent("fixtures/digits").path
        c.data.subset = 100
        c.data.normalize = .scale
        c.model.hidden = [8, 8]
        c.model.loss = .meanSquaredError
        c.optimizer.lr = lr
        c.record.sharpnessEvery = every
        c.record.hessianExamples = 0
        c.record.checkpointAt = every > 0 ? Array(stride(from: 0, through: steps, by: every)) : []
        return c
    }

    @Test("every measurement of an edge-of-stability run is within the tolerance (1e-3) of λ₁, and every crossing event agrees with λ₁ outside that band")
    func edgeOfStability() throws {
        let config = Self.edgeOfStabilityConfig(lr: 0.1, steps: 300, every: 10)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("curv-tracking-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("run.h5").path
        _ = try Recorder.record(config, options: RecordOptions(outputPath: path, progress: .quiet))
        let reader = try RunReader.open(path)
        let metrics = try reader.metrics()
        let events = try reader.events()
        reader.close()
        let sharpness = metrics["sharpness"], threshold = metrics["sharpness_threshold"]
        var lambda1 = [Int: Double](), crowded = 0, peak = 0.0
        for (i, step) in metrics.steps.enumerated() where !sharpness[i].isNaN {
            let (h, n, _, _) = try explicitHessian(path, config, step: step)
            let exact = try denseSymmetricEigenvalues(h, dimension: n)
            let (l1, l2) = (exact[n - 1], exact[n - 2])
            lambda1[step] = l1
            peak = max(peak, l1)
            if l1 - l2 < 0.02 * l1 { crowded += 1 }
            #expect(sharpness[i] <= l1 + 1e-9 * l1 && l1 - sharpness[i] <= 1e-3 * l1,
                    "step \(step): recorded \(sharpness[i]), λ₁ \(l1), λ₂ \(l2)")
        }
        print("tracking check: \(lambda1.count) measurements, peak λ₁ \(peak) (2/lr = \(2 / config.optimizer.lr)), \(crowded) with λ₁ - λ₂ < 2%")
        for event in events where event.kind.hasPrefix("threshold_crossing") {
            guard let l1 = lambda1[event.step], let i = metrics.steps.firstIndex(of: event.step) else { continue }
            // Within the tolerance of the threshold either side is a correct reading.
            if abs(l1 - threshold[i]) <= 1e-3 * l1 { continue }
            #expect((l1 > threshold[i]) == (event.kind == "threshold_crossing_up"), "event \(event.kind) at step \(event.step): λ₁ \(l1), threshold \(threshold[i])")
        }
        // The run reaches the edge of stability (sharpness rises past 2/lr, falls back, hovers),
        // where the check matters.
        #expect(peak >= 2 / config.optimizer.lr)
        #expect(events.contains { $0.kind == "threshold_crossing_down" })
    }

    @Test("curv-density's top-5 and bottom-5 of a trained network are the 5 extreme eigenvalues of its dense Hessian, each within its residual, all converged")
    func extremeEigenvaluesOfTrainedNetwork() throws {
        var config = Self.edgeOfStabilityConfig(lr: 0.1, steps: 100, every: 0)
        config.record.checkpointAt = [100]
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("curv-extremes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("run.h5").path
        _ = try Recorder.record(config, options: RecordOptions(outputPath: path, progress: .quiet))
        var request = DensityRequest()
        request.probes = 2
        request.lanczos = 20
        request.top = 5
        request.bottom = 5
        let analysis = try #require(DensityAnalysis.run(path: path, request: request, progress: .quiet).first).analysis
        let (h, n, _, _) = try explicitHessian(path, config, step: 100)
        let exact = try denseSymmetricEigenvalues(h, dimension: n)
        let scale = max(abs(exact.first!), abs(exact.last!))
        #expect(analysis.eigenTolerance == 1e-6 && analysis.topConverged == Array(repeating: true, count: 5)
                && analysis.bottomConverged == Array(repeating: true, count: 5))
        for k in 0..<5 {
            #expect(abs(analysis.topEigenvalues[k] - exact[n - 1 - k]) <= analysis.topResiduals[k] + 1e-12 * scale,
                    "top \(k): \(analysis.topEigenvalues[k]) vs \(exact[n - 1 - k]), residual \(analysis.topResiduals[k])")
            #expect(abs(analysis.bottomEigenvalues[k] - exact[k]) <= analysis.bottomResiduals[k] + 1e-12 * scale,
                    "bottom \(k): \(analysis.bottomEigenvalues[k]) vs \(exact[k]) (next \(exact[k + 1])), residual \(analysis.bottomResiduals[k])")
            #expect(analysis.bottomResiduals[k] <= 1e-6 * scale * 1.01 && analysis.bottomResiduals[k] > 0)
        }
    }
}
