import Foundation
import Models
import RunStore
import Tensor
import Testing
import Training

/// A config from `fixtures/configs`, read as curv-record reads it (its data paths are relative to
/// its folder, so the working directory does not matter).
func exampleConfig(_ name: String) throws -> RunConfig {
    try RunConfig.load(repositoryRoot.appendingPathComponent("fixtures/configs/\(name)").path)
}

/// Records `config` into a fresh temporary file and returns its path.
func record(_ config: RunConfig, shouldStop: @escaping () -> Bool = { false }) throws -> (String, RecordSummary) {
    let path = try temporaryDirectory().appendingPathComponent("run.h5").path
    let summary = try Recorder.record(config, options: RecordOptions(outputPath: path, progress: .quiet, shouldStop: shouldStop))
    return (path, summary)
}

@Suite("The recorder")
struct RecorderTests {
    static let examples = (try? FileManager.default.contentsOfDirectory(atPath: repositoryRoot.appendingPathComponent("fixtures/configs").path)
        .filter { $0.hasSuffix(".toml") }.sorted()) ?? []

    @Test("every example config records a few steps into a valid run file", arguments: examples)
    func examplesRun(name: String) throws {
        var config = try exampleConfig(name)
        if config.data.source == .idx, !FileManager.default.fileExists(atPath: config.data.images) {
            Issue.record("\(config.data.images) is missing: scripts/setup installs dataset-fashion-mnist")
            return
        }
        config.steps = 3
        if config.data.source.isSequence {
            // A Transformer's checkpoint gradient over the whole corpus and its curvature over 128
            // windows take a minute in a debug build; a few hundred windows exercise the same path.
            config.data.count = min(config.data.count == 0 ? 256 : config.data.count, 256)
            config.record.hessianExamples = min(config.record.hessianExamples, 32)
        }
        config.record.spectrumProbes = min(config.record.spectrumProbes, 2)
        config.record.spectrumLanczos = min(config.record.spectrumLanczos, 10)
        let (path, summary) = try record(config)
        let reader = try RunReader.open(path)
        defer { reader.close() }
        let metrics = try reader.metrics()
        #expect(summary.lastStep == 3 || summary.diverged)
        #expect(metrics.steps.first == 0 && metrics.columns["loss"]?.count == metrics.steps.count)
        #expect(try RunConfig.parse(reader.configTOML(), file: "stored") == config)
        #expect(try reader.parameterCount() == ModelSpec.parse(json: reader.modelSpec(), source: path).network.layout.count)
    }

    @Test("full-batch GD on digits: sharpness vs 2/lr, a threshold crossing, checkpoints that reproduce the recorded loss")
    func digitsGradientDescent() throws {
        var config = try exampleConfig("digits-gd.toml")
        config.steps = 40
        let (path, summary) = try record(config)
        #expect(!summary.diverged && summary.checkpoints == [0, 1, 4, 16, 40])
        let reader = try RunReader.open(path)
        defer { reader.close() }
        let m = try reader.metrics()
        let sharpness = m.columns["sharpness"]!, threshold = m.columns["sharpness_threshold"]!, loss = m.columns["loss"]!
        for (i, step) in m.steps.enumerated() {
            #expect(sharpness[i].isNaN == (step % 10 != 0 && step != 40), "sharpness at step \(step)")
            if !sharpness[i].isNaN { #expect(abs(threshold[i] - 2 / 0.5) < 1e-12) }
        }
        #expect(loss.last! < loss.first! / 3)
        // Sharpness starts above 2/lr = 4 and falls below it: one crossing event.
        #expect(sharpness[0] > 4)
        #expect(try reader.events().contains { $0.kind == "threshold_crossing_down" })
        // The loss recomputed from the step-16 checkpoint equals the recorded one (Float64, same data).
        let spec = try ModelSpec.parse(json: reader.modelSpec(), source: path)
        let checkpoint = try reader.checkpoint(at: 16, as: Double.self)
        let w = try spec.network.layout.flat(from: checkpoint.weights, source: path)
        let data = try PreparedData.prepare(config)
        let surface = LossSurface(model: spec.network, loss: spec.loss, examples: data.train.batch(as: Double.self))
        #expect(abs(surface.value(at: w) - loss[m.steps.firstIndex(of: 16)!]) < 1e-12)
        #expect(checkpoint.learningRate == 0.5)
        let spectra = try reader.spectrumKeys()
        #expect(spectra.map(\.step) == [0, 1, 4, 16, 40] && spectra.allSatisfy { $0.operator == .hessian })
    }

    @Test("the same config and seed give the same numbers")
    func reproducible() throws {
        var config = try exampleConfig("digits-momentum.toml")
        config.steps = 8
        config.record.sharpnessEvery = 4
        let (a, _) = try record(config), (b, _) = try record(config)
        let (ra, rb) = (try RunReader.open(a), try RunReader.open(b))
        defer { ra.close(); rb.close() }
        let (ma, mb) = (try ra.metrics(), try rb.metrics())
        #expect(ma.steps == mb.steps && ma.columns.keys.sorted() == mb.columns.keys.sorted())
        for (name, column) in ma.columns {
            #expect(column.map(\.bitPattern) == mb.columns[name]!.map(\.bitPattern), "metric \(name) differs")
        }
        #expect(try ra.checkpoint(at: 0, as: Float.self) == rb.checkpoint(at: 0, as: Float.self))
    }

    @Test("tracking sharpness does not change the trajectory (full batch on the whole Hessian batch shares the gradient's passes)")
    func trackingLeavesTrainingAlone() throws {
        var config = try exampleConfig("digits-momentum.toml")
        config.steps = 12
        config.training.batchSize = 0
        config.record.hessianExamples = 0
        config.record.sharpnessEvery = 0
        let (plain, _) = try record(config)
        config.record.sharpnessEvery = 3
        let (tracked, _) = try record(config)
        let (rp, rt) = (try RunReader.open(plain), try RunReader.open(tracked))
        defer { rp.close(); rt.close() }
        let (mp, mt) = (try rp.metrics(), try rt.metrics())
        #expect(mt.columns["sharpness"] != nil)
        for name in ["loss", "grad_norm", "update_norm", "param_norm"] {
            let (a, b) = (mp.columns[name] ?? [], mt.columns[name] ?? [])
            #expect(!a.isEmpty && a.map(\.bitPattern) == b.map(\.bitPattern), "metric \(name) differs")
        }
    }

    @Test("a diverging run stops at the divergence with an event and a valid file")
    func divergence() throws {
        let config = try exampleConfig("divergence.toml")
        let (path, summary) = try record(config)
        #expect(summary.diverged && summary.lastStep < config.steps)
        let reader = try RunReader.open(path)
        defer { reader.close() }
        let events = try reader.events()
        #expect(events.last?.kind == "divergence" && events.last?.step == summary.lastStep)
        #expect(try reader.metrics().steps.last == summary.lastStep)
    }

    @Test("stopping (Ctrl-C) ends the run after the current step with an event; the file is valid")
    func interrupted() throws {
        var config = try exampleConfig("gaussian-mixture.toml")
        config.steps = 50
        var polls = 0
        let (path, summary) = try record(config) { polls += 1; return polls > 6 }
        #expect(summary.interrupted && summary.lastStep == 5)
        let reader = try RunReader.open(path)
        defer { reader.close() }
        #expect(try reader.metrics().steps == Array(0...5))
        #expect(try reader.events().last?.kind == "interrupted")
    }

    @Test("an existing run file is never overwritten without asking")
    func refusesOverwrite() throws {
        var config = try exampleConfig("gaussian-mixture.toml")
        config.steps = 2
        let (path, _) = try record(config)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(throws: (any Error).self) {
            try Recorder.record(config, options: RecordOptions(outputPath: path, progress: .quiet))
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test("Adam runs record the preconditioned sharpness against 38/lr and preconditioned spectra")
    func adam() throws {
        var config = try exampleConfig("digits-adam-warmup.toml")
        config.steps = 9
        config.record.spectrumProbes = 2
        config.record.spectrumLanczos = 12
        let (path, _) = try record(config)
        let reader = try RunReader.open(path)
        defer { reader.close() }
        let m = try reader.metrics()
        let pre = m.columns["preconditioned_sharpness"]!, thresholds = m.columns["preconditioned_threshold"]!, lr = m.columns["lr"]!
        #expect(pre[0].isNaN)  // no second moment before the first step
        let i = m.steps.firstIndex(of: 9)!
        #expect(pre[i] > 0 && abs(thresholds[i] - 38 / lr[i]) < 1e-9 * thresholds[i])
        #expect(m.columns["sharpness_threshold"] == nil || m.columns["sharpness_threshold"]!.allSatisfy(\.isNaN))
        #expect(try reader.spectrumKeys().contains { $0.step == 9 && $0.operator == .preconditioned })
        let checkpoint = try reader.checkpoint(at: 9, as: Float.self)
        #expect(Set(checkpoint.optimizer.slots.keys) == ["m", "v"] && checkpoint.optimizer.stepCount == 9)
    }
}
