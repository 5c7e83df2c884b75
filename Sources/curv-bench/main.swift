// curv-bench: the figures behind scripts/bench. Times the tensor core and autodiff on the
// benchmark models and prints them beside this machine's own SGEMM speed, measured in the same run.
//
//   curv-bench [--json] [--repeats N] [--data fixtures/digits] [--no-slq] [--no-density] [--no-tracking]
//              [--no-recording] [--profile [cnn-|resnet-|transformer-]grad|hvp|remembered|loss|measure|conv|sgemm|mpi]
//
// --profile runs only M2's (or the CNN's, the ResNet's, the Transformer's) gradient, HVP or loss --repeats times and prints the mean time:
// a loop to put under perf.
//
// M1 = MLP 784-512-512-10, tanh, softmax cross-entropy, batch 1024 random inputs, Float32.
// M2 = MLP 64-128-128-10, tanh, the full digits set (1797 examples), Float32.
import CAllocator
import Foundation
import Analysis
import Models
import RunStore
import Spectral
import Tensor
import Training


/// Median wall time in milliseconds of `repeats` calls, after one warm-up call.
func medianMilliseconds(_ repeats: Int, _ body: () -> Void) -> Double {
    body()
    var times = [Double]()
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    times.sort()
    return times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
}

/// SGEMM GFLOP/s on square matrices of size n (median).
func sgemmGflops(n: Int, repeats: Int) -> Double {
    var rng = SeededGenerator(seed: 1)
    let a = Tensor<Float>.randomNormal([n, n], using: &rng), b = Tensor<Float>.randomNormal([n, n], using: &rng)
    var c = Tensor<Float>(zeros: [n, n])
    let ms = medianMilliseconds(repeats) { c.accumulateProduct(a, b, beta: 0) }
    return 2 * Double(n * n * n) / (ms * 1e6)
}

struct ModelFigures {
    var lossMs = 0.0, gradMs = 0.0, hvpMs = 0.0, forwardFlops = 0.0
    /// An HVP at a point where an earlier product left its primal work in a memo (as in Lanczos).
    var rememberedHvpMs = 0.0
    var gradGflops: Double { 3 * forwardFlops / (gradMs * 1e6) }
    var hvpOverGrad: Double { hvpMs / gradMs }
}

/// Multiply-adds of one forward pass through the dense layers (rank-2 weights), times 2.
func denseForwardFlops(_ surface: LossSurface<Float>) -> Double {
    surface.layout.shapes.filter { $0.count == 2 }.reduce(0.0) { $0 + 2 * Double(surface.examples.count * $1[0] * $1[1]) }
}

func measure(_ surface: LossSurface<Float>, repeats: Int, forwardFlops: Double? = nil) -> ModelFigures {
    var rng = SeededGenerator(seed: 3)
    let w = surface.layout.flatten(surface.model.initialParameters(.lecunNormal, seed: 2, as: Float.self))
    let v = Tensor<Float>.randomNormal([surface.dimension], using: &rng)
    var f = ModelFigures()
    f.forwardFlops = forwardFlops ?? denseForwardFlops(surface)
    var sink: Float = 0
    f.lossMs = medianMilliseconds(repeats) { sink += surface.value(at: w) }
    f.gradMs = medianMilliseconds(repeats) { sink += surface.valueAndGradient(at: w).gradient.scalars[0] }
    f.hvpMs = medianMilliseconds(repeats) { sink += surface.hessianVectorProduct(at: w, v).scalars[0] }
    let (params, memos) = (surface.layout.unflatten(w), surface.primalMemos())
    f.rememberedHvpMs = medianMilliseconds(repeats) { sink += surface.hessianVectorProduct(at: params, v, memos: memos).scalars[0] }
    if !sink.isFinite { print("warning: non-finite benchmark result") }
    return f
}

curv_keep_freed_memory()
let options = Options(Array(CommandLine.arguments.dropFirst()))
let digits: Dataset
do {
    let raw = try Dataset.digits(in: URL(fileURLWithPath: options.data))
    digits = raw.replacingFeatures(FeatureNormalization(.scale, fittedTo: raw.features).apply(raw.features))
} catch {
    FileHandle.standardError.write("curv-bench: \(error)\n".data(using: .utf8)!)
    exit(1)
}
let m2 = LossSurface(model: MLP(widths: [64, 128, 128, 10], activation: .tanh).network, loss: .crossEntropy,
                     examples: digits.batch(as: Float.self))

/// `--profile`: M2's gradient, HVP or loss in a loop (for perf), mean milliseconds.
func profile(_ what: String, _ surface: LossSurface<Float>, repeats: Int) -> Double {
    let w = surface.layout.flatten(surface.model.initialParameters(.lecunNormal, seed: 2, as: Float.self))
    var rng = SeededGenerator(seed: 3)
    let v = Tensor<Float>.randomNormal([surface.dimension], using: &rng)
    var sink: Float = 0
    let (params, memos) = (surface.layout.unflatten(w), surface.primalMemos())
    if what == "remembered" { sink += surface.hessianVectorProduct(at: params, v, memos: memos).scalars[0] }
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<repeats {
        switch what {
        case "grad": sink += surface.valueAndGradient(at: w).gradient.scalars[0]
        case "hvp": sink += surface.hessianVectorProduct(at: w, v).scalars[0]
        case "remembered": sink += surface.hessianVectorProduct(at: params, v, memos: memos).scalars[0]
        default: sink += surface.value(at: w)
        }
    }
    if !sink.isFinite { print("warning: non-finite benchmark result") }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(repeats)
}
if !options.profile.isEmpty {
    // "grad", "hvp", "loss" on M2; "cnn-grad", "resnet-hvp", ... on the image models.
    if options.profile == "sgemm" {
        print(String(format: "sgemm_gflops %.2f", sgemmGflops(n: 2048, repeats: max(options.repeats, 3))))
        exit(0)
    }
    if options.profile == "mpi" {
        profileMPI(repeats: max(options.repeats, 5))
        exit(0)
    }
    if options.profile == "conv" {
        print(String(format: "convolution forward + backward: %.1f GFLOP/s (median of %d)", convolutionGflops(repeats: options.repeats), options.repeats))
        exit(0)
    }
    if ["resnet-measure", "cnn-measure", "transformer-measure"].contains(options.profile) {
        let surface = switch options.profile {
        case "cnn-measure": LossSurface(model: benchCNN, loss: .crossEntropy, examples: randomBatch(n: 128, features: 784, seed: 21))
        case "transformer-measure": LossSurface(model: benchTransformer, loss: .crossEntropy, examples: randomTokenBatch(n: 32, benchTransformerShape, seed: 23))
        default: LossSurface(model: benchResNet, loss: .crossEntropy, examples: randomBatch(n: 128, features: 3072, seed: 22), mode: .train)
        }
        let flops = options.profile == "transformer-measure" ? transformerForwardFlops(n: 32, benchTransformerShape) : nil
        let f = measure(surface, repeats: options.repeats, forwardFlops: flops)
        print(String(format: "%@: gradient %.1f ms (%.1f GFLOP/s), HVP %.1f ms (%.2f), remembered %.1f ms (%.2f); SGEMM %.1f GFLOP/s", options.profile,
                     f.gradMs, f.gradGflops, f.hvpMs, f.hvpOverGrad, f.rememberedHvpMs, f.rememberedHvpMs / f.gradMs, sgemmGflops(n: 2048, repeats: 5)))
        exit(0)
    }
    let parts = options.profile.split(separator: "-").map(String.init)
    let (name, what) = parts.count == 2 ? (parts[0], parts[1]) : ("m2", parts[0])
    let surface = switch name {
    case "cnn": LossSurface(model: benchCNN, loss: .crossEntropy, examples: randomBatch(n: 128, features: 784, seed: 21))
    case "resnet": LossSurface(model: benchResNet, loss: .crossEntropy, examples: randomBatch(n: 128, features: 3072, seed: 22))
    case "transformer": LossSurface(model: benchTransformer, loss: .crossEntropy, examples: randomTokenBatch(n: 32, benchTransformerShape, seed: 23))
    default: m2
    }
    print(String(format: "%@ %@: %.3f ms (mean of %d)", name, what, profile(what, surface, repeats: options.repeats), options.repeats))
    exit(0)
}

let gflops = sgemmGflops(n: 2048, repeats: 5)

var rng = SeededGenerator(seed: 7)
let m1Inputs = Tensor<Float>.randomNormal([1024, 784], using: &rng)
var m1Targets = Tensor<Float>(zeros: [1024, 10])
for i in 0..<1024 { m1Targets[i, Int(rng.next() % 10)] = 1 }
let m1 = LossSurface(model: MLP(widths: [784, 512, 512, 10], activation: .tanh).network, loss: .crossEntropy,
                     examples: Batch(inputs: m1Inputs, targets: m1Targets))
let m1f = measure(m1, repeats: options.repeats)

let m2f = measure(m2, repeats: options.repeats * 3)

/// SLQ with 10 probes x 80 Lanczos steps on M1 (Float32 model, Float64 Lanczos), each probe
/// followed by 80 standalone HVPs of the same model: on a shared machine the load drifts, so each
/// probe is compared with HVPs timed next to it. Returns the median per-probe
/// ratio, total SLQ seconds and the fraction of them spent inside the operator.
func measureSLQ(_ surface: LossSurface<Float>, reorthogonalization: Reorthogonalization)
    -> (ratio: Double, total: Double, inOperator: Double) {
    let params = surface.model.initialParameters(.lecunNormal, seed: 2, as: Float.self)
    let hessian = surface.hessianOperator(at: surface.layout.flatten(params))
    var inOperator = 0.0
    let timed = SymmetricOperator(dimension: hessian.dimension, precision: hessian.precision) { v in
        let start = DispatchTime.now().uptimeNanoseconds
        defer { inOperator += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        return hessian.apply(v)
    }
    var rng = SeededGenerator(seed: 5)
    let v = Tensor<Float>.randomNormal([surface.dimension], using: &rng)
    let clock = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
    var ratios = [Double](), total = 0.0
    var probeStart = clock()
    do {
        // The 80 reference HVPs run inside the progress callback, between probes, off the clock.
        let runs = try lanczosRuns(of: timed, settings: SLQSettings(probes: 10, steps: 80, seed: 1, reorthogonalization: reorthogonalization)) { _ in
            let slq = clock() - probeStart
            let hvpStart = clock()
            for _ in 0..<80 { _ = surface.hessianVectorProduct(at: params, v) }
            ratios.append(slq / (clock() - hvpStart))
            total += slq
            probeStart = clock()
        }
        let densityStart = clock()
        _ = try spectralDensity(from: runs.map(\.tridiagonal))
        total += clock() - densityStart
    } catch {
        FileHandle.standardError.write("curv-bench: SLQ failed: \(error)\n".data(using: .utf8)!)
        exit(1)
    }
    return (ratios.sorted()[ratios.count / 2], total, inOperator)
}

var figures: [(String, Double)] = [
    ("sgemm_gflops", gflops),
    ("m1_loss_ms", m1f.lossMs), ("m1_grad_ms", m1f.gradMs), ("m1_hvp_ms", m1f.hvpMs),
    ("m1_grad_gflops", m1f.gradGflops), ("m1_hvp_over_grad", m1f.hvpOverGrad),
    ("m1_hvp_remembered_ms", m1f.rememberedHvpMs), ("m1_hvp_remembered_over_grad", m1f.rememberedHvpMs / m1f.gradMs),
    ("m2_loss_ms", m2f.lossMs), ("m2_grad_ms", m2f.gradMs), ("m2_hvp_ms", m2f.hvpMs),
    ("m2_grad_gflops", m2f.gradGflops), ("m2_hvp_over_grad", m2f.hvpOverGrad),
    ("m2_hvp_remembered_ms", m2f.rememberedHvpMs), ("m2_hvp_remembered_over_grad", m2f.rememberedHvpMs / m2f.gradMs),
]
let cnn = LossSurface(model: benchCNN, loss: .crossEntropy, examples: randomBatch(n: 128, features: 784, seed: 21))
let cnnf = measure(cnn, repeats: options.repeats, forwardFlops: cnnForwardFlops(n: 128))
let resnet = LossSurface(model: benchResNet, loss: .crossEntropy, examples: randomBatch(n: 128, features: 3072, seed: 22), mode: .train)
let resnetf = measure(resnet, repeats: max(3, options.repeats / 3))
let convGflops = convolutionGflops(repeats: options.repeats)
let transformer = LossSurface(model: benchTransformer, loss: .crossEntropy, examples: randomTokenBatch(n: 32, benchTransformerShape, seed: 23))
let transformerf = measure(transformer, repeats: options.repeats, forwardFlops: transformerForwardFlops(n: 32, benchTransformerShape))
figures += [
    ("transformer_grad_ms", transformerf.gradMs), ("transformer_hvp_ms", transformerf.hvpMs),
    ("transformer_hvp_over_grad", transformerf.hvpOverGrad), ("transformer_grad_gflops", transformerf.gradGflops),
    ("transformer_hvp_remembered_over_grad", transformerf.rememberedHvpMs / transformerf.gradMs),
    ("cnn_grad_ms", cnnf.gradMs), ("cnn_hvp_ms", cnnf.hvpMs), ("cnn_hvp_over_grad", cnnf.hvpOverGrad),
    ("cnn_grad_gflops", cnnf.gradGflops), ("conv_gflops", convGflops), ("conv_over_sgemm", convGflops / gflops),
    ("cnn_hvp_remembered_over_grad", cnnf.rememberedHvpMs / cnnf.gradMs),
    ("resnet_grad_ms", resnetf.gradMs), ("resnet_hvp_ms", resnetf.hvpMs), ("resnet_hvp_over_grad", resnetf.hvpOverGrad),
    ("resnet_hvp_remembered_over_grad", resnetf.rememberedHvpMs / resnetf.gradMs),
]

if options.slq {
    // SLQ's default (partial reorthogonalization), then full reorthogonalization for comparison.
    let slq = measureSLQ(m1, reorthogonalization: SLQSettings().reorthogonalization)
    figures += [("m1_slq_s", slq.total), ("m1_slq_over_hvps", slq.ratio),
                ("m1_slq_operator_fraction", slq.inOperator / slq.total)]
    let full = measureSLQ(m1, reorthogonalization: .full)
    figures += [("m1_slq_full_s", full.total), ("m1_slq_full_over_hvps", full.ratio),
                ("m1_slq_full_operator_fraction", full.inOperator / full.total)]
}

/// curv-density with 10 probes x 80 Lanczos steps (Float32 products) on an M1-sized checkpoint
/// (MLP 784-512-512-10, tanh, 1024 examples), against 80 HVPs of the same model and batch.
func measureDensity() throws -> (perProbe: Double, eightyHVPs: Double) {
    var c = RunConfig()
    c.name = "bench-m1"
    c.steps = 0
    c.dtype = "f32"
    c.data.source = .gaussianMixture
    c.data.count = 1024
    c.data.dimension = 784
    c.data.classes = 10
    c.model.hidden = [512, 512]
    c.record.sharpnessEvery = 0
    c.record.hessianExamples = 1024
    c.record.checkpointAt = [0]
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("curv-bench-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("m1.h5").path
    _ = try Recorder.record(c, options: RecordOptions(outputPath: path, progress: .quiet))
    var request = DensityRequest()
    request.probes = 10
    request.lanczos = 80
    request.dtype = "f32"
    let start = DispatchTime.now().uptimeNanoseconds
    _ = try DensityAnalysis.run(path: path, request: request, progress: .quiet)
    let total = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let reader = try RunReader.open(path)
    let model = try RunModel<Float>(reader: reader)
    let w = try model.weights(at: 0, reader: reader)
    reader.close()
    var rng = SeededGenerator(seed: 5)
    let v = Tensor<Float>.randomNormal([model.surface.dimension], using: &rng)
    let hvpStart = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<80 { _ = model.surface.hessianVectorProduct(at: w, v) }
    let hvps = Double(DispatchTime.now().uptimeNanoseconds - hvpStart) / 1e9
    return (total / 10, hvps)
}

/// Training M2 (digits, 64-128-128-10 tanh, Float32, full batch) for `steps` steps with the
/// sharpness tracked every 10 steps (warm-started Lanczos with the recorder's default early stop) on
/// a Hessian batch of `hessianExamples` (0 = all 1797), against the same recording without it, in
/// `rounds` interleaved pairs. Returns the medians of the tracking overhead as a fraction of
/// training time, measured two ways: the two runs' wall-clock times (what a user sees, but
/// exposed to load drifting between the runs), and within the tracked run (time inside the
/// sharpness measurements over the rest of the run: both under the same load).
func measureTrackingOverhead(data: String, hessianExamples: Int, steps: Int = 100, rounds: Int = 5, every: Int = 10) throws
    -> (wallClock: Double, inProcess: Double, productsPerMeasurement: Double) {
    func config(_ every: Int) -> RunConfig {
        var c = RunConfig()
        c.steps = steps
        c.data.source = .digits
        c.data.path = data
        c.data.normalize = .scale
        c.model.hidden = [128, 128]
        c.optimizer.lr = 0.1
        c.record.sharpnessEvery = every
        c.record.hessianExamples = hessianExamples
        return c
    }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("curv-bench-track-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    var wallClock = [Double](), inProcess = [Double](), products = [Double]()
    for round in 0..<rounds {
        var summaries = [Int: RecordSummary]()
        for e in [0, every] {
            let path = dir.appendingPathComponent("m2-\(e)-\(round).h5").path
            summaries[e] = try BLASThreads.singleThreaded {  // as curv-record runs it
                try Recorder.record(config(e), options: RecordOptions(outputPath: path, progress: .quiet))
            }
        }
        wallClock.append(summaries[every]!.seconds / summaries[0]!.seconds - 1)
        inProcess.append(summaries[every]!.sharpnessOverhead)
        products.append(summaries[every]!.productsPerMeasurement)
    }
    let median = { (xs: [Double]) in xs.sorted()[xs.count / 2] }
    return (median(wallClock), median(inProcess), median(products))
}

/// The edge-of-stability workload of `scripts/check-tracking`: digits, MLP 64-128-128-10 tanh,
/// MSE, full-batch GD at lr 0.04 for 3000 steps, λ_max every 20 steps, Float32; one recording.
func measureEdgeOfStabilityRecording(data: String) throws -> RecordSummary {
    var c = RunConfig()
    c.steps = 3000
    c.data.source = .digits
    c.data.path = data
    c.data.normalize = .scale
    c.model.hidden = [128, 128]
    c.model.loss = .meanSquaredError
    c.optimizer.lr = 0.04
    c.record.sharpnessEvery = 20
    c.record.hessianExamples = 0
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("curv-bench-eos-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    return try BLASThreads.singleThreaded {  // as curv-record runs it
        try Recorder.record(c, options: RecordOptions(outputPath: dir.appendingPathComponent("eos.h5").path, progress: .quiet))
    }
}

/// CPU time of a recording of M2 (digits, 64-128-128-10 tanh, Float32, full batch, lr 0.1,
/// sharpness every 10 steps on all 1797 examples) for `steps` steps, from getrusage around
/// `Recorder.record` (all threads): system and user seconds. System time is the kernel's share:
/// page faults of fresh allocations and BLAS worker threads yielding while they wait for work
/// (none here: the recording runs as curv-record runs it, BLAS single-threaded).
func measureRecordingCPU(data: String, steps: Int = 300) throws -> (user: Double, system: Double) {
    var c = RunConfig()
    c.steps = steps
    c.data.source = .digits
    c.data.path = data
    c.data.normalize = .scale
    c.model.hidden = [128, 128]
    c.optimizer.lr = 0.1
    c.record.sharpnessEvery = 10
    c.record.hessianExamples = 0
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("curv-bench-record-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    var before = rusage(), after = rusage()
    getrusage(RUSAGE_SELF.rawValue, &before)
    // As curv-record runs it: BLAS on one thread, the surfaces' chunks on both cores.
    _ = try BLASThreads.singleThreaded {
        try Recorder.record(c, options: RecordOptions(outputPath: dir.appendingPathComponent("m2.h5").path, progress: .quiet))
    }
    getrusage(RUSAGE_SELF.rawValue, &after)
    return (seconds(after.ru_utime) - seconds(before.ru_utime), seconds(after.ru_stime) - seconds(before.ru_stime))
}

if options.recording {
    do {
        // Three recordings; the median ratio.
        let runs = try (0..<3).map { _ in try measureRecordingCPU(data: options.data) }.sorted { $0.system / $0.user < $1.system / $1.user }
        figures += [("record_user_s", runs[1].user), ("record_system_s", runs[1].system),
                    ("record_system_over_user", runs[1].system / runs[1].user)]
    } catch {
        FileHandle.standardError.write("curv-bench: recording benchmark failed: \(error)\n".data(using: .utf8)!)
        exit(1)
    }
}

if options.tracking {
    do {
        let all = try measureTrackingOverhead(data: options.data, hessianExamples: 0)
        let default1024 = try measureTrackingOverhead(data: options.data, hessianExamples: 1024)
        // 500 steps: the cold start and the fast early turning of the top eigenvector amortized.
        let long = try measureTrackingOverhead(data: options.data, hessianExamples: 0, steps: 500, rounds: 3)
        let long20 = try measureTrackingOverhead(data: options.data, hessianExamples: 0, steps: 500, rounds: 3, every: 20)
        let eos = try measureEdgeOfStabilityRecording(data: options.data)
        figures += [("m2_sharpness_overhead", all.wallClock), ("m2_sharpness_overhead_inprocess", all.inProcess),
                    ("m2_sharpness_overhead_hessian1024", default1024.wallClock),
                    ("m2_sharpness_overhead_hessian1024_inprocess", default1024.inProcess),
                    ("m2_sharpness_overhead_500steps", long.wallClock), ("m2_sharpness_overhead_500steps_inprocess", long.inProcess),
                    ("m2_sharpness_products", long.productsPerMeasurement),
                    ("m2_sharpness_overhead_500steps_every20", long20.wallClock),
                    ("m2_sharpness_overhead_500steps_every20_inprocess", long20.inProcess),
                    ("eos_record_s", eos.seconds), ("eos_sharpness_s", eos.sharpnessSeconds),
                    ("eos_sharpness_products", eos.productsPerMeasurement)]
    } catch {
        FileHandle.standardError.write("curv-bench: tracking benchmark failed: \(error)\n".data(using: .utf8)!)
        exit(1)
    }
}

if options.density {
    do {
        let d = try measureDensity()
        figures += [("density_probe_s", d.perProbe), ("density_80hvp_s", d.eightyHVPs), ("density_probe_over_80hvp", d.perProbe / d.eightyHVPs)]
    } catch {
        FileHandle.standardError.write("curv-bench: density benchmark failed: \(error)\n".data(using: .utf8)!)
        exit(1)
    }
}

if options.json {
    print("{" + figures.map { "\"\($0.0)\": \((($0.1 * 1000).rounded() / 1000))" }.joined(separator: ", ") + "}")
} else {
    print(String(format: "SGEMM 2048^3 (this machine, this run): %.1f GFLOP/s", gflops))
    for (name, f) in [("M1 784-512-512-10 tanh, batch 1024", m1f), ("M2 64-128-128-10 tanh, digits 1797", m2f)] {
        print(name)
        print(String(format: "  loss %8.3f ms   gradient %8.3f ms   HVP %8.3f ms", f.lossMs, f.gradMs, f.hvpMs))
        print(String(format: "  gradient %.1f GFLOP/s effective (%.0f%% of SGEMM), HVP/gradient %.2f",
                     f.gradGflops, 100 * f.gradGflops / gflops, f.hvpOverGrad))
        print(String(format: "  HVP reusing the point's primal work (as in Lanczos) %8.3f ms = %.2f gradients",
                     f.rememberedHvpMs, f.rememberedHvpMs / f.gradMs))
    }
    for (name, f) in [("CNN 1x28x28 conv32-pool-conv64-pool-dense10, batch 128", cnnf), ("ResNet-8 BatchNorm 3x32x32 width 16, batch 128", resnetf)] {
        print(name)
        print(String(format: "  loss %8.3f ms   gradient %8.3f ms   HVP %8.3f ms   HVP/gradient %.2f (%.2f reusing the point's primal work)",
                     f.lossMs, f.gradMs, f.hvpMs, f.hvpOverGrad, f.rememberedHvpMs / f.gradMs))
    }
    print(String(format: "convolution 128x32x14x14 -> 64, 3x3, forward + backward: %.1f GFLOP/s (%.0f%% of SGEMM)", convGflops, 100 * convGflops / gflops))
    for (name, value) in figures where name.hasPrefix("m1_slq") || name.hasPrefix("density") || name.hasPrefix("m2_sharpness")
        || name.hasPrefix("record_") || name.hasPrefix("eos_") {
        print(String(format: "%@ %.3f", name, value))
    }
}
