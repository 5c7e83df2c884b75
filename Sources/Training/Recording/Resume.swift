import Foundation
import Models
import RunStore
import Tensor

/// Where a resumed recording restarts: the state of an interrupted run at one of its checkpoints,
/// and what the recorder had learned from the steps before it.
struct StartState<T: TensorScalar & StoredFloat> {
    /// The checkpoint's step: the recording measures and updates again from here.
    var step: Int
    var weights: Tensor<T>
    /// Running statistics as they stood before this step's forward pass (empty without BatchNorm).
    var buffers: [Tensor<T>]
    var optimizer: Optimizer<T>
    /// The first step's loss (divergence is judged against it) and the loss of the step before.
    var initialLoss: Double?
    var previousLoss: Double?
    /// Checkpoint steps before this one (kept in the file).
    var checkpoints: [Int]
    /// Whether the last λ_max measured before this step was above its threshold (nil: none measured).
    var aboveHessian: Bool?
    var abovePreconditioned: Bool?
}

extension Recorder {
    /// Continues the interrupted recording in the run file at `path` (`curv-record --resume`) from
    /// its last checkpoint: the config, data and state come from the file, records of that step and
    /// later are dropped and recorded again, and the file is replaced only when the resumed
    /// recording closes (a kill leaves it as it was). Training continues bit for bit (weights,
    /// optimizer state, running statistics, minibatch order, learning rates and dropout masks are
    /// those of the uninterrupted run); the sharpness trackers restart cold, so λ_max after the
    /// checkpoint agrees with the uninterrupted run's within `record.sharpness_tolerance`, not bit
    /// for bit. The file is `path` (`options.outputPath` and `overwrite` are set from it).
    public static func resume(_ path: String, options: RecordOptions) throws -> RecordSummary {
        let reader = try RunReader.open(path)
        defer { reader.close() }
        let config = try RunConfig.parse(try reader.configTOML(), file: "\(path) /config/toml")
        return try BLASThreads.singleThreaded {
            switch config.dtype {
            case "f64": return try Recording<Double>.resuming(path, reader: reader, config: config, options: options)
            default: return try Recording<Float>.resuming(path, reader: reader, config: config, options: options)
            }
        }
    }
}

/// Why a run cannot be resumed; the text names the file and says what to do.
public struct ResumeError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

extension Recording {
    static func resuming(_ path: String, reader: RunReader, config: RunConfig, options: RecordOptions) throws -> RecordSummary {
        let events = try reader.events()
        if let divergence = events.first(where: { $0.kind == "divergence" }) {
            throw ResumeError("\(path): the run diverged at step \(divergence.step); there is nothing to resume (record it again with other settings)")
        }
        let metrics = try reader.metrics()
        let interrupted = events.contains { $0.kind == "interrupted" }
        if let last = metrics.steps.last, last >= config.steps, !interrupted {
            throw ResumeError("\(path): the run is complete (steps 0-\(last) of \(config.steps)); there is nothing to resume")
        }
        let checkpointSteps = try reader.checkpointSteps()
        guard let step = checkpointSteps.last else {
            throw ResumeError("\(path): the run has no checkpoint to resume from; record it again with record.checkpoint_every = K (a checkpoint every K steps) to make it resumable")
        }
        // The stored config's data, from its absolute paths (or the recorded ones, for older files),
        // checked against the run's SHA-256 before anything is written.
        let provenance = try reader.dataProvenance()
        var resumedOptions = options
        resumedOptions.configPath = "\(path) /config/toml"
        resumedOptions.overwrite = true
        resumedOptions.outputPath = path
        let recording = try Recording(config: config.readingRecordedPaths(ifMissing: provenance.path.components(separatedBy: "; ")),
                                      options: resumedOptions)
        guard recording.data.origin.sha256 == provenance.sha256 else {
            throw ResumeError("\(path): the data set at \(provenance.path) no longer matches the run (SHA-256 \(recording.data.origin.sha256.prefix(12))… now, \(provenance.sha256.prefix(12))… when recorded); restore the original files")
        }
        let start = try recording.state(at: step, reader: reader, metrics: metrics, earlierCheckpoints: checkpointSteps.filter { $0 < step })
        try recording.checkRanksAgree()   // every rank is ready, and the same, before rank 0 starts the copy
        let writer: RecordSink = options.ranks.isRoot ? try RunWriter.resume(at: path, from: step) : DroppedRecords()
        // The live view starts with what the file keeps (rows and events before the checkpoint).
        let live = recording.liveView()
        for (row, s) in metrics.steps.enumerated() where s < step {
            live?.append(step: s, metrics.columns.compactMapValues { row < $0.count && !$0[row].isNaN ? $0[row] : nil })
        }
        for event in events where event.step < step { live?.append(event) }
        defer { live?.remove() }
        do {
            let summary = try recording.loop(writer, start: start, live: live)
            // Steps recorded after the checkpoint are kept even when interrupted again.
            try writer.close()
            return summary
        } catch {
            try? writer.abandon()
            throw error
        }
    }

    /// The run's state at its checkpoint `step`, and what the steps before it say (losses, crossings);
    /// `earlierCheckpoints` are the file's checkpoint steps before `step`.
    func state(at step: Int, reader: RunReader, metrics: MetricsTable, earlierCheckpoints: [Int]) throws -> StartState<T> {
        let checkpoint = try reader.checkpoint(at: step, as: T.self)
        let place = "\(reader.path) /checkpoints/\(step)"
        let weights = try layout.flat(from: checkpoint.weights, source: "\(place)/weights")
        var buffers: [Tensor<T>] = []
        if network.usesBatchStatistics {
            buffers = network.bufferLayout.unflatten(try network.bufferLayout.flat(from: checkpoint.buffers, source: "\(place)/buffers"))
        }
        let optimizer = try Optimizer<T>.restore(checkpoint.optimizer, settings: settings, layout: layout, source: "\(place)/optimizer")
        guard optimizer.stepCount == step || settings.kind == .sgd || settings.kind == .momentum || settings.kind == .nesterov else {
            throw ResumeError("\(place)/optimizer: Adam's step count is \(optimizer.stepCount), not \(step); the checkpoint is damaged")
        }
        func value(_ name: String, at s: Int) -> Double? {
            guard let column = metrics.columns[name], let row = metrics.steps.firstIndex(of: s), row < column.count, column[row].isFinite else { return nil }
            return column[row]
        }
        func lastAbove(_ value: String, _ threshold: String) -> Bool? {
            guard let values = metrics.columns[value], let thresholds = metrics.columns[threshold] else { return nil }
            for row in metrics.steps.indices.reversed() where metrics.steps[row] < step && row < values.count && row < thresholds.count {
                if values[row].isFinite && thresholds[row].isFinite { return values[row] > thresholds[row] }
            }
            return nil
        }
        return StartState(step: step, weights: weights, buffers: buffers, optimizer: optimizer,
                          initialLoss: value("loss", at: 0), previousLoss: step > 0 ? value("loss", at: step - 1) : nil,
                          checkpoints: earlierCheckpoints,
                          aboveHessian: lastAbove("sharpness", "sharpness_threshold"),
                          abovePreconditioned: lastAbove("preconditioned_sharpness", "preconditioned_threshold"))
    }
}
