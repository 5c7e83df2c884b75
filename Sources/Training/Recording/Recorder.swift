import Autodiff
import Foundation
import MessagePassing
import Models
import RunStore
import Spectral
import Tensor

/// How a recording is run (the command line's choices).
public struct RecordOptions {
    public var outputPath: String
    /// The config's file, named in errors about the config.
    public var configPath = "the config"
    public var overwrite = false
    /// Files the recording is made from (the config): the output may not be one of them.
    public var inputs: [String] = []
    /// Progress display; nil picks a bar on a terminal and plain lines otherwise.
    public var progress: ProgressReporter.Mode? = nil
    /// Polled once per step; returning true ends the run after the current step's records (Ctrl-C).
    public var shouldStop: () -> Bool = { false }
    /// Seconds between rewrites of the live view `RUN.live.h5` (what readers open while the run is
    /// recorded; removed at the end); 0 turns it off.
    public var liveViewSeconds = 5.0
    /// `curv-import`: the run starts from these weights instead of drawn ones (read in `layout`,
    /// nil: the file's own), after their check batch's loss agrees with the exporter's within
    /// `importTolerance` (relative; nil: 1e-9 in f64, 1e-5 in f32).
    public var importWeights: WeightFile?
    public var importLayout: WeightConvention?
    public var importTolerance: Double?
    /// The processes recording together (`mpirun`): each evaluates its share of every batch, the
    /// sums are all-reduced, and rank 0 alone writes the run file and its live view.
    public var ranks: Communicator = .single

    public init(outputPath: String, overwrite: Bool = false, progress: ProgressReporter.Mode? = nil,
                shouldStop: @escaping () -> Bool = { false }) {
        self.outputPath = outputPath
        self.overwrite = overwrite
        self.progress = progress
        self.shouldStop = shouldStop
    }
}

/// What a finished recording did.
public struct RecordSummary: Sendable {
    /// The last step recorded.
    public let lastStep: Int
    public let finalLoss: Double
    public let diverged: Bool
    public let interrupted: Bool
    public let events: Int
    public let checkpoints: [Int]
    /// Wall-clock seconds of the whole recording, and of the sharpness measurements within it.
    public let seconds: Double
    public let sharpnessSeconds: Double
    /// Sharpness measurements made, and the Hessian-vector products they spent.
    public let sharpnessMeasurements: Int
    public let sharpnessProducts: Int
    /// Block sharpness (`record.block_sharpness_every`): measurements (one covers every block)
    /// and the Hessian-vector products they spent; their time is in `sharpnessSeconds`.
    public var blockMeasurements = 0
    public var blockProducts = 0
    /// What `[learned_init]` found (nil without one), and its wall-clock seconds.
    public var learnedInit: LearnedInitResult?
    public var learnedInitSeconds = 0.0
    /// `curv-record --resume`: the checkpoint step the recording restarted from (nil for a fresh run).
    public var resumedFrom: Int?
    /// `curv-import`: where the step-0 weights came from, and their check.
    public var imported: ImportRecord?
    /// Rewrites of the live view, and their wall-clock seconds (within `seconds`).
    public var liveViewWrites = 0
    public var liveViewSeconds = 0.0

    public var productsPerMeasurement: Double { sharpnessMeasurements > 0 ? Double(sharpnessProducts) / Double(sharpnessMeasurements) : 0 }

    /// Sharpness tracking's cost as a fraction of the rest of the run (training, metrics, I/O).
    public var sharpnessOverhead: Double { seconds > sharpnessSeconds ? sharpnessSeconds / (seconds - sharpnessSeconds) : 0 }
}

/// Trains a model from a config and records the run into one self-contained run file.
public enum Recorder {
    ///
    /// BLAS runs on one thread throughout (`BLASThreads`): the loss surfaces run their chunks of
    /// examples on both cores, no BLAS worker spins between the recording's small products, and
    /// every reduction keeps one summation order, so the same config and seed give the same file
    /// whatever else the process runs at the time.
    public static func record(_ config: RunConfig, options: RecordOptions) throws -> RecordSummary {
        try BLASThreads.singleThreaded {
            switch config.dtype {
            case "f64": return try Recording<Double>(config: config, options: options).run()
            default: return try Recording<Float>(config: config, options: options).run()
            }
        }
    }
}

/// One recording in precision T. Step t measures at the weights w_t (after t updates) and then
/// applies update t; steps run from 0 to `config.steps`, the last one measuring only.
final class Recording<T: TensorScalar & StoredFloat> {
    let config: RunConfig
    let options: RecordOptions
    let data: PreparedData
    let spec: ModelSpec
    let network: Network
    let layout: ParameterLayout
    let settings: OptimizerSettings
    let schedule: LearningRateSchedule
    let trainSurface: LossSurface<T>
    let hessianSurface: LossSurface<T>
    /// The Hessian batch is the whole training set (in order): `hessianSurface` is `trainSurface`.
    let hessianIsTrainingSet: Bool
    let testSurface: LossSurface<T>?
    var sharpnessTracker: SharpnessTracker<T>
    /// The parameter blocks of `record.blocks` with one warm-started tracker each (empty when
    /// `record.block_sharpness_every` is 0).
    let blocks: [ParameterBlock]
    var blockTrackers: [TopEigenvalueTracker]
    var blockMeasurements = 0, blockProducts = 0
    /// Weights trained elsewhere that step 0 starts from (`curv-import`), checked.
    let imported: ImportedWeights?

    init(config: RunConfig, options: RecordOptions) throws {
        self.config = config
        self.options = options
        // Before any data is generated or loaded: the sizes the config alone fixes.
        try config.checkSizes(file: options.configPath)
        data = try PreparedData.prepare(config)
        spec = try Self.modelSpec(config, data: data.train, source: options.configPath)
        network = spec.network
        try config.checkMemory(examples: data.train.count + (data.test?.count ?? 0), inputs: data.train.inputDimension,
                               outputs: data.train.outputDimension, network: network, source: options.configPath)
        if config.model.loss == .crossEntropy && !data.train.isClassification {
            throw ConfigError("\(options.configPath): model.loss = \"cross_entropy\" needs class labels, but data.source = \"\(config.data.source.rawValue)\" is a regression set: use loss = \"mse\"")
        }
        layout = network.layout
        settings = config.optimizer.settings
        schedule = LearningRateSchedule(peak: config.optimizer.lr, warmupSteps: config.schedule.warmupSteps, decay: config.schedule.decay,
                                        totalSteps: config.steps, finalFraction: config.schedule.finalFraction,
                                        stepEvery: config.schedule.stepEvery, stepFactor: config.schedule.stepFactor)
        let wd = T(spec.weightDecay), chunk = config.training.chunkSize
        let group = spec.normalizationGroup
        let ranks = options.ranks
        trainSurface = LossSurface(model: network, loss: spec.loss, examples: data.train.batch(), weightDecay: wd, chunkSize: chunk,
                                   mode: .train, normalizationGroup: group, ranks: ranks)
        // When the Hessian batch is the whole training set (and the Hessian is of the training
        // step's loss: same mode, no dropout), the same surface serves both, so a full-batch gradient can hand its primal
        // work to the Hessian products at that step.
        hessianIsTrainingSet = data.hessianCount == data.train.count && spec.curvatureMode == .train && (spec.dropout ?? 0) == 0
        hessianSurface = hessianIsTrainingSet ? trainSurface
            : LossSurface(model: network, loss: spec.loss, examples: data.hessianBatch.batch(), weightDecay: wd, chunkSize: chunk,
                          mode: spec.curvatureMode, normalizationGroup: group, ranks: ranks)
        let model = network, loss = spec.loss
        testSurface = data.test.map {
            LossSurface(model: model, loss: loss, examples: $0.batch(), weightDecay: 0, chunkSize: chunk, mode: .eval, ranks: ranks)
        }
        sharpnessTracker = SharpnessTracker(lanczosSteps: config.record.sharpnessLanczos,
                                            tolerance: config.record.sharpnessTolerance > 0 ? config.record.sharpnessTolerance : nil,
                                            seed: UInt64(config.seed))
        do {
            blocks = config.record.blockSharpnessEvery > 0 ? try network.layout.blocks(BlockGrouping(config.record.blocks) ?? .layers) : []
        } catch let error as BlockGroupingError {
            throw ConfigError("\(options.configPath): record.blocks = \"\(config.record.blocks)\": \(error)")
        }
        blockTrackers = blocks.map { _ in
            TopEigenvalueTracker(maxProducts: config.record.sharpnessLanczos,
                                 tolerance: config.record.sharpnessTolerance > 0 ? config.record.sharpnessTolerance : nil)
        }
        let lossKind = spec.loss
        imported = try options.importWeights.map {
            try ImportedStart.checked($0, layout: options.importLayout, tolerance: options.importTolerance, network: model,
                                      loss: lossKind, config: config, as: T.self)
        }
    }

    /// λ_max of each block's own Hessian at `w`, into `row` as `block_sharpness:<block>`; the
    /// products share one primal pass (`memos`).
    func measureBlocks(at w: Tensor<T>, step: Int, hessian surface: LossSurface<T>, memos: [PrimalMemo<T>]?,
                                into row: inout [String: Double]) throws {
        let op = surface.hessianOperator(at: w, memos: memos ?? surface.primalMemos())
        for (index, block) in blocks.enumerated() {
            let seed = UInt64(config.seed) &+ 0xB10C &* UInt64(index + 1) &+ UInt64(step)
            let (top, spent) = try blockTrackers[index].measure(op.principalSubmatrix(block.ranges), seed: seed)
            row[RecordConfig.blockSharpnessPrefix + block.name] = top.value
            blockProducts += spent
        }
        blockMeasurements += 1
    }


    func header() -> RunHeader {
        RunHeader(configTOML: config.resolvedTOML, configJSON: config.resolvedJSON, modelSpec: spec.json, parameterCount: layout.count,
                  data: DataProvenance(name: data.origin.source, path: data.origin.paths.joined(separator: "; "), sha256: data.origin.sha256,
                                       vocabulary: data.train.vocabulary, bytes: data.origin.bytes),
                  processes: options.ranks.size)
    }

    func hessianBatchRecord() -> HessianBatch<T> {
        let batch = data.hessianBatch
        let indices = data.hessianSourceIndices.map { Int64($0) }
        // Sequence data: T labels per example over V classes (labels stored [n, T]), embedded or not.
        let sequence = config.data.source.isSequence
        let (positions, classes) = sequence ? (batch.positions, batch.classes) : (nil, nil)
        let bytes = batch.count * (batch.inputDimension + batch.outputDimension) * MemoryLayout<T>.size
        guard bytes <= config.record.embedLimit else { return HessianBatch(indices: indices, positions: positions, classes: classes) }
        let inputs = NamedArray(name: "inputs", shape: batch.features.shape, values: batch.features.converted(to: T.self).scalars)
        if let labels = batch.labels {
            return HessianBatch(indices: indices, inputs: inputs, labels: labels.map { Int64($0) }, positions: positions, classes: classes)
        }
        return HessianBatch(indices: indices, inputs: inputs,
                            targets: NamedArray(name: "targets", shape: batch.targets.shape, values: batch.targets.converted(to: T.self).scalars))
    }

    func run() throws -> RecordSummary {
        // Every rank has its config, data and model before rank 0 creates the file: a rank that
        // fails to get there ends the job with nothing written, and ranks that disagree stop here.
        try checkRanksAgree()
        let writer: RecordSink = options.ranks.isRoot
            ? try RunWriter.create(at: options.outputPath, header: header(), options: .init(overwrite: options.overwrite, inputs: options.inputs))
            : DroppedRecords()
        let live = liveView()
        defer { live?.remove() }
        do {
            try writer.writeHessianBatch(hessianBatchRecord())
            let summary = try loop(writer, live: live)
            // An interrupted recording is not a complete run: with --overwrite the old file stays.
            if summary.interrupted { try writer.abandon() } else { try writer.close() }
            return summary
        } catch {
            // A failed recording never replaces an old file (abandon); without --overwrite the
            // file keeps every record written before the failure.
            try? writer.abandon()
            throw error
        }
    }

    /// Steps from `start` (a resumed run's state at its checkpoint step) or from 0 (the drawn
    /// initialization, rescaled by `[learned_init]`) to `config.steps`, writing every record.
    /// The live view of this recording at `options.outputPath` (nil when turned off).
    func liveView() -> LiveViewWriter? {
        options.liveViewSeconds > 0 && options.ranks.isRoot
            ? LiveViewWriter(run: options.outputPath, header: header(), interval: options.liveViewSeconds,
                             now: Double(DispatchTime.now().uptimeNanoseconds) / 1e9)
            : nil
    }

    func loop(_ writer: RecordSink, start: StartState<T>? = nil, live: LiveViewWriter? = nil) throws -> RecordSummary {
        let progress = ProgressReporter(total: config.steps, label: config.name, mode: progressMode)
        let clock = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        let started = clock()
        var sharpnessSeconds = 0.0
        var w: Tensor<T>, learned: LearnedInitResult?, learnedSeconds = 0.0
        // Running statistics (BatchNorm): as they stand before step t's forward pass.
        var buffers: [Tensor<T>], optimizer: Optimizer<T>
        var sampler = MinibatchSampler(count: data.train.count, batchSize: config.training.batchSize, seed: UInt64(config.seed))
        var initialLoss: Double?, previousLoss: Double?
        var checkpoints = [Int]()
        if let start {
            (w, buffers, optimizer) = (start.weights, start.buffers, start.optimizer)
            (initialLoss, previousLoss, checkpoints) = (start.initialLoss, start.previousLoss, start.checkpoints)
            sharpnessTracker.restoreCrossings(hessian: start.aboveHessian, preconditioned: start.abovePreconditioned)
            // The same minibatches as the uninterrupted run: the sampler is where it was at the start of step `start.step`.
            if !sampler.isFullBatch { for _ in 0..<start.step { _ = sampler.next() } }
        } else if let imported {
            w = layout.flatten(imported.parameterTensors(network, as: T.self))
            buffers = imported.bufferTensors(network, as: T.self) ?? network.initialBuffers(as: T.self)
            try writer.writeImport(imported.record)
            optimizer = Optimizer<T>(settings)
        } else {
            w = layout.flatten(network.initialParameters(spec.initialization, seed: UInt64(config.seed), as: T.self))
            (learned, learnedSeconds) = try learnInitialization(&w, writer: writer, clock: clock)
            buffers = network.initialBuffers(as: T.self)
            optimizer = Optimizer<T>(settings)
        }
        let spectrumSteps = Set(config.record.spectrumSteps(totalSteps: config.steps))
        let checkpointSteps = Set(config.record.checkpointSteps(totalSteps: config.steps))
        var events = EventLog(writer: writer, live: live)
        var lastStep = start?.step ?? 0, lastLoss = Double.nan
        var diverged = false, interrupted = false
        var status = ""

        for t in (start?.step ?? 0)...config.steps {
            if stopRequested() {
                interrupted = true
                try events.add(step: t, kind: "interrupted", "stopped by the user before step \(t); the file holds steps 0-\(max(t - 1, 0))")
                break
            }
            let lr = schedule.learningRate(at: t)
            var batchSurface = sampler.isFullBatch ? trainSurface : trainSurface.restricted(to: sampler.next())
            if network.usesBatchStatistics { batchSurface = batchSurface.with(buffers: buffers) }
            // Dropout masks differ from step to step, reproducibly from the seed.
            if (spec.dropout ?? 0) > 0 { batchSurface = batchSurface.with(dropoutSeed: UInt64(config.seed) &* 0x100_0000_01b3 &+ UInt64(t)) }
            let measuresSharpness = config.record.sharpnessEvery > 0 && (t % config.record.sharpnessEvery == 0 || t == config.steps)
            // Full-batch steps over exactly the Hessian batch: the gradient's forward and backward
            // passes are the primal half of every Hessian-vector product at w, so they are kept.
            let sharedMemos = measuresSharpness && sampler.isFullBatch && hessianIsTrainingSet
                ? trainSurface.primalMemos() : nil
            let (loss, gradient, accuracy, stepBuffers) = batchSurface.trainingStep(at: w, memos: sharedMemos)
            let lossValue = Double(loss)
            initialLoss = initialLoss ?? lossValue
            lastStep = t
            lastLoss = lossValue
            var row: [String: Double] = ["loss": lossValue, "lr": lr]
            diverged = !lossValue.isFinite || lossValue > config.record.divergenceFactor * max(initialLoss!, 1e-12)
            let measureAll = t % config.record.metricsEvery == 0 || t == config.steps || diverged
            if measureAll {
                if data.train.isClassification { row["accuracy"] = accuracy }
                row["grad_norm"] = Double(gradient.norm())
                row["param_norm"] = Double(w.norm())
            }
            if let testSurface, config.record.testEvery > 0, t % config.record.testEvery == 0 || t == config.steps {
                let (testLoss, testAccuracy) = testSurface.with(buffers: buffers).valueAndAccuracy(at: w)
                row["test_loss"] = Double(testLoss)
                if data.train.isClassification { row["test_accuracy"] = testAccuracy }
            }
            if let previousLoss, lossValue.isFinite, lossValue > config.record.spikeFactor * previousLoss {
                try events.add(step: t, kind: "loss_spike",
                               String(format: "loss %.6g is %.3g times the previous step's %.6g", lossValue, lossValue / previousLoss, previousLoss))
            }
            previousLoss = lossValue
            if diverged {
                try events.add(step: t, kind: "divergence", lossValue.isFinite
                               ? String(format: "loss %.6g exceeds %.3g times the initial %.6g", lossValue, config.record.divergenceFactor, initialLoss!)
                               : "loss is \(lossValue); the run stops here with every earlier record intact")
                try writer.appendMetrics(step: t, row)
                live?.append(step: t, row)
                break
            }
            if measuresSharpness {
                let measureStart = clock()
                defer { sharpnessSeconds += clock() - measureStart }
                try sharpnessTracker.measure(at: w, step: t, lr: lr, hessian: hessian(buffers), memos: sharedMemos, optimizer: optimizer,
                                             settings: settings, includePreconditioned: config.record.preconditioned,
                                             into: &row, events: &events)
                if let s = row["sharpness"] { status = String(format: "λmax %.4g", s) }
            }
            if !blocks.isEmpty, t % config.record.blockSharpnessEvery == 0 || t == config.steps {
                let measureStart = clock()
                defer { sharpnessSeconds += clock() - measureStart }
                try measureBlocks(at: w, step: t, hessian: hessian(buffers), memos: sharedMemos, into: &row)
            }
            if spectrumSteps.contains(t) { try writeSpectra(at: t, w: w, hessian: hessian(buffers), optimizer: optimizer, writer: writer) }
            if checkpointSteps.contains(t) {
                let full = sampler.isFullBatch ? gradient : trainSurface.with(buffers: buffers).valueAndGradient(at: w).gradient
                try writer.writeCheckpoint(Checkpoint(step: t, learningRate: lr, weights: layout.namedArrays(w),
                                                      gradients: layout.namedArrays(full), optimizer: optimizer.record(layout: layout),
                                                      buffers: network.bufferLayout.namedArrays(buffers)))
                checkpoints.append(t)
            }
            buffers = stepBuffers
            if t < config.steps {
                var g = gradient
                let norm = Double(g.norm())
                let clip = config.training.clipNorm > 0 && norm > config.training.clipNorm
                if clip { g = T(config.training.clipNorm / norm) * g }
                if config.training.clipNorm > 0 { row["clipped"] = clip ? 1 : 0 }
                row["update_norm"] = optimizer.step(&w, gradient: g, learningRate: lr)
            }
            if measureAll || row.count > 2 {
                try writer.appendMetrics(step: t, row)
                live?.append(step: t, row)
            }
            live?.update(now: clock())
            progress.update(t, String(format: "loss %.4g %@", lossValue, status))
        }
        progress.finish(String(format: "%@: %d steps, final loss %.5g%@%@", config.name, lastStep, lastLoss,
                               diverged ? " (diverged)" : "", interrupted ? " (interrupted)" : ""))
        return RecordSummary(lastStep: lastStep, finalLoss: lastLoss, diverged: diverged, interrupted: interrupted,
                             events: events.count, checkpoints: checkpoints, seconds: clock() - started,
                             sharpnessSeconds: sharpnessSeconds, sharpnessMeasurements: sharpnessTracker.measurements,
                             sharpnessProducts: sharpnessTracker.products,
                             blockMeasurements: blockMeasurements, blockProducts: blockProducts,
                             learnedInit: learned, learnedInitSeconds: learnedSeconds, resumedFrom: start?.step,
                             imported: start == nil ? imported?.record : nil, liveViewWrites: live?.writes ?? 0, liveViewSeconds: live?.seconds ?? 0)
    }

    /// `[learned_init]`: rescales the drawn parameters `w` by the search's scales (docs/config.md)
    /// and stores what it found; nothing without one.
    private func learnInitialization(_ w: inout Tensor<T>, writer: RecordSink, clock: () -> Double) throws -> (LearnedInitResult?, Double) {
        let settings = config.learnedInit
        guard settings.method != .none else { return (nil, 0) }
        let started = clock()
        let label = "\(config.name) \(settings.method.rawValue)"
        let progress = ProgressReporter(total: settings.steps, label: label, mode: progressMode)
        let measure = settings.method == .metainit ? "gradient quotient" : "objective"
        guard let (weights, result) = LearnedInitialization.run(
            settings, surface: trainSurface, w0: w, layout: layout, optimizer: self.settings, peakLR: config.optimizer.lr,
            seed: UInt64(config.seed), report: { i, value in progress.update(i, String(format: "%@ %.4g", measure, value)) }) else { return (nil, 0) }
        guard weights.doubles.allSatisfy(\.isFinite) else {
            throw ConfigError("\(options.configPath): learned_init.method = \"\(settings.method.rawValue)\" reached non-finite parameters; lower learned_init.lr or steps")
        }
        w = weights
        try writer.writeLearnedInit(result.record)
        progress.finish("\(label): \(result.tensors.count) tensor scales in \(String(format: "%.1f", clock() - started)) s")
        return (result, clock() - started)
    }

    /// Every rank of a distributed recording has the same config and data set (a machine of a
    /// cluster may hold another version of a file at the same path); else an error on every
    /// rank, before anything is written. One rank: nothing to check.
    func checkRanksAgree() throws {
        let what = "\(config.resolvedTOML)\n\(data.origin.sha256)\n\(layout.count)\n\(options.importWeights?.sha256 ?? "")"
        guard options.ranks.allAgree(on: what) else {
            throw ConfigError("\(options.configPath): the \(options.ranks.size) ranks of this job do not have the same config and data set (SHA-256 \(data.origin.sha256.prefix(12))… on rank \(options.ranks.rank)); give every rank the same files (on a cluster: the same data at the same paths on every machine)")
        }
    }

    /// Progress is shown by rank 0 only.
    private var progressMode: ProgressReporter.Mode? { options.ranks.isRoot ? options.progress : .quiet }

    /// Whether to stop before this step (Ctrl-C): asked of every rank, so all stop at the same step.
    private func stopRequested() -> Bool {
        var flag: [Int64] = [options.shouldStop() ? 1 : 0]
        options.ranks.maximum(&flag)
        return flag[0] != 0
    }

    /// The surface whose Hessian is measured, given the current running statistics (used in eval mode only).
    private func hessian(_ buffers: [Tensor<T>]) -> LossSurface<T> {
        network.usesBatchStatistics && spec.curvatureMode == .eval ? hessianSurface.with(buffers: buffers) : hessianSurface
    }

    /// Full Lanczos spectra (several probes) of the Hessian, and of Adam's preconditioned Hessian.
    private func writeSpectra(at t: Int, w: Tensor<T>, hessian surface: LossSurface<T>, optimizer: Optimizer<T>, writer: RecordSink) throws {
        let hessian = surface.hessianOperator(at: w)
        var operators: [(SpectralOperator, SymmetricOperator)] = [(.hessian, hessian)]
        if let p = optimizer.preconditioner { operators.append((.preconditioned, hessian.diagonallyPreconditioned(by: p.doubles))) }
        let seed = spectrumSeed(configSeed: config.seed, step: t)
        for (kind, op) in operators {
            let settings = SLQSettings(probes: config.record.spectrumProbes, steps: config.record.spectrumLanczos, seed: seed)
            let runs = try lanczosRuns(of: op, settings: settings, keepFirstBasis: true)
            let top = try ritzPairs(of: runs[0], operator: op, top: 5, bottom: 0).top
            try writer.writeSpectrum(Spectrum(step: t, operator: kind, eigenvalues: top.map(\.value), residuals: top.map(\.residual),
                                              alpha: runs.map(\.alpha), beta: runs.map(\.beta), seed: seed, probeKind: settings.probeKind.rawValue,
                                              reorthogonalization: settings.reorthogonalization.rawValue))
        }
    }
}

/// The probe seed the recorder uses for its spectrum at `step`; `curv-density` defaults to the
/// same seed, so equal settings reproduce a recorded spectrum. Total: negative numbers (never a
/// valid seed or step, but a damaged file can hold them) enter as their bit patterns.
public func spectrumSeed(configSeed: Int, step: Int) -> UInt64 {
    UInt64(bitPattern: Int64(configSeed)) &* 1_000_003 &+ UInt64(bitPattern: Int64(step))
}

/// Events written as they happen, counted.
struct EventLog {
    let writer: RecordSink
    let live: LiveViewWriter?
    private(set) var count = 0

    init(writer: RecordSink, live: LiveViewWriter? = nil) {
        self.writer = writer
        self.live = live
    }

    mutating func add(step: Int, kind: String, operator op: SpectralOperator? = nil, _ detail: String) throws {
        let event = RunEvent(step: step, kind: kind, detail: detail, operator: op)
        try writer.appendEvent(event)
        live?.append(event)
        count += 1
    }
}
