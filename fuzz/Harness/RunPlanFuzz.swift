import Analysis
import Figures
import Foundation
import Models
import RunStore
import Spectral
import Training

/// Run files built through Curvature's own writers from a structured decoding of the input, then
/// edited through HDF5 and read by the readers. HDF5 writes every byte, so its (uninstrumented,
/// crash-prone) format parser only ever sees well-formed files; what is fuzzed is our validation
/// of their content: values (NaN, infinities, edges of Int64 and Float), names, shapes, counts and
/// kinds of records, and what `RunFileEdits` does to them (missing and extra objects, wrong types,
/// ranks and lengths, aliases). The empty input builds a complete, consistent run (header, Hessian
/// batch, metrics, an event, a checkpoint, a spectrum) that `curv-density` analyses, rebuilding the
/// model; each input byte moves one decision away from it.
enum RunPlanFuzz {
    /// The input: one byte for the tool-level reader (0 curv-density's analysis, 1 curv-inspect's
    /// summary, 2 curv-plot's figure, 3 the manifest), one for the number of edits (0-4), one for
    /// the number of analyses the plan appends (0-2), then the plan (`PlannedModel`, `RunPlan`),
    /// then the edits and the reader's settings.
    static func run(_ bytes: [UInt8]) {
        RunFileEdits.keepFreedBlocks
        var input = FuzzInput(bytes)
        let tool = input.count(3), edits = input.count(4), analyses = input.count(2)
        let path = ScratchFile.fresh(name: "plan.h5").path
        let model = PlannedModel(&input)
        var options = RunWriter.Options(compression: input.pick([Compression.none, .standard, .deflate(level: 9, shuffle: false)]),
                                        flushEachRecord: input.usually(), tool: "fuzz")
        options.overwrite = input.flag()
        if let writer = try? RunWriter.create(at: path, header: RunPlan.header(&input, model), options: options) {
            RunPlan.writeRecords(&input, model, to: writer)
            if input.flag() { try? writer.abandon() } else { try? writer.close() }
        }
        RunPlan.appendAnalyses(&input, count: analyses, to: path)
        RunFileEdits.apply(&input, count: edits, to: path)
        // One tool-level reader per input (each reads the whole file again, and HDF5's cost per
        // object dominates), then the record readers, which see what curv-density appended.
        switch tool {
        case 0: RunFileReaders.analyse(path, request: RunPlan.densityRequest(&input))
        case 1: RunFileReaders.summary(path)
        case 2: RunFileReaders.draw(path, kind: input.pick(FigureKind.allCases), options: RunPlan.figureOptions(&input))
        default: RunFileReaders.manifest(path)
        }
        RunFileReaders.records(path, doubles: input.flag())
    }
}

/// The model a plan records: its spec (as the file stores it) and the layout of the weights
/// written. A spec with unusual widths is stored as text only; the weights then follow the
/// nearest small widths, so a reader meets weights that do not fit the spec.
struct PlannedModel {
    var widths: [Int]
    var specJSON: String
    var layout: ParameterLayout
    var dtype: String
    var loss: LossKind

    init(_ input: inout FuzzInput) {
        let usual = [3, 4, 2]
        let layers = input.count(in: 2...5, default: 3)
        let stored = (0..<layers).map { input.integer(usual[min($0, usual.count - 1)]) }
        widths = stored.map { min(max($0, 1), 6) }
        layout = MLP(widths: widths, activation: .tanh).network.layout
        dtype = input.pick(["f64", "f32", "f16"])
        loss = input.pick(LossKind.allCases)
        let activation = input.name(Activation.tanh.rawValue)
        let initialization = input.name(Initialization.lecunNormal.rawValue)
        let decay = input.number(0)
        let kind = input.name("mlp")
        specJSON = input.flag() ? input.text("{}") :
            #"{"activation":"\#(activation)","dtype":"\#(dtype)","init":"\#(initialization)","kind":"\#(kind)","loss":"\#(loss.rawValue)","weight_decay":\#(decay),"widths":\#(stored)}"#
    }

    var outputs: Int { widths.last! }
}

/// Writing a decoded plan through RunWriter and AnalysisWriter. A record the writer refuses
/// (invalid names, mismatched lengths) is skipped, as a tool would report it and go on.
enum RunPlan {
    static func header(_ input: inout FuzzInput, _ model: PlannedModel) -> RunHeader {
        var config = RunConfig()
        config.seed = input.count(in: 0...255, default: 0)
        config.dtype = model.dtype == "f32" ? "f32" : "f64"
        config.model.hidden = Array(model.widths.dropFirst().dropLast())
        config.model.loss = model.loss
        config.optimizer.kind = input.pick([.sgd, .adam, .momentum, .nesterov, .adamw])
        config.training.chunkSize = input.pick([4096, 1, 2, 3])
        var toml = config.resolvedTOML
        switch input.count(3) {
        case 1: toml = input.text("")
        case 2: toml += "\n" + input.text("steps = -1") + "\n"
        case 3: toml = String(toml.prefix(input.uint16()))
        default: break
        }
        let json: String? = input.pick([config.resolvedJSON, nil, input.text("{}")])
        return RunHeader(configTOML: toml, configJSON: json, modelSpec: model.specJSON,
                         parameterCount: input.integer(model.layout.count),
                         data: DataProvenance(name: input.name("digits"), path: input.text(""), sha256: input.text("")))
    }

    static func writeRecords(_ input: inout FuzzInput, _ model: PlannedModel, to writer: RunWriter) {
        if input.usually() {
            if input.pick([model.dtype != "f32", true, false]) {
                try? writer.writeHessianBatch(hessianBatch(&input, model, as: Double.self))
            } else {
                try? writer.writeHessianBatch(hessianBatch(&input, model, as: Float.self))
            }
        }
        for batch in 0..<input.count(in: 0...4, default: 1) {
            let rows = (0..<input.count(in: 1...3, default: 1)).map { row -> (step: Int, values: [String: Double]) in
                let step = input.integer((batch * 3 + row) * 10)
                var values: [String: Double] = [:]
                for (k, usual) in ["loss", "lr", "sharpness", "sharpness_threshold"].prefix(input.count(in: 0...4, default: 4)).enumerated() {
                    values[input.name(usual)] = input.number([0.7, 0.1, 12.5, 20][k])
                }
                return (step, values)
            }
            try? writer.appendMetrics(rows)
        }
        for _ in 0..<input.count(in: 0...3, default: 1) {
            try? writer.appendEvent(RunEvent(step: input.integer(10), kind: input.name("threshold_crossing"),
                                             detail: input.text("sharpness 41.2 crossed 2/lr = 40")))
        }
        for index in 0..<input.count(in: 0...3, default: 1) {
            if input.pick([model.dtype != "f32", true, false]) {
                try? writer.writeCheckpoint(checkpoint(&input, model, index: index, as: Double.self))
            } else {
                try? writer.writeCheckpoint(checkpoint(&input, model, index: index, as: Float.self))
            }
        }
        for index in 0..<input.count(in: 0...3, default: 1) {
            try? writer.writeSpectrum(spectrum(&input, step: index * 10 + 10))
        }
        if input.flag() { try? writer.flush() }
    }

    static func hessianBatch<T: StoredFloat>(_ input: inout FuzzInput, _ model: PlannedModel, as: T.Type) -> HessianBatch<T> {
        let rows = input.count(in: 0...5, default: 3), features = input.count(in: 0...7, default: model.widths[0])
        let shape = input.pick([[rows, features], [rows, features, 1], [rows], [rows, 1, features]])
        var batch = HessianBatch<T>(indices: (0..<rows).map { Int64(input.integer($0 * 7)) })
        batch.inputs = NamedArray(name: "inputs", shape: shape, values: values(&input, shape.reduce(1, *)))
        let kind = input.pick([model.loss == .crossEntropy ? 0 : 1, 0, 1, 2, 3])
        if kind == 0 || kind == 2 { batch.labels = (0..<rows).map { Int64(input.integer($0 % model.outputs)) } }
        if kind == 1 || kind == 2 {
            let shape = input.pick([[rows, model.outputs], [rows], [rows, model.outputs + 1]])
            batch.targets = NamedArray(name: "targets", shape: shape, values: values(&input, shape.reduce(1, *)))
        }
        return batch
    }

    static func checkpoint<T: StoredFloat>(_ input: inout FuzzInput, _ model: PlannedModel, index: Int, as: T.Type) -> Checkpoint<T> {
        let step = input.integer(index * 10 + 10)
        let weights: [NamedArray<T>] = tensors(&input, model.layout)
        let gradients: [NamedArray<T>] = input.usually() ? tensors(&input, model.layout) : []
        let kind = input.pick(OptimizerKind.allCases.map(\.rawValue) + ["lbfgs", ""])
        var optimizer = OptimizerState<T>(kind: kind, stepCount: input.integer(step))
        // Names come from the input, so two may be equal: assigned one by one (the last one stays),
        // never as a dictionary literal (which traps on a repeated key).
        if kind.hasPrefix("adam") || input.flag() {
            for (name, usual) in [("beta1", 0.9), ("beta2", 0.999), ("eps", 1e-8)] {
                optimizer.hyperparameters[input.name(name)] = input.number(usual)
            }
            optimizer.slots[input.name("m")] = tensors(&input, model.layout)
            optimizer.slots[input.name("v")] = tensors(&input, model.layout, usual: 0.01)
        } else if kind != "sgd" {
            optimizer.hyperparameters = [input.name("momentum"): input.number(0.9)]
            optimizer.slots = [input.name("velocity"): tensors(&input, model.layout)]
        }
        return Checkpoint(step: step, learningRate: input.number(0.1), weights: weights, gradients: gradients, optimizer: optimizer)
    }

    /// One array per parameter of `layout`, then possibly one of them dropped, renamed, reshaped,
    /// duplicated or given too few values.
    static func tensors<T: StoredFloat>(_ input: inout FuzzInput, _ layout: ParameterLayout, usual: Double = 0.25) -> [NamedArray<T>] {
        var arrays = zip(layout.names, layout.shapes).map { name, shape in
            NamedArray<T>(name: name, shape: shape, values: values(&input, shape.reduce(1, *), usual: usual))
        }
        let k = input.count(in: 0...arrays.count - 1, default: 0)
        switch input.count(6) {
        case 1: arrays.remove(at: k)
        case 2: arrays[k].name = input.name(arrays[k].name)
        case 3: arrays[k].shape = [arrays[k].values.count]
        case 4: arrays[k].shape = arrays[k].shape.reversed() + [1]
        case 5: arrays.append(arrays[k])
        case 6: arrays[k].values.removeLast(min(1, arrays[k].values.count))
        default: break
        }
        return arrays
    }

    static func spectrum(_ input: inout FuzzInput, step: Int) -> Spectrum {
        let probes = input.count(in: 0...3, default: 2), m = input.count(in: 0...5, default: 4)
        let betaLength = input.pick([max(m - 1, 0), m, m - 2 < 0 ? 1 : m - 2])
        let alpha = (0..<probes).map { p in input.numbers(m) { 2 + Double($0 + p) } }
        let beta = (0..<input.pick([probes, probes + 1, max(probes - 1, 0)])).map { _ in input.numbers(max(betaLength, 0)) { _ in 0.5 } }
        let top = input.count(in: 0...3, default: 2)
        return Spectrum(step: input.integer(step), operator: input.pick(SpectralOperator.allCases),
                        eigenvalues: input.numbers(top) { 5 - Double($0) }, residuals: input.numbers(input.pick([top, top + 1])) { _ in 1e-3 },
                        alpha: alpha, beta: beta, seed: UInt64(bitPattern: Int64(input.integer(7))),
                        probeKind: input.name("rademacher"), reorthogonalization: input.pick(["full", "partial", ""]))
    }

    static func appendAnalyses(_ input: inout FuzzInput, count: Int, to path: String) {
        guard count > 0, let writer = try? AnalysisWriter.open(path, tool: "fuzz") else { return }
        defer { try? writer.close() }
        for index in 0..<count {
            let grid = input.count(in: 0...6, default: 4), top = input.count(in: 0...3, default: 2), bottom = input.count(2)
            let probes = input.count(in: 0...2, default: 1), m = input.count(in: 0...4, default: 3)
            let analysis = Analysis(
                step: input.integer(10 * index + 10), operator: input.pick(SpectralOperator.allCases),
                probes: input.integer(probes), lanczosSteps: input.integer(m), seed: UInt64(bitPattern: Int64(input.integer(3))),
                sigma: input.number(0.01), grid: input.numbers(grid) { Double($0) }, density: input.numbers(input.pick([grid, grid + 1])) { _ in 0.2 },
                densitySpread: input.numbers(input.pick([grid, 0, 1])) { _ in 0.01 },
                topEigenvalues: input.numbers(top) { 4 - Double($0) }, topResiduals: input.numbers(input.pick([top, 0])) { _ in 1e-4 },
                bottomEigenvalues: input.numbers(bottom) { -Double($0) }, bottomResiduals: input.numbers(bottom) { _ in 1e-4 },
                trace: input.number(3), traceStandardError: input.number(.nan),
                alpha: (0..<probes).map { _ in input.numbers(m) { Double($0) + 1 } },
                beta: (0..<input.pick([probes, probes + 1])).map { _ in input.numbers(input.pick([max(m - 1, 0), m])) { _ in 0.5 } },
                source: input.text("/checkpoints/10/weights + /data/hessian_batch"), dtype: input.pick(["f64", "f32", "", "f16"]),
                reorthogonalization: input.pick(["full", "partial", ""]),
                topConverged: (0..<input.pick([top, 0, top + 1])).map { _ in input.usually() },
                bottomConverged: (0..<input.pick([bottom, 0])).map { _ in input.usually() }, eigenTolerance: input.number(1e-6))
            _ = try? writer.append(analysis)
        }
    }

    /// A request curv-density's options can make (its `validate()` refuses the rest): at least one
    /// probe, two Lanczos steps, two grid points and one product; positive finite sigma; a tolerance
    /// in (0, 1); a seed from 0 to Int.max; no trace or one of at least 6 products.
    static func densityRequest(_ input: inout FuzzInput) -> DensityRequest {
        var request = DensityRequest()
        request.steps = input.pick([StepSelection.latest, .all, .steps([input.integer(10)]), .steps([10, 10])])
        request.operatorKind = input.pick(SpectralOperator.allCases)
        request.probes = input.count(in: 1...3, default: 1)
        request.lanczos = input.count(in: 2...6, default: 4)
        request.gridPoints = input.pick([32, 2, 3, 5])
        request.top = input.count(in: 0...3, default: 1)
        request.bottom = input.count(2)
        request.eigenProducts = input.pick([40, 1, 2, 5])
        request.traceMatvecs = input.pick([0, 6, 7])
        request.dtype = input.pick(["f64", "f32"])
        request.sigma = input.pick([nil, 0.05, 1e-300, 1e300, .leastNonzeroMagnitude, .greatestFiniteMagnitude])
        request.seed = input.flag() ? UInt64(input.integer(1) & Int.max) : nil
        request.eigenTolerance = input.pick([nil, 1e-3, 0.5, 0.999999, 1e-300, .leastNonzeroMagnitude])
        request.fromTridiagonals = input.flag()
        request.force = input.flag()
        request.reorthogonalization = input.pick([request.reorthogonalization, .full, .partial] as [Reorthogonalization])
        return request
    }

    /// Options curv-plot's flags can make: steps from 0, sizes of 100 to 10000 pixels (kept small
    /// here), an analysis id that is not empty and has no '/', any title.
    static func figureOptions(_ input: inout FuzzInput) -> FigureOptions {
        var options = FigureOptions()
        let id = input.name("0001")
        options.source = input.pick([.best, .recorded, .analysis("0000"), .analysis(id.isEmpty || id.contains("/") ? "0001" : id)])
        options.operator = input.pick([nil, .hessian, .preconditioned])
        if input.flag() { options.at = [input.integer(10) & Int.max, input.integer(20) & Int.max] }
        options.logX = input.flag()
        if input.flag() { (options.width, options.height) = (input.count(in: 100...400, default: 160), input.count(in: 100...400, default: 120)) }
        if input.flag() { options.title = input.text("run") }
        return options
    }

    /// `count` values, `usual` (varied a little by position) by default.
    static func values<T: StoredFloat>(_ input: inout FuzzInput, _ count: Int, usual: Double = 0.25) -> [T] {
        (0..<count).map { i in
            let sign: Double = i % 2 == 0 ? 1 : -1
            return T(input.number(usual * Double(i % 5 + 1) * sign))
        }
    }
}
