import Foundation
import MessagePassing
import Models
import RunStore
import Tensor
import Training

/// A run's model and Hessian batch, rebuilt from the run file alone (plus the data set, when the
/// batch was too large to embed: then its content hash and indices are checked against the file).
public struct RunModel<T: TensorScalar & StoredFloat> {
    public let path: String
    public let spec: ModelSpec
    public let network: Network
    public let config: RunConfig
    /// The loss over the stored Hessian batch (weight decay included as recorded), in the recorded
    /// mode; with batch statistics and an eval-mode Hessian, use `surface(buffers:)` with the step's buffers.
    public let surface: LossSurface<T>
    /// Where the Hessian batch came from, for provenance.
    public let batchSource: String

    /// `ranks`: the processes that share the Hessian batch's examples (each product all-reduced).
    public init(reader: RunReader, chunkSize: Int? = nil, ranks: Communicator = .single) throws {
        path = reader.path
        spec = try ModelSpec.parse(json: reader.modelSpec(), source: "\(reader.path) /model/spec")
        config = try RunConfig.parse(reader.configTOML(), file: "\(reader.path) /config/toml")
        if spec.kind == "mlp", RunConfig.parameterCount(widths: spec.widths) == nil {
            throw AnalysisError("\(reader.path): /model/spec has widths \(spec.widths), whose parameter count overflows a 64-bit integer; the file was damaged or edited")
        }
        if spec.kind == "mlp" {
            var estimate = MemoryEstimate()
            estimate.add("weights", count: Double(RunConfig.parameterCount(widths: spec.widths)!) * 4, width: Double(MemoryLayout<T>.size))
            if let excess = estimate.excess() {
                throw AnalysisError("\(reader.path): the model of widths \(spec.widths) \(excess)")
            }
        }
        network = spec.network
        let chunk = chunkSize ?? config.training.chunkSize
        let (batch, source) = try Self.hessianBatch(reader: reader, spec: spec, config: config)
        surface = LossSurface(model: network, loss: spec.loss, examples: batch, weightDecay: T(spec.weightDecay), chunkSize: chunk,
                              mode: spec.curvatureMode, normalizationGroup: spec.normalizationGroup, ranks: ranks)
        batchSource = source
    }

    static func hessianBatch(reader: RunReader, spec: ModelSpec, config: RunConfig) throws -> (Batch<T>, String) {
        let outputs = spec.widths.last!
        if let stored = try reader.hessianBatch(as: T.self), let inputs = stored.inputs {
            // A tampered batch must not reach the model: wrong widths or row counts trap in the
            // products, and an empty batch gives an all-zero Hessian that looks like a result.
            let place = "\(reader.path) (/data/hessian_batch)"
            guard inputs.shape.count == 2, inputs.shape[1] == spec.widths[0] else {
                throw AnalysisError("\(place): inputs have shape \(inputs.shape), but the model takes \(spec.widths[0]) inputs per example; the file was damaged or edited")
            }
            let rows = inputs.shape[0]
            guard rows > 0 else {
                throw AnalysisError("\(place): the Hessian batch is empty (0 examples), so there is no Hessian to analyse; the file was damaged or edited")
            }
            // Sequence data hold `positions` labels per example, each one of `classes` tokens.
            let positions = stored.positions ?? 1
            if let labels = stored.labels, labels.count != rows * positions {
                throw AnalysisError("\(place): \(rows) input rows but \(labels.count) labels (\(positions) per example); the file was damaged or edited")
            }
            if let targets = stored.targets, targets.shape != [rows, outputs] {
                throw AnalysisError("\(place): targets have shape \(targets.shape), expected [\(rows), \(outputs)] for \(rows) examples and the model's \(outputs) outputs; the file was damaged or edited")
            }
            let x = Tensor<T>(shape: inputs.shape, scalars: inputs.values)
            if let labels = stored.labels {
                let classes = stored.classes ?? outputs / positions
                guard positions * classes == outputs else {
                    throw AnalysisError("\(place): \(positions) label positions of \(classes) classes each, but the model has \(outputs) outputs per example; the file was damaged or edited")
                }
                // One-hot rows: example i's label at position t sets column t * classes + label.
                var y = [T](repeating: 0, count: rows * outputs)
                for (k, label) in labels.enumerated() {
                    guard label >= 0 && label < classes else {
                        throw AnalysisError("\(reader.path): Hessian batch label \(label) at row \(k / positions)\(positions > 1 ? ", position \(k % positions)," : "") is outside the model's \(classes) classes")
                    }
                    y[(k / positions) * outputs + (k % positions) * classes + Int(label)] = 1
                }
                return (Batch(inputs: x, targets: Tensor(shape: [rows, outputs], scalars: y)), "/data/hessian_batch (embedded, \(rows) examples)")
            }
            guard let targets = stored.targets else {
                throw AnalysisError("\(reader.path): the Hessian batch has inputs but neither labels nor targets")
            }
            return (Batch(inputs: x, targets: Tensor(shape: targets.shape, scalars: targets.values)),
                    "/data/hessian_batch (embedded, \(targets.shape[0]) examples)")
        }
        // Not embedded: rebuild from the data set named in the provenance, and check it is the same data.
        let provenance = try reader.dataProvenance()
        let prepared = try PreparedData.prepare(config.readingRecordedPaths(ifMissing: provenance.path.components(separatedBy: "; ")))
        guard prepared.origin.sha256 == provenance.sha256 else {
            throw AnalysisError("\(reader.path): the data set at \(provenance.path) no longer matches the run (SHA-256 \(prepared.origin.sha256.prefix(12))… now, \(provenance.sha256.prefix(12))… when recorded); restore the original files")
        }
        if let stored = try reader.hessianBatch(as: T.self), stored.indices.map(Int.init) != prepared.hessianSourceIndices {
            throw AnalysisError("\(reader.path): the rebuilt Hessian batch selects different examples than the recorded indices")
        }
        return (prepared.hessianBatch.batch(as: T.self), "\(provenance.name) rebuilt from \(provenance.path) (\(prepared.hessianCount) examples)")
    }

    /// The flat weights of the checkpoint at `step`.
    public func weights(at step: Int, reader: RunReader) throws -> Tensor<T> {
        let checkpoint = try reader.checkpoint(at: step, as: T.self)
        return try network.layout.flat(from: checkpoint.weights, source: "\(path) /checkpoints/\(step)/weights")
    }

    /// The model's buffers (running statistics) at `step`, in `network.bufferLayout` order; empty
    /// for models without any.
    public func buffers(at step: Int, reader: RunReader) throws -> [Tensor<T>] {
        guard network.usesBatchStatistics else { return [] }
        let checkpoint = try reader.checkpoint(at: step, as: T.self)
        let flat = try network.bufferLayout.flat(from: checkpoint.buffers, source: "\(path) /checkpoints/\(step)/buffers")
        return network.bufferLayout.unflatten(flat)
    }

    /// The Hessian batch's loss with these buffers (eval mode reads them; train mode ignores them).
    public func surface(buffers: [Tensor<T>]) -> LossSurface<T> {
        buffers.isEmpty || spec.curvatureMode == .train ? surface : surface.with(buffers: buffers)
    }

    /// Adam's preconditioner `sqrt(v_hat) + eps` from the checkpoint's optimizer state.
    public func preconditioner(at step: Int, reader: RunReader) throws -> Tensor<T> {
        let state = try reader.checkpoint(at: step, as: T.self).optimizer
        guard let kind = OptimizerKind(rawValue: state.kind), kind.isAdaptive, state.slots["v"] != nil else {
            throw AnalysisError("\(path): --operator preconditioned needs Adam state, but the checkpoint at step \(step) holds \(state.kind) state (slots: \(state.slots.keys.sorted())); use --operator hessian")
        }
        guard state.stepCount > 0 else {
            throw AnalysisError("\(path): the checkpoint at step \(step) was taken before Adam's first update: its second moment is empty; pick a later step")
        }
        let settings = OptimizerSettings(kind: kind, beta1: state.hyperparameters["beta1"] ?? 0.9, beta2: state.hyperparameters["beta2"] ?? 0.999,
                                         epsilon: state.hyperparameters["eps"] ?? 1e-8)
        let optimizer = try Optimizer<T>.restore(state, settings: settings, layout: network.layout, source: "\(path) /checkpoints/\(step)/optimizer")
        // A damaged file (or a run whose gradients overflowed) can hold a second moment that makes
        // P non-positive or non-finite: P^-1/2 H P^-1/2 does not exist there.
        guard let p = optimizer.preconditioner else {
            throw AnalysisError("\(path): /checkpoints/\(step)/optimizer: Adam's preconditioner sqrt(v / (1 - beta2^t)) + eps is not positive and finite everywhere (eps = \(settings.epsilon)): the checkpoint is damaged or the run's gradients overflowed; use --operator hessian")
        }
        return p
    }
}

/// A re-analysis problem; the text names the file and says what to do.
public struct AnalysisError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
