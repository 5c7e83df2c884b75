import Analysis
import Foundation
import RunStore
import Training

/// A Float64 MLP on 60 examples of a 3-class Gaussian mixture in `dimension` dimensions: the
/// smallest recording that exercises a recorder feature end to end.
func mixtureConfig(name: String, steps: Int, dimension: Int, hidden: [Int]) -> RunConfig {
    var c = RunConfig()
    c.name = name
    c.steps = steps
    c.dtype = "f64"
    c.data.source = .gaussianMixture
    c.data.count = 60
    c.data.dimension = dimension
    c.data.classes = 3
    c.model.hidden = hidden
    return c
}

extension RunConfig {
    /// The copy task over 4 symbols (V = 5), 40 windows of context 4, for a 1-block, 2-head,
    /// width-8 Transformer trained by Adam at 0.01: the smallest sequence run.
    mutating func useTinyCopyTransformer() {
        data.source = .copy
        data.normalize = .none
        data.count = 40
        data.context = 4
        data.symbols = 4
        model.kind = "transformer"
        model.width = 8
        model.layers = 1
        model.heads = 2
        optimizer.kind = .adam
        optimizer.lr = 0.01
    }
}

/// Records `config` into a fresh temporary directory, hands the run file's path to `body`, and
/// removes the directory afterwards.
func withRecording<R>(_ config: RunConfig, _ body: (String) throws -> R) throws -> R {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("curv-\(config.name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("run.h5").path
    _ = try Recorder.record(config, options: RecordOptions(outputPath: path, progress: .quiet))
    return try body(path)
}

/// A curv-density request for λ_max alone (no bottom eigenvalues) at one checkpoint step, with a
/// small density.
func lambdaMaxRequest(step: Int, _ operatorKind: SpectralOperator, probes: Int, lanczos: Int) -> DensityRequest {
    var request = DensityRequest()
    request.steps = .steps([step])
    request.operatorKind = operatorKind
    request.probes = probes
    request.lanczos = lanczos
    request.top = 1
    request.bottom = 0
    return request
}
