import Analysis
import Foundation
import Models
import RunStore
import Spectral
import Tensor
import Testing
import Training

/// A small Float64 recording of a CNN with BatchNorm on 200 digits (conv 1->2 channels, 3x3,
/// BatchNorm, ReLU, max pooling, dense head: 348 parameters), minibatches of 40, the Hessian in
/// `mode` over 80 examples, checkpoints at steps 0 and 4.
func batchNormRun(mode: Mode) throws -> (String, RunConfig) {
    var c = RunConfig()
    c.name = "bn-\(mode.rawValue)"
    c.steps = 4
    c.dtype = "f64"
    c.data.path = repositoryRoot.appendingPathComponent("fixtures/digits").path
    c.data.subset = 200
    c.model.kind = "cnn"
    c.model.channels = [2]
    c.model.hidden = []
    c.model.activation = .relu
    c.model.initialization = .heNormal
    c.model.batchNorm = true
    c.model.hessianMode = mode
    c.optimizer.lr = 0.3
    c.training.batchSize = 40
    c.record.sharpnessEvery = 4
    c.record.sharpnessTolerance = 1e-7
    c.record.sharpnessLanczos = 60
    c.record.hessianExamples = 80
    c.record.checkpointAt = [0, 4]
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("curv-bn-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent("run.h5").path
    _ = try Recorder.record(c, options: RecordOptions(outputPath: path, progress: .quiet))
    return (path, c)
}

@Suite("Runs of a BatchNorm model: buffers in checkpoints, the Hessian in the recorded mode")
struct BatchNormRunTests {
    /// λ_max three ways, each from its own inputs: the tracker during training (live buffers),
    /// curv-density from the run file alone (checkpoint weights and buffers, stored batch), and
    /// LAPACK on the explicit Hessian of a surface rebuilt here from the config's data pipeline.
    @Test("the recorded sharpness, curv-density and LAPACK on the explicit Hessian agree, in train and eval mode",
          arguments: [Mode.train, .eval])
    func threeWaysAgree(mode: Mode) throws {
        let (path, config) = try batchNormRun(mode: mode)
        let reader = try RunReader.open(path)
        let spec = try ModelSpec.parse(json: reader.modelSpec(), source: path)
        #expect(spec.hessianMode == mode && spec.normalizationGroup == 40)
        let checkpoint = try reader.checkpoint(at: 4, as: Double.self)
        let recorded = try reader.metrics().columns["sharpness"]!.last!
        reader.close()
        let network = spec.network
        #expect(checkpoint.buffers.map(\.name) == network.bufferLayout.names)
        // Four training steps moved the running statistics off their start.
        let start = network.bufferLayout.flatten(network.initialBuffers(as: Double.self))
        let stored = try network.bufferLayout.flat(from: checkpoint.buffers, source: path)
        #expect((stored - start).norm() > 1e-3)

        let data = try PreparedData.prepare(config)
        let surface = LossSurface(model: network, loss: spec.loss, examples: data.hessianBatch.batch(as: Double.self),
                                  mode: mode, buffers: network.bufferLayout.unflatten(stored), normalizationGroup: 40)
        let w = try network.layout.flat(from: checkpoint.weights, source: path)
        let op = surface.hessianOperator(at: w)
        let exact = try denseSymmetricEigenvalues(op.denseMatrix(), dimension: op.dimension)
        let top = exact.max()!

        var request = DensityRequest()
        request.steps = .steps([4])
        request.probes = 2
        request.lanczos = 20
        request.top = 1
        request.bottom = 0
        _ = try DensityAnalysis.run(path: path, request: request, progress: .quiet)
        let analysed = try RunReader.open(path)
        let density = try analysed.analyses().last!.analysis.topEigenvalues[0]
        analysed.close()

        #expect(abs(density - top) <= 1e-6 * top, "curv-density \(density), LAPACK \(top)")
        #expect(abs(recorded - top) <= 1e-4 * top, "recorded \(recorded), LAPACK \(top)")
    }

    /// The two modes measure different Hessians of the same weights (a test with teeth for the mode
    /// reaching the products).
    @Test("train-mode and eval-mode Hessians of one checkpoint differ")
    func modesDiffer() throws {
        let (path, _) = try batchNormRun(mode: .eval)
        let reader = try RunReader.open(path)
        defer { reader.close() }
        let model = try RunModel<Double>(reader: reader)
        let w = try model.weights(at: 4, reader: reader)
        let buffers = try model.buffers(at: 4, reader: reader)
        var rng = SeededGenerator(seed: 4)
        let v = Tensor<Double>.randomNormal([w.count], using: &rng)
        let eval = model.surface(buffers: buffers).hessianVectorProduct(at: w, v)
        let train = model.surface.with(mode: .train).hessianVectorProduct(at: w, v)
        #expect((eval - train).norm() > 1e-2 * eval.norm())
    }
}

@Suite("Dropout is in training steps only")
struct DropoutRunTests {
    /// Two recordings that differ only in dropout: at step 0 the weights are the same, so the
    /// recorded λ_max (of the loss without dropout) must be the same; the training losses differ.
    @Test("the recorded sharpness is of the loss without dropout; the training steps do drop")
    func sharpnessWithoutDropout() throws {
        func record(dropout: Double) throws -> (sharpness: Double, losses: [Double]) {
            var c = mixtureConfig(name: "dropout-\(dropout)", steps: 3, dimension: 5, hidden: [12])
            c.model.dropout = dropout
            c.record.sharpnessEvery = 3
            c.record.sharpnessTolerance = 1e-9
            c.record.sharpnessLanczos = 80
            return try withRecording(c) { path in
                let reader = try RunReader.open(path)
                defer { reader.close() }
                let metrics = try reader.metrics()
                return (metrics.columns["sharpness"]![0], metrics.columns["loss"]!)
            }
        }
        let (plain, dropped) = (try record(dropout: 0), try record(dropout: 0.5))
        #expect(abs(plain.sharpness - dropped.sharpness) <= 1e-8 * plain.sharpness, "λ_max at step 0: \(plain.sharpness) vs \(dropped.sharpness)")
        #expect(plain.losses[0] != dropped.losses[0], "the step-0 training loss should see dropout's masks")
    }
}
