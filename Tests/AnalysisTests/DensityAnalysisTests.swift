import Analysis
import Foundation
import Models
import RunStore
import Spectral
import Tensor
import Testing
import Training

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A small Float64 run (gaussian mixture, MLP 6-10-3: 103 parameters) with checkpoints and spectra.
func smallRun(kind: OptimizerKind = .sgd, embedLimit: Int = 50_000_000, csv: URL? = nil) throws -> (String, RunConfig) {
    var c = RunConfig()
    c.name = "small"
    c.steps = 6
    c.dtype = "f64"
    if let csv {
        c.data.source = .csv
        c.data.path = csv.path
        c.data.labelColumn = 0
    } else {
        c.data.source = .gaussianMixture
        c.data.count = 80
        c.data.dimension = 6
        c.data.classes = 3
    }
    c.model.hidden = [10]
    c.optimizer.kind = kind
    c.optimizer.lr = kind.isAdaptive ? 0.01 : 0.2
    c.optimizer.weightDecay = 0.01
    c.record.sharpnessEvery = 3
    c.record.hessianExamples = 48
    c.record.spectrumAt = [0, 3, 6]
    c.record.spectrumProbes = 3
    c.record.spectrumLanczos = 20
    c.record.checkpointAt = [0, 3, 6]
    c.record.embedLimit = embedLimit
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("curv-analysis-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent("run.h5").path
    _ = try Recorder.record(c, options: RecordOptions(outputPath: path, progress: .quiet))
    return (path, c)
}

/// The Hessian at a checkpoint formed densely, from the config's data pipeline (not the stored batch).
func explicitHessian(_ path: String, _ config: RunConfig, step: Int) throws -> (h: [Double], n: Int, w: Tensor<Double>, surface: LossSurface<Double>) {
    let reader = try RunReader.open(path)
    defer { reader.close() }
    let spec = try ModelSpec.parse(json: reader.modelSpec(), source: path)
    let data = try PreparedData.prepare(config)
    let surface = LossSurface(model: spec.network, loss: spec.loss, examples: data.hessianBatch.batch(as: Double.self), weightDecay: spec.weightDecay)
    let w = try spec.network.layout.flat(from: reader.checkpoint(at: step, as: Double.self).weights, source: path)
    let op = surface.hessianOperator(at: w)
    return (op.denseMatrix(), op.dimension, w, surface)
}

func analysesCount(_ path: String) throws -> Int {
    let reader = try RunReader.open(path)
    defer { reader.close() }
    return try reader.analysisIDs().count
}

@Suite("curv-density: re-analysis of recorded checkpoints")
struct DensityAnalysisTests {
    @Test("top-5, bottom-5 and the trace agree with the explicit Hessian of the same checkpoint, diagonalized by LAPACK")
    func againstExplicitHessian() throws {
        let (path, config) = try smallRun()
        let (h, n, _, _) = try explicitHessian(path, config, step: 3)
        let exact = try denseSymmetricEigenvalues(h, dimension: n)
        let exactTrace = (0..<n).reduce(0) { $0 + h[$1 * n + $1] }
        var request = DensityRequest()
        request.steps = .steps([3])
        request.probes = 2
        request.lanczos = n
        request.gridPoints = 500
        request.traceMatvecs = 60
        let a = try DensityAnalysis.run(path: path, request: request, progress: .quiet)[0].analysis
        let scale = max(abs(exact.first!), abs(exact.last!))
        for k in 0..<5 {
            #expect(abs(a.topEigenvalues[k] - exact[n - 1 - k]) < 1e-9 * scale, "top \(k): \(a.topEigenvalues[k]) vs \(exact[n - 1 - k])")
            #expect(abs(a.bottomEigenvalues[k] - exact[k]) < 1e-9 * scale, "bottom \(k): \(a.bottomEigenvalues[k]) vs \(exact[k])")
        }
        #expect(abs(a.trace - exactTrace) < 3 * a.traceStandardError, "trace \(a.trace) ± \(a.traceStandardError) vs \(exactTrace)")
        #expect(a.dtype == "f64" && a.source.contains("/checkpoints/3/weights"))
    }

    @Test("with the recorder's seed and settings, the analysis reproduces the recorded spectrum")
    func matchesRecordedSpectrum() throws {
        let (path, _) = try smallRun()
        var request = DensityRequest()
        request.steps = .steps([6])
        request.probes = 3
        request.lanczos = 20
        request.gridPoints = 800
        let analysis = try DensityAnalysis.run(path: path, request: request, progress: .quiet)[0].analysis
        let reader = try RunReader.open(path)
        defer { reader.close() }
        let recorded = try reader.spectrum(at: 6, operator: .hessian)
        #expect(recorded.reorthogonalization == "partial" && analysis.reorthogonalization == "partial")
        for (a, b) in zip(analysis.alpha.joined(), recorded.alpha.joined()) { #expect(abs(a - b) < 1e-9 * max(1, abs(b))) }
        let rebuilt = try spectralDensity(from: zip(recorded.alpha, recorded.beta).map { Tridiagonal(alpha: $0, beta: $1) }, gridPoints: 800)
        let l1 = zip(rebuilt.density, analysis.density).reduce(0) { $0 + abs($1.0 - $1.1) } * (rebuilt.grid[1] - rebuilt.grid[0])
        #expect(l1 < 1e-6, "L1 distance between the densities: \(l1)")
        #expect(abs(analysis.topEigenvalues[0] - recorded.eigenvalues[0]) < 1e-9 * abs(recorded.eigenvalues[0]))
    }

    @Test("recorded data is byte-identical after analyses; a second analysis with other settings is kept beside the first")
    func recordedDataUntouched() throws {
        let (path, _) = try smallRun()
        let recorded = { () throws -> [ManifestEntry] in try RunManifest.entries(of: path).filter { !$0.path.hasPrefix("/analyses/") } }
        let before = try recorded()
        var request = DensityRequest()
        request.steps = .all
        request.probes = 2
        request.lanczos = 15
        request.gridPoints = 300
        _ = try DensityAnalysis.run(path: path, request: request, progress: .quiet)
        request.sigma = 0.05
        request.probes = 3
        _ = try DensityAnalysis.run(path: path, request: request, progress: .quiet)
        #expect(try recorded() == before)
        let reader = try RunReader.open(path)
        defer { reader.close() }
        let analyses = try reader.analyses()
        #expect(analyses.count == 6 && Set(analyses.map(\.analysis.probes)) == [2, 3])
    }

    @Test("an interrupted analysis keeps its finished steps; the rerun does only the rest")
    func restart() throws {
        let (path, _) = try smallRun()
        var request = DensityRequest()
        request.probes = 2
        request.lanczos = 12
        request.gridPoints = 300
        var polls = 0
        let first = try DensityAnalysis.run(path: path, request: request, progress: .quiet) { polls += 1; return polls > 1 }
        #expect(first.count == 1 && first[0].id != nil)
        let second = try DensityAnalysis.run(path: path, request: request, progress: .quiet)
        #expect(second.map(\.step) == [0, 3, 6])
        #expect(second[0].id == nil && second[1].id != nil && second[2].id != nil)
        #expect(try analysesCount(path) == 3)
    }

    @Test("densities rebuilt from stored tridiagonals need no Hessian products and honour a new sigma")
    func fromTridiagonals() throws {
        let (path, _) = try smallRun()
        var request = DensityRequest()
        request.fromTridiagonals = true
        request.sigma = 0.02
        request.gridPoints = 400
        let outcomes = try DensityAnalysis.run(path: path, request: request, progress: .quiet)
        #expect(outcomes.map(\.step) == [0, 3, 6])
        for o in outcomes {
            #expect(o.analysis.sigma == 0.02 && o.analysis.dtype == "" && o.analysis.probes == 3 && o.analysis.lanczosSteps == 20)
            let h = o.analysis.grid[1] - o.analysis.grid[0]
            #expect(abs(o.analysis.density.reduce(0, +) * h - 1) < 1e-3)
        }
    }

    @Test("the preconditioned operator on an Adam run matches D^-1/2 H D^-1/2 formed densely")
    func preconditioned() throws {
        let (path, config) = try smallRun(kind: .adam)
        let (h, n, _, _) = try explicitHessian(path, config, step: 3)
        let reader = try RunReader.open(path)
        let state = try reader.checkpoint(at: 3, as: Double.self).optimizer
        let spec = try ModelSpec.parse(json: reader.modelSpec(), source: path)
        reader.close()
        let v = try spec.network.layout.flat(from: state.slots["v"]!, source: path).scalars
        let correction = 1 - pow(0.999, Double(state.stepCount))
        let d = v.map { ($0 / correction).squareRoot() + 1e-8 }
        var scaled = h
        for i in 0..<n { for j in 0..<n { scaled[i * n + j] /= (d[i] * d[j]).squareRoot() } }
        let exact = try denseSymmetricEigenvalues(scaled, dimension: n)
        var request = DensityRequest()
        request.steps = .steps([3])
        request.operatorKind = .preconditioned
        request.probes = 1
        request.lanczos = n
        request.gridPoints = 300
        let a = try DensityAnalysis.run(path: path, request: request, progress: .quiet)[0].analysis
        #expect(abs(a.topEigenvalues[0] - exact.last!) < 1e-8 * abs(exact.last!), "\(a.topEigenvalues[0]) vs \(exact.last!)")
    }

    @Test("bad requests are clear errors and write nothing",
          arguments: ["unknown step", "no checkpoints", "preconditioned without Adam", "changed data"])
    func badInput(case name: String) throws {
        var request = DensityRequest()
        request.probes = 1
        request.lanczos = 5
        let path: String, expected: [String]
        switch name {
        case "unknown step":
            (path, _) = try smallRun()
            request.steps = .steps([4])
            expected = ["no checkpoint at step 4", "0, 3, 6"]
        case "no checkpoints":
            var c = RunConfig()
            c.steps = 1
            c.data.source = .gaussianMixture
            c.data.count = 30
            c.model.hidden = [4]
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("curv-analysis-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            path = dir.appendingPathComponent("run.h5").path
            _ = try Recorder.record(c, options: RecordOptions(outputPath: path, progress: .quiet))
            expected = ["no checkpoints", "record.checkpoint_at"]
        case "preconditioned without Adam":
            (path, _) = try smallRun()
            request.operatorKind = .preconditioned
            expected = ["needs Adam state", "sgd"]
        default:
            let csv = FileManager.default.temporaryDirectory.appendingPathComponent("curv-\(UUID().uuidString).csv")
            let rows = (0..<60).map { i in "\(i % 3),\(Double(i) / 10),\(sin(Double(i))),\(Double(i % 7))" }
            try (["label,a,b,c"] + rows).joined(separator: "\n").write(to: csv, atomically: true, encoding: .utf8)
            (path, _) = try smallRun(embedLimit: 0, csv: csv)
            try (["label,a,b,c"] + rows.map { $0 + "1" }).joined(separator: "\n").write(to: csv, atomically: true, encoding: .utf8)
            expected = ["no longer matches", "SHA-256"]
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        do {
            _ = try DensityAnalysis.run(path: path, request: request, progress: .quiet)
            Issue.record("\(name): accepted")
        } catch {
            for fragment in expected + [path] { #expect("\(error)".contains(fragment), "'\(fragment)' missing from: \(error)") }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }
}

@Suite("Extreme eigenvalues that run out of products say so")
struct UnconvergedEigenvalueTests {
    @Test("a budget too small for the tolerance stores converged = 0 per value, and curv-inspect marks them with '?'")
    func budget() throws {
        let (path, _) = try smallRun()
        var request = DensityRequest()
        request.steps = .steps([6])
        request.probes = 1
        request.lanczos = 5
        request.top = 3
        request.bottom = 3
        request.eigenTolerance = 1e-13
        request.eigenProducts = 8
        let a = try DensityAnalysis.run(path: path, request: request, progress: .quiet)[0].analysis
        #expect(a.eigenTolerance == 1e-13)
        #expect(a.topConverged.count == 3 && a.bottomConverged.count == 3)
        #expect((a.topConverged + a.bottomConverged).contains(false))
        let reader = try RunReader.open(path)
        let stored = try reader.analyses().last!.analysis
        #expect(stored.topConverged == a.topConverged && stored.bottomConverged == a.bottomConverged)
        let text = try RunSummary.text(reader)
        reader.close()
        #expect(text.contains("?") && text.contains("residual above"), "\(text)")
        // With the budget it needs, the same request converges.
        request.eigenTolerance = 1e-8
        request.eigenProducts = 3000
        request.force = true
        let b = try DensityAnalysis.run(path: path, request: request, progress: .quiet)[0].analysis
        #expect(!(b.topConverged + b.bottomConverged).contains(false))
    }
}
