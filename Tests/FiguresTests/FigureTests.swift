import Analysis
import Foundation
import Plot
import Raster
import RunStore
import Sweep
import Training
import Testing
import TestSupport
@testable import Figures

@Suite("Figures from run files")
struct FigureTests {
    static func options(_ at: [Int]? = nil) -> FigureOptions {
        var o = FigureOptions()
        o.width = 640; o.height = 400; o.at = at
        return o
    }

    static let cases: [(FigureKind, [String], [Int]?)] = [
        (.sharpness, [FigureRuns.gd], nil), (.loss, [FigureRuns.gd], nil), (.lr, [FigureRuns.adam], nil),
        (.density, [FigureRuns.gd], [0, 12]), (.spectrum, [FigureRuns.gd], nil), (.report, [FigureRuns.gd], nil),
        (.blocks, [FigureRuns.blocks], nil), (.grid, [Runs.sweep], nil),
    ]

    @Test("the goldens are tight: one curve moved by one pixel fails the comparison")
    func oneCurveOnePixel() throws {
        var figure = try FigureBuilder.make(.sharpness, runs: [FigureRuns.gd], options: Self.options())
        let golden = try RGBAImage(pngFile: figureGolden("figure-sharpness").path)
        #expect(channelDifferences(golden, figure.rasterize().image).over <= figureGoldenOutliers)
        // Hold the axes where they are, then move the λ_max line (a log axis) up by one pixel's worth of data.
        let layout = figure.layouts(measure: figure.record())[0]
        figure.panels[0].xLimits = layout.x.limits
        figure.panels[0].yLimits = layout.y.limits
        #expect(channelDifferences(golden, figure.rasterize().image).over <= figureGoldenOutliers, "holding the limits moved the figure")
        let index = try #require(figure.panels[0].series.firstIndex { $0.label == "λ_max" })
        figure.panels[0].series[index].ys = figure.panels[0].series[index].ys.map { y in
            layout.y.map(y).map { layout.y.value(at: $0 - 1) } ?? y
        }
        let moved = channelDifferences(golden, figure.rasterize().image).over
        #expect(moved > 10 * figureGoldenOutliers, "one curve one pixel up changes only \(moved) channel values")
        print("golden sensitivity: one curve moved by one pixel changes \(moved) channel values (allowed \(figureGoldenOutliers))")
    }

    @Test("each figure kind matches its golden and lays out cleanly", arguments: FigureKind.allCases)
    func golden(kind: FigureKind) throws {
        let c = Self.cases.first { $0.0 == kind }!
        var o = Self.options(c.2)
        if kind == .report { o.width = 960; o.height = 640 }
        let figure = try FigureBuilder.make(kind, runs: c.1, options: o)
        expectCleanText(figure.record(), name: kind.rawValue)
        try checkFigureGolden(figure.rasterize(), "figure-\(kind.rawValue)")
    }

    @Test("grid: a third axis must be held with --where, which picks its slice; metric colours read the results")
    func gridSlices() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("curv-grid3-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // 2 x 2 x 2; a point's final loss encodes its coordinates: 100 a + 10 b + c + 1.
        var points: [SweepIndex.Point] = []
        for a in 0..<2 { for b in 0..<2 { for c in 0..<2 {
            var p = SweepIndex.Point(name: "p\(a)\(b)\(c)", coordinates: [a, b, c], values: [:], status: .done, run: "r", config: "c", log: "l")
            p.result = PointResult(outcome: .stable, finalLoss: Double(100 * a + 10 * b + c + 1), lastStep: 1, spikes: 0, divergenceStep: nil,
                                   initialLambdaMax: nil, maxLRLambda: nil, maxThresholdRatio: nil, firstCrossingStep: nil, trackedOperator: nil)
            points.append(p)
        } } }
        let index = SweepIndex(sweep: "s.toml", base: "b.toml",
                               axes: [.init(name: "optimizer.lr", labels: ["0.1", "0.2"]), .init(name: "schedule.warmup_steps", labels: ["0", "10"]),
                                      .init(name: "seed", labels: ["0", "1"])], points: points)
        try index.write(folder: dir.path)
        var o = FigureOptions()
        o.gridColor = .finalLoss
        #expect(throws: FigureError.self) { try FigureBuilder.make(.grid, runs: [dir.path], options: o) }
        do { _ = try FigureBuilder.make(.grid, runs: [dir.path], options: o) } catch {
            #expect("\(error)".contains("third axis, seed") && "\(error)".contains("--where seed=VALUE"), "\(error)")
        }
        o.gridWhere = ["seed": "1"]
        let figure = try FigureBuilder.make(.grid, runs: [dir.path], options: o)
        let heatmap = try #require(figure.panels[0].heatmap)
        // Row 0 (bottom) is warmup 0: columns lr 0.1, 0.2; seed 1 adds 1.
        #expect(heatmap.values == [2, 102, 12, 112], "\(heatmap.values)")
        #expect(figure.panels[0].subtitle?.contains("seed = 1") == true)
        o.gridWhere = ["seed": "7"]
        do { _ = try FigureBuilder.make(.grid, runs: [dir.path], options: o); Issue.record("accepted seed=7") } catch {
            #expect("\(error)".contains("not a value of seed") && "\(error)".contains("0, 1"), "\(error)")
        }
        o.gridWhere = ["seed": "0"]
        o.gridX = "warmup_steps"
        o.gridY = "lr"
        let swapped = try #require(try FigureBuilder.make(.grid, runs: [dir.path], options: o).panels[0].heatmap)
        #expect(swapped.values == [1, 11, 101, 111], "\(swapped.values)")
    }

    @Test("sharpness: the threshold follows the learning rate; Adam defaults to the preconditioned operator")
    func sharpnessContent() throws {
        let gd = try FigureBuilder.make(.sharpness, runs: [Runs.gd], options: Self.options())
        let series = gd.panels[0].series
        let threshold = try #require(series.first { $0.label == "2/η" })
        #expect(threshold.ys.allSatisfy { abs($0 - 2 / 0.8) < 1e-9 } && threshold.xs.count == 13)
        #expect(gd.panels[0].yScale == .log)
        let adam = try FigureBuilder.make(.sharpness, runs: [Runs.adam], options: Self.options())
        #expect(adam.panels[0].series.contains { $0.label == "preconditioned λ_max" })
        let t = try #require(adam.panels[0].series.first { $0.label == "38/η" })
        #expect(t.ys.count == 13 && t.ys[0] > t.ys[4])   // warmup: lr grows, the threshold falls
        let both = try FigureBuilder.make(.sharpness, runs: [Runs.gd, Runs.adam],
                                          options: { var o = Self.options(); o.operator = .hessian; o.labels = ["gd", "adam"]; return o }())
        #expect(both.panels[0].series.filter { $0.label == "gd" || $0.label == "adam" }.count == 2)
    }

    /// The operator drawn decides the reference line and the crossings marked: an Adam run's
    /// Hessian against GD's 2/η, without the preconditioned operator's crossings (which it records).
    @Test("sharpness of an Adam run's Hessian: 2/η from the learning rate, and only that operator's crossings")
    func adamHessian() throws {
        // Runs.adam with a learning rate at which the preconditioned λ_max crosses 38/η.
        let run = try recordRun(Runs.adamConfig(name: "adam-crossing", lr: 0.3, sharpnessEvery: 1))
        let reader = try RunReader.open(run)
        let events = try reader.events()
        let lr = try reader.metrics().columns["lr"]!
        reader.close()
        let preconditioned = events.filter { $0.kind.hasPrefix("threshold_crossing") }
        #expect(!preconditioned.isEmpty && preconditioned.allSatisfy { $0.detail.hasPrefix("preconditioned lambda_max") && $0.operator == .preconditioned })
        // A GD run's crossings are the Hessian's (lr 4 on Runs.gd's problem crosses 2/η).
        var c = RunConfig()
        c.name = "gd-crossing"; c.steps = 12; c.dtype = "f64"
        c.data.source = .gaussianMixture; c.data.count = 160; c.data.dimension = 8; c.data.classes = 3
        c.model.hidden = [12]
        c.optimizer.lr = 4
        c.record.sharpnessEvery = 1
        let gd = try RunReader.open(try recordRun(c))
        let gdCrossings = try gd.events().filter { $0.kind.hasPrefix("threshold_crossing") }
        gd.close()
        #expect(!gdCrossings.isEmpty && gdCrossings.allSatisfy { $0.operator == .hessian })
        func markers(_ figure: Figure) -> Int {
            figure.panels[0].series.filter { $0.label == "crosses up" || $0.label == "crosses down" }.map(\.xs.count).reduce(0, +)
        }
        var o = Self.options()
        o.operator = .hessian
        let hessian = try FigureBuilder.make(.sharpness, runs: [run], options: o)
        let t = try #require(hessian.panels[0].series.first { $0.label == "2/η (GD's threshold)" })
        #expect(t.ys == lr.map { 2 / $0 })
        #expect(markers(hessian) == 0)
        o.operator = .preconditioned
        #expect(markers(try FigureBuilder.make(.sharpness, runs: [run], options: o)) == preconditioned.count)
    }

    @Test("blocks: recorded columns in model order under the whole network, or curv-density's block analyses; a run with neither is an error naming both ways")
    func blocksSources() throws {
        let recorded = try FigureBuilder.make(.blocks, runs: [Runs.blocks], options: Self.options())
        #expect(recorded.panels[0].yCategories?.map(\.label) == ["dense2", "dense1", "dense0", "whole network"])
        let heatmap = try #require(recorded.panels[0].heatmap)
        #expect(heatmap.columns == 7 && heatmap.rows == 4)   // steps 0, 2, ..., 12

        // From analyses: checkpoints at 0, 4 and 12 (columns every 4 steps; step 8 left white).
        var c = Runs.adamConfig(name: "blocks-analysed", lr: 0.01, sharpnessEvery: 0)
        c.record.checkpointAt = [0, 4, 12]
        let run = try recordRun(c)
        var request = DensityRequest()
        request.probes = 1; request.lanczos = 8; request.top = 1; request.bottom = 0; request.blocks = .tensors
        let outcomes = try DensityAnalysis.run(path: run, request: request, progress: .quiet)
        let analysed = try FigureBuilder.make(.blocks, runs: [run], options: Self.options())
        let map = try #require(analysed.panels[0].heatmap)
        #expect(map.columns == 4 && map.rows == 5)
        #expect(analysed.panels[0].yCategories?.last?.label == "whole network")
        // Top row (row 4): the whole network's λ_max at 0, 4, (8 missing), 12.
        let top = Array(map.values[(4 * 4)..<(5 * 4)])
        #expect(top[0] == outcomes[0].analysis.topEigenvalues[0] && top[2].isNaN && top[3] == outcomes[2].analysis.topEigenvalues[0])
        // Bottom row: the last tensor (dense1.bias) at step 4.
        #expect(map.values[1] == outcomes[1].analysis.blocks.last!.value)

        let error = try #require(throws: FigureError.self) { try FigureBuilder.make(.blocks, runs: [Runs.gd], options: Self.options()) }
        #expect(error.message.contains("record.block_sharpness_every") && error.message.contains("--blocks"))
    }

    @Test("every panel with a step axis counts whole steps (Axes.integerX)")
    func integerSteps() throws {
        for (kind, runs, _) in Self.cases {
            let figure = try FigureBuilder.make(kind, runs: runs, options: Self.options())
            #expect(figure.panels.filter { $0.xLabel == "step" }.allSatisfy { $0.integerX }, "\(kind)")
        }
    }

    @Test("--xlim applies to every panel, --ylim to the main one; a log axis refuses a limit at or below 0; bad values are usage errors")
    func limits() throws {
        var o = Self.options()
        o.xLimits = 2...8
        o.yLimits = 0.5...3
        let loss = try FigureBuilder.make(.loss, runs: [Runs.gd], options: o)
        #expect(loss.panels.count == 2 && loss.panels.allSatisfy { $0.xLimits == 2...8 })
        #expect(loss.panels[0].yLimits == 0.5...3 && loss.panels[1].yLimits != 0.5...3)
        o.yLimits = 0...3
        let error = try #require(throws: FigureError.self) { try FigureBuilder.make(.sharpness, runs: [Runs.gd], options: o) }
        #expect(error.message.contains("--ylim 0.0,3.0 starts at or below 0 on a log axis"), "\(error)")

        let plot = builtExecutable("curv-plot")
        let out = try temporaryDirectory().appendingPathComponent("l.png").path
        for (option, value) in [("--xlim", "8,2"), ("--ylim", "1,nan"), ("--xlim", "3")] {
            let bad = try runProcess(plot, ["loss", Runs.gd, "--out", out, option, value])
            #expect(bad.status == 64 && bad.stderr.contains("\(option) must be two finite numbers LO,HI"), "\(bad)")
        }
        let good = try runProcess(plot, ["loss", Runs.gd, "--out", out, "--xlim", "0,6", "--ylim", "0.1,10", "--quiet"])
        #expect(good.status == 0 && FileManager.default.fileExists(atPath: out), "\(good)")
    }

    @Test("default legends come from the config: name, optimizer, peak lr, warmup")
    func defaultLabels() throws {
        let f = try FigureBuilder.make(.lr, runs: [Runs.gd, Runs.adam], options: Self.options())
        let labels = f.panels[0].series.compactMap(\.label)
        #expect(labels == ["tiny-gd (sgd, η=0.8)", "tiny-adam (adam, η=0.01, warmup 4)"])
    }

    @Test("errors name the figure, the file, the missing data and the setting that records it")
    func errors() throws {
        let bare = (Runs.bare as NSString).lastPathComponent
        func message(_ kind: FigureKind, _ runs: [String], _ o: FigureOptions = FigureTests.options()) -> String {
            do { _ = try FigureBuilder.make(kind, runs: runs, options: o); return "no error" } catch { return "\(error)" }
        }
        #expect(message(.sharpness, [Runs.bare]) == "sharpness: \(bare) has no sharpness metric; set record.sharpness_every > 0 in the config")
        #expect(message(.density, [Runs.bare]).hasPrefix("density: \(bare) has no hessian spectrum or analysis; set record.spectrum_at"))
        #expect(message(.spectrum, [Runs.bare]).hasPrefix("spectrum: \(bare) has no hessian spectrum"))
        #expect(message(.density, [Runs.gd], Self.options([5])).contains("no hessian spectrum or analysis at step 5 (available: 0, 6, 12)"))
        var pre = Self.options(); pre.operator = .preconditioned
        #expect(message(.sharpness, [Runs.gd], pre).contains("has no preconditioned_sharpness metric; it is recorded for adam/adamw runs"))
        var labels = Self.options(); labels.labels = ["a", "b"]
        #expect(message(.loss, [Runs.gd], labels) == "loss: --labels has 2 label(s) for 1 run(s)")
        #expect(message(.report, [Runs.gd, Runs.adam]).hasPrefix("report: draws one run; got 2"))
        #expect(message(.spectrum, [Runs.gd, Runs.gd]).hasPrefix("spectrum: draws one run; got 2"))
        #expect(message(.blocks, [Runs.blocks, Runs.blocks]).hasPrefix("blocks: draws one run; got 2"))
        let missing = message(.loss, ["/nonexistent/run.h5"])
        #expect(missing.hasPrefix("loss: ") && missing.contains("/nonexistent/run.h5"))
    }

    @Test("the report adapts: a constant learning rate goes into the title, missing panels leave no empty cell")
    func reportAdapts() throws {
        // No sharpness, no spectra, constant lr: the loss alone, at the single-panel size.
        let bare = try FigureBuilder.make(.report, runs: [Runs.bare], options: FigureOptions())
        #expect(bare.panels.count == 1 && bare.rows == 1 && bare.columns == 1 && (bare.width, bare.height) == (900, 560))
        #expect(bare.title?.hasSuffix("learning rate constant at 0.01") == true, "\(String(describing: bare.title))")
        expectCleanText(bare.record(), name: "bare report")
        // Constant lr with sharpness and spectra: three panels side by side, no lr panel.
        let gd = try FigureBuilder.make(.report, runs: [Runs.gd], options: FigureOptions())
        #expect(gd.panels.map(\.title) == ["Loss", "Sharpness vs threshold", "Hessian spectral density at step 12"])
        #expect((gd.rows, gd.columns) == (1, 3) && (gd.width, gd.height) == (1500, 520))
        expectCleanText(gd.record(), name: "gd report")
        // A warmup schedule keeps the lr panel (this run has no spectra: three panels).
        let adam = try FigureBuilder.make(.report, runs: [Runs.adam], options: FigureOptions())
        #expect(adam.panels.map(\.title) == ["Loss", "Learning rate", "Sharpness vs threshold"] && (adam.rows, adam.columns) == (1, 3))
        #expect(adam.title?.contains("constant") == false)
        expectCleanText(adam.record(), name: "adam report")
        // --size wins over the adapted default.
        var sized = FigureOptions(); sized.width = 1000; sized.height = 700
        let f = try FigureBuilder.make(.report, runs: [Runs.gd], options: sized)
        #expect((f.width, f.height) == (1000, 700))
    }

    @Test("the spectrum heatmap draws each spectrum at its own step: no column farther than half a band from a recorded step is filled")
    func spectrumBands() throws {
        let f = try FigureBuilder.make(.spectrum, runs: [Runs.gd], options: Self.options())
        let h = try #require(f.panels[0].heatmap)
        let recorded = [0.0, 6, 12]   // Runs.gd's spectrum_at
        let w = (h.x.upperBound - h.x.lowerBound) / Double(h.columns)
        var filled = 0
        for c in 0..<h.columns {
            let x = h.x.lowerBound + (Double(c) + 0.5) * w
            let distance = recorded.map { abs($0 - x) }.min()!
            let column = (0..<h.rows).map { h.values[$0 * h.columns + c] }
            let empty = column.allSatisfy { $0.isNaN }, full = column.allSatisfy { $0.isFinite }
            if distance > 6 * w + 1e-9 { #expect(empty, "column \(c) at step \(x) is filled, \(distance) steps from a spectrum") }
            if distance <= 0.5 * w { #expect(full, "column \(c) at recorded step \(x) is empty") }
            if full { filled += 1 }
        }
        #expect(filled >= 3 * 11 && filled <= 3 * 13, "\(filled) filled columns for 3 spectra of 12")
    }

    @Test("learning rates draw as steps: each step's rate holds until the next step")
    func learningRateSteps() throws {
        let f = try FigureBuilder.make(.lr, runs: [FigureRuns.adam], options: Self.options())
        let series = try #require(f.panels[0].series.first)
        #expect(series.kind == .step && series.xs == (0...12).map(Double.init))
        let report = try FigureBuilder.make(.report, runs: [FigureRuns.adam], options: FigureOptions())
        #expect(report.panels[1].series.first?.kind == .step)
    }

    @Test("a failed write leaves no file behind")
    func noPartialPNG() throws {
        let f = try FigureBuilder.make(.lr, runs: [Runs.gd], options: Self.options())
        let path = "/nonexistent-dir/out.png"
        #expect(throws: (any Error).self) { try f.writePNG(to: path) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
