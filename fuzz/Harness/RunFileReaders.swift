import Analysis
import Figures
import Foundation
import RunStore

/// Everything the tools read from a run file, for the run-file targets: a reader may throw on any
/// file, but never trap, hang or run out of memory.
enum RunFileReaders {
    /// Every reader: `RunManifest`, `RunSummary` and the record readers.
    static func readAll(_ path: String) {
        manifest(path)
        summary(path)
        records(path)
    }

    /// `RunManifest`: the interop check's walk of every object and attribute, as JSON.
    static func manifest(_ path: String) {
        _ = try? RunManifest.json(of: path)
    }

    /// `RunSummary`: what curv-inspect prints, as JSON and as text.
    static func summary(_ path: String) {
        guard let reader = try? RunReader.open(path) else { return }
        defer { reader.close() }
        _ = try? RunSummary.json(reader).text()
        _ = try? RunSummary.text(reader)
    }

    /// `RunReader.open` and every record reader; arrays read as `Float`, or as `Double` with `doubles`.
    static func records(_ path: String, doubles: Bool = false) {
        guard let reader = try? RunReader.open(path) else { return }
        defer { reader.close() }
        _ = try? reader.header()
        if doubles { _ = try? reader.hessianBatch(as: Double.self) } else { _ = try? reader.hessianBatch(as: Float.self) }
        _ = try? reader.metrics()
        _ = try? reader.events()
        for step in (try? reader.checkpointSteps()) ?? [] {
            _ = try? reader.checkpointDType(at: step)
            if doubles { _ = try? reader.checkpoint(at: step, as: Double.self) } else { _ = try? reader.checkpoint(at: step, as: Float.self) }
            _ = try? reader.learningRate(at: step)
            for part in [CheckpointPart.weights, .gradients] {
                for name in (try? reader.tensorNames(at: step, part: part)) ?? [] {
                    _ = try? reader.tensor(name, at: step, part: part, as: Float.self)
                }
            }
        }
        _ = try? reader.selectCheckpointSteps(.latest)
        _ = try? reader.selectCheckpointSteps(.steps([0, 10]))
        for key in (try? reader.spectrumKeys()) ?? [] { _ = try? reader.spectrum(at: key.step, operator: key.operator) }
        for id in (try? reader.analysisIDs()) ?? [] { _ = try? reader.analysis(id) }
    }

    /// What `curv-density` does with `request` (results appended to the file when it gets that
    /// far), quietly. The model is rebuilt only over an embedded Hessian batch: without one, the
    /// analysis would load the data set the config names (seconds per input, and nothing of the run
    /// file's), so the request becomes a rebuild from stored tridiagonals.
    static func analyse(_ path: String, request: DensityRequest) {
        var request = request
        if !request.fromTridiagonals {
            let embedded = (try? RunReader.open(path)).map { reader -> Bool in
                defer { reader.close() }
                return (try? reader.hessianBatch(as: Double.self))??.inputs != nil
            }
            if embedded != true { request.fromTridiagonals = true }
        }
        _ = try? DensityAnalysis.run(path: path, request: request, progress: .quiet)
    }

    /// What `curv-plot` does, short of the pixels: the figure built from the file and laid out
    /// (ticks, legends, text measured) through the recording backend.
    static func draw(_ path: String, kind: FigureKind, options: FigureOptions) {
        guard let drawn = try? FigureBuilder.draw(kind, runs: [path], options: options) else { return }
        _ = drawn.figure.record()
        _ = drawn.sources.map(\.summary)
    }
}
