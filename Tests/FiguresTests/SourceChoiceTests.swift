import Analysis
import Foundation
import Plot
import Spectral
import RunStore
import Testing
import TestSupport
import Training
@testable import Figures

/// A run whose steps 3 and 6 carry a recorded spectrum (2 probes × 20 Lanczos steps) and analyses of
/// different quality, written so that the poorest analysis at step 6 is the newest:
/// 0000: step 6, 2 probes × 40 Lanczos steps (the good one); 0001: step 3 and 0002: step 6, 8 probes ×
/// 3 Lanczos steps (the poor ones: more probes, but a 3-node quadrature).
enum AnalysedRun {
    static let good = 40, poor = 3

    static let path: String = try! {
        var c = RunConfig()
        c.name = "analysed"; c.steps = 6; c.dtype = "f64"
        c.data.source = .gaussianMixture; c.data.count = 80; c.data.dimension = 6; c.data.classes = 3
        c.model.hidden = [10]
        c.optimizer.kind = .sgd; c.optimizer.lr = 0.2
        c.record.sharpnessEvery = 3; c.record.hessianExamples = 48
        c.record.spectrumAt = [0, 3, 6]; c.record.spectrumProbes = 2; c.record.spectrumLanczos = 20
        c.record.checkpointAt = [0, 3, 6]
        let path = try recordRun(c)
        var request = DensityRequest()
        request.gridPoints = 400
        request.steps = .steps([6]); request.probes = 2; request.lanczos = good
        _ = try DensityAnalysis.run(path: path, request: request, progress: .quiet)
        request.steps = .steps([3, 6]); request.probes = 8; request.lanczos = poor
        _ = try DensityAnalysis.run(path: path, request: request, progress: .quiet)
        return path
    }()

    static var file: String { (path as NSString).lastPathComponent }

    static func analysis(_ id: String) throws -> StoredAnalysis {
        let reader = try RunReader.open(path)
        defer { reader.close() }
        return try reader.analysis(id)
    }

    static func recorded(_ step: Int) throws -> Spectrum {
        let reader = try RunReader.open(path)
        defer { reader.close() }
        return try reader.spectrum(at: step, operator: .hessian)
    }
}

@Suite("Figures draw the most accurate spectrum at a step, or the one named")
struct SourceChoiceTests {
    static func options(at: [Int]? = nil, source: SourceSelection = .best) -> FigureOptions {
        var o = FigureOptions()
        o.width = 640; o.height = 400; o.at = at; o.source = source
        return o
    }

    /// The λ_max label of a single-curve density panel.
    static func lambdaLabel(_ f: Figure) -> String? {
        f.panels.last?.series.first { $0.kind == .annotation }?.text
    }

    @Test("the setup is a real trap: the newest analysis at step 6 is the 3-step one, and its quadrature's top node is far from λ_max")
    func setupIsMeaningful() throws {
        let good = try AnalysedRun.analysis("0000").analysis, poor = try AnalysedRun.analysis("0002").analysis
        #expect(good.step == 6 && poor.step == 6 && good.lanczosSteps == 40 && poor.lanczosSteps == 3 && poor.probes > good.probes)
        // Its --top eigenvalues are iterated to a tolerance whatever --lanczos is, so they agree;
        // its density (3 nodes per probe) is what a figure must not draw.
        let topNode = try Tridiagonal(alpha: poor.alpha[0], beta: poor.beta[0]).eigenvalues().last!
        let error = abs(topNode - good.topEigenvalues[0]) / good.topEigenvalues[0]
        #expect(error > 0.01, "3-step top node \(topNode) vs λ_max \(good.topEigenvalues[0]): relative error \(error)")
        #expect(abs(poor.topEigenvalues[0] - good.topEigenvalues[0]) <= poor.topResiduals[0] + good.topResiduals[0] + 1e-12)
        #expect(try AnalysedRun.recorded(6).lanczosSteps > AnalysedRun.poor)
    }

    @Test("density: the 40-step analysis wins over the newer 3-step one; its λ_max is the label and the subtitle names it")
    func densityPicksTheMostAccurate() throws {
        let good = try AnalysedRun.analysis("0000").analysis
        let drawn = try FigureBuilder.draw(.density, runs: [AnalysedRun.path], options: Self.options(at: [6]))
        let source = try #require(drawn.sources.first)
        #expect(drawn.sources.count == 1)
        #expect(source.origin == .analysis(id: "0000"), "chose \(source.name)")
        #expect(source.lambdaMax == good.topEigenvalues[0])
        #expect(source.lambdaMaxResidual == good.topResiduals[0])
        let label = try #require(Self.lambdaLabel(drawn.figure))
        #expect(label == "λ_max = \(RunData.shortNumber(good.topEigenvalues[0]))", "label: \(label)")
        #expect(drawn.figure.panels[0].subtitle?.hasPrefix("analysis 0000: 2 probes × 40 Lanczos steps, f64; kernel σ = ") == true, "\(String(describing: drawn.figure.panels[0].subtitle))")
        expectCleanText(drawn.figure.record(), name: "density with an analysis")
    }

    @Test("a 3-step analysis never wins over a recorded 20-step spectrum")
    func recordedBeatsAPoorAnalysis() throws {
        let recorded = try AnalysedRun.recorded(3)
        let drawn = try FigureBuilder.draw(.density, runs: [AnalysedRun.path], options: Self.options(at: [3]))
        let source = try #require(drawn.sources.first)
        #expect(source.origin == .recorded, "chose \(source.name)")
        #expect(source.lambdaMax == recorded.eigenvalues[0])
        #expect(drawn.figure.panels[0].subtitle?.hasPrefix("recorded spectrum: 2 probes × \(recorded.lanczosSteps) Lanczos steps, f64; kernel σ = ") == true, "\(String(describing: drawn.figure.panels[0].subtitle))")
    }

    @Test("spectrum: each heatmap column takes the best source at its step, and the subtitle lists them")
    func spectrumPicksPerStep() throws {
        var o = Self.options(); o.width = 900; o.height = 560
        let drawn = try FigureBuilder.draw(.spectrum, runs: [AnalysedRun.path], options: o)
        #expect(drawn.sources.map(\.step) == [0, 3, 6])
        #expect(drawn.sources.map(\.origin) == [.recorded, .recorded, .analysis(id: "0000")])
        let m = try AnalysedRun.recorded(3).lanczosSteps
        #expect(drawn.figure.panels[0].subtitle == "recorded spectra (2×\(m) f64) at steps 0, 3; analysis 0000 (2×40 f64) at step 6")
        expectCleanText(drawn.figure.record(), name: "spectrum with analyses")
        let narrow = try FigureBuilder.draw(.spectrum, runs: [AnalysedRun.path], options: { var o = Self.options(); o.width = 400; return o }())
        #expect(narrow.figure.panels[0].subtitle == "2 recorded spectra, 1 analysis (the most accurate at each step)")
        expectCleanText(narrow.figure.record(), name: "narrow spectrum with analyses")
    }

    @Test("--analysis by what it is: step and settings select exactly one analysis, or the error lists the candidates")
    func analysisBySettings() throws {
        let all = try RunReader.open(AnalysedRun.path).analyses()
        func pick(_ text: String) throws -> String { try AnalysisSelector(text).select(from: all, file: "run.h5").id }
        #expect(try pick("step=6,lanczos=40") == "0000")
        #expect(try pick("step=3") == "0001")
        #expect(try pick("step=6,probes=8,dtype=f64") == "0002")
        #expect(try pick("0002") == "0002" && pick("id=0001") == "0001")
        #expect(try pick("step=6,latest") == "0002")
        // Two at step 6: ambiguous, and the message lists both with their settings.
        do { _ = try pick("step=6"); Issue.record("step=6 picked one of two") } catch {
            let message = "\(error)"
            #expect(message.contains("2 analyses match 'step=6'") && message.contains("0000: step=6,operator=hessian,probes=2,lanczos=40")
                    && message.contains("0002: step=6,operator=hessian,probes=8,lanczos=3") && message.contains(",latest"), "\(message)")
        }
        do { _ = try pick("step=9"); Issue.record("step=9 matched") } catch {
            #expect("\(error)".contains("no analysis matches 'step=9'") && "\(error)".contains("0001: step=3"), "\(error)")
        }
        for bad in ["stp=6", "=6", "step=6,", "a/b", "latest"] {
            #expect(throws: AnalysisSelectorError.self, "\(bad)") { _ = try AnalysisSelector(bad) }
        }
        // The figure draws the selected analysis, as with its id.
        let drawn = try FigureBuilder.draw(.density, runs: [AnalysedRun.path], options: Self.options(source: .analysis("step=6,lanczos=3")))
        #expect(drawn.sources.first?.origin == .analysis(id: "0002"))
        let heat = try FigureBuilder.draw(.spectrum, runs: [AnalysedRun.path], options: Self.options(source: .analysis("step=3,probes=8")))
        #expect(heat.sources.map(\.origin).contains(.analysis(id: "0001")))
    }

    @Test("--analysis draws the named analysis at its step, even a poor one, and the label says so")
    func namedAnalysisIsHonoured() throws {
        let poor = try AnalysedRun.analysis("0002").analysis
        let drawn = try FigureBuilder.draw(.density, runs: [AnalysedRun.path], options: Self.options(source: .analysis("0002")))
        let source = try #require(drawn.sources.first)
        #expect(source.origin == .analysis(id: "0002") && source.step == 6)
        #expect(source.lambdaMax == poor.topEigenvalues[0])
        #expect(drawn.figure.panels[0].subtitle?.hasPrefix("analysis 0002: 8 probes × 3 Lanczos steps, f64; kernel σ = ") == true, "\(String(describing: drawn.figure.panels[0].subtitle))")
        let label = try #require(Self.lambdaLabel(drawn.figure))
        #expect(label.hasPrefix("λ_max = \(RunData.shortNumber(poor.topEigenvalues[0]))"))
        #expect(label.contains("residual") == (poor.topResiduals[0] > 1e-3 * abs(poor.topEigenvalues[0])), "label: \(label)")

        let heat = try FigureBuilder.draw(.spectrum, runs: [AnalysedRun.path], options: Self.options(source: .analysis("0001")))
        #expect(heat.sources.map(\.origin) == [.recorded, .analysis(id: "0001"), .analysis(id: "0000")])

        let recorded = try FigureBuilder.draw(.density, runs: [AnalysedRun.path], options: Self.options(at: [6], source: .recorded))
        #expect(recorded.sources.map(\.origin) == [.recorded])
        let report = try FigureBuilder.draw(.report, runs: [AnalysedRun.path], options: Self.options(source: .analysis("0001")))
        #expect(report.sources.map(\.origin) == [.analysis(id: "0001")])
        #expect(report.figure.panels.last?.title == "Hessian spectral density at step 3")
    }

    @Test("an unknown analysis id is an error naming the file, the ids there and the fix, for every figure")
    func unknownAnalysis() throws {
        for kind in [FigureKind.density, .spectrum, .report, .sharpness] {
            do {
                _ = try FigureBuilder.draw(kind, runs: [AnalysedRun.path], options: Self.options(source: .analysis("0009")))
                Issue.record("\(kind): no error for an unknown analysis")
            } catch let error as FigureError {
                #expect(error.reason == .unknownAnalysis(file: AnalysedRun.file, id: "0009", available: ["0000", "0001", "0002"]))
                #expect(error.message == "\(kind.rawValue): \(AnalysedRun.file) has no analysis '0009' "
                    + "(analyses: 0000 at step 6, 0001 at step 3, 0002 at step 6); name one of those with --analysis "
                    + "(curv-inspect \(AnalysedRun.file) lists their settings), or leave out --analysis to draw the most accurate source at each step")
            }
        }
        var o = Self.options(at: [3], source: .analysis("0002"))
        #expect(throws: FigureError.self) { try FigureBuilder.draw(.density, runs: [AnalysedRun.path], options: o) }
        o = Self.options(source: .analysis("0002")); o.operator = .preconditioned
        do {
            _ = try FigureBuilder.draw(.density, runs: [AnalysedRun.path], options: o)
            Issue.record("no error for --operator preconditioned with a Hessian analysis")
        } catch let error as FigureError {
            #expect(error.reason == .analysisMismatch(file: AnalysedRun.file, id: "0002"))
        }
    }

    @Test("the rule: Lanczos steps, then probes, then precision, then the newer")
    func ordering() {
        func source(_ m: Int, _ probes: Int, _ precision: String, order: Int) -> SpectrumSource {
            SpectrumSource(file: "r.h5", step: 0, operator: .hessian, origin: order == 0 ? .recorded : .analysis(id: "\(order)"),
                           probes: probes, lanczosSteps: m, precision: precision, rebuilt: false, order: order)
        }
        let better = SourceChoice.isMoreAccurate
        #expect(better(source(40, 2, "f32", order: 0), source(3, 200, "f64", order: 5)))
        #expect(better(source(40, 10, "f32", order: 1), source(40, 4, "f64", order: 2)))
        #expect(better(source(40, 4, "f64", order: 1), source(40, 4, "f32", order: 2)))
        #expect(better(source(40, 4, "f32", order: 1), source(40, 4, "", order: 2)))
        #expect(better(source(40, 4, "f64", order: 2), source(40, 4, "f64", order: 1)))
        #expect(!better(source(40, 4, "f64", order: 1), source(40, 4, "f64", order: 1)))
    }

    @Test("curv-plot prints the source it drew, honours --analysis and --source, and rejects an unknown id")
    func commandLine() throws {
        let plot = builtExecutable("curv-plot")
        let out = try temporaryDirectory().appendingPathComponent("density.png").path
        let good = try AnalysedRun.analysis("0000").analysis

        let best = try runProcess(plot, ["density", AnalysedRun.path, "--at", "6", "--out", out])
        #expect(best.status == 0, "stderr: \(best.stderr)")
        #expect(best.stdout.hasPrefix("\(AnalysedRun.file) step 6 hessian: analysis 0000: 2 probes × 40 Lanczos steps, f64; "
            + "λ_max = \(String(format: "%.6g", good.topEigenvalues[0]))"), "stdout: \(best.stdout)")
        #expect(best.stdout.hasSuffix("\(out)\n"))

        let named = try runProcess(plot, ["density", AnalysedRun.path, "--analysis", "0002", "--out", out, "--size", "640x400"])
        #expect(named.status == 0 && named.stdout.contains("analysis 0002: 8 probes × 3 Lanczos steps"), "\(named)")
        let recorded = try runProcess(plot, ["spectrum", AnalysedRun.path, "--source", "recorded", "--out", out])
        #expect(recorded.status == 0 && recorded.stdout.components(separatedBy: "recorded spectrum:").count == 4, "\(recorded)")
        let quiet = try runProcess(plot, ["density", AnalysedRun.path, "--out", out, "--quiet"])
        #expect(quiet.status == 0 && quiet.stdout.isEmpty)

        try? FileManager.default.removeItem(atPath: out)
        let unknown = try runProcess(plot, ["density", AnalysedRun.path, "--analysis", "0009", "--out", out])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.hasPrefix("curv-plot: density: \(AnalysedRun.file) has no analysis '0009' (analyses: 0000 at step 6"),
                "stderr: \(unknown.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let both = try runProcess(plot, ["density", AnalysedRun.path, "--analysis", "0000", "--source", "recorded", "--out", out])
        #expect(both.status == 64 && both.stderr.contains("exclusive"), "\(both)")
    }
}
