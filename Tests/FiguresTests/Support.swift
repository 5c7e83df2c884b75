import Foundation
import Plot
import Raster
import RunStore
import Sweep
import Testing
import TestSupport
import Training

/// The repository root, found from this file's location.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("curv-figures-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Records a small config into a temporary run file.
func recordRun(_ config: RunConfig) throws -> String {
    let path = try temporaryDirectory().appendingPathComponent("\(config.name).h5").path
    _ = try Recorder.record(config, options: RecordOptions(outputPath: path, progress: .quiet))
    return path
}

/// Tiny runs shared by the figure tests (recorded once, lazily, thread-safely by Swift's global init).
enum Runs {
    /// Full-batch GD on synthetic Gaussian clusters: 12 steps, sharpness every 3 steps, spectra at 0, 6, 12,
    /// test loss every 4 steps.
    static let gd: String = try! {
        var c = RunConfig()
        c.name = "tiny-gd"; c.steps = 12; c.dtype = "f64"
        c.data.source = .gaussianMixture; c.data.count = 160; c.data.dimension = 8; c.data.classes = 3; c.data.testFraction = 0.25
        c.model.hidden = [12]
        c.optimizer.kind = .sgd; c.optimizer.lr = 0.8
        c.record.testEvery = 4; c.record.sharpnessEvery = 3; c.record.sharpnessLanczos = 10
        c.record.spectrumAt = [0, 6, 12]; c.record.spectrumProbes = 2; c.record.spectrumLanczos = 12
        return try recordRun(c)
    }()

    /// Adam with warmup on the same data: records the preconditioned sharpness.
    static let adam: String = try! recordRun(adamConfig(name: "tiny-adam", lr: 0.01, sharpnessEvery: 3))

    /// Adam with a 4-step warmup over 12 steps on a 3-class Gaussian mixture, MLP 8-12-3.
    static func adamConfig(name: String, lr: Double, sharpnessEvery: Int) -> RunConfig {
        var c = RunConfig()
        c.name = name; c.steps = 12; c.dtype = "f64"
        c.data.source = .gaussianMixture; c.data.count = 160; c.data.dimension = 8; c.data.classes = 3
        c.model.hidden = [12]
        c.optimizer.kind = .adam; c.optimizer.lr = lr
        c.schedule.warmupSteps = 4
        c.record.sharpnessEvery = sharpnessEvery; c.record.sharpnessLanczos = 10
        return c
    }

    /// An MLP 8-12-10-3 with the λ_max of each layer's Hessian block recorded every 2 steps.
    static let blocks: String = try! {
        var c = RunConfig()
        c.name = "tiny-blocks"; c.steps = 12; c.dtype = "f64"
        c.data.source = .gaussianMixture; c.data.count = 160; c.data.dimension = 8; c.data.classes = 3
        c.model.hidden = [12, 10]
        c.optimizer.lr = 0.8
        c.record.sharpnessEvery = 2; c.record.sharpnessLanczos = 30
        c.record.blockSharpnessEvery = 2
        return try recordRun(c)
    }()

    /// A sweep folder's index (no run files: the grid figure reads the index alone): lr 0.1-0.8 x
    /// warmup 0/10, every status and outcome once or more.
    static let sweep: String = try! {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("curv-fig-sweep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let lrs = ["0.1", "0.2", "0.4", "0.8"], warmups = ["0", "10"]
        var points: [SweepIndex.Point] = []
        for (i, lr) in lrs.enumerated() {
            for (j, warmup) in warmups.enumerated() {
                let outcome: Outcome = i < 2 ? (i == 1 && j == 1 ? .stalled : .stable) : (i == 2 ? (j == 0 ? .diverged : .spiky) : .diverged)
                let ratio = Double(i + 1) * 0.55 / Double(j + 1)
                var point = SweepIndex.Point(name: "p\(i)\(j)", coordinates: [i, j], values: ["optimizer.lr": lr, "schedule.warmup_steps": warmup],
                                             status: .done, run: "runs/p\(i)\(j).h5", config: "runs/p\(i)\(j).toml", log: "runs/p\(i)\(j).log")
                point.result = PointResult(outcome: outcome, finalLoss: outcome == .diverged ? 1e4 * Double(i) : 0.1 / Double(i + 1), lastStep: 30, spikes: outcome == .spiky ? 2 : 0,
                                           divergenceStep: outcome == .diverged ? 5 : nil, initialLambdaMax: 8, maxLRLambda: 2 * ratio,
                                           maxThresholdRatio: ratio, firstCrossingStep: ratio > 1 ? 10 * j : nil, trackedOperator: "hessian")
                points.append(point)
            }
        }
        points[7].status = .failed; points[7].result = nil; points[7].message = "curv-record: out of memory"
        points.remove(at: 6)   // never recorded
        let index = SweepIndex(sweep: "fixtures/sweeps/tiny.toml", base: "base.toml",
                               axes: [.init(name: "optimizer.lr", labels: lrs, numbers: [0.1, 0.2, 0.4, 0.8]),
                                      .init(name: "schedule.warmup_steps", labels: warmups, numbers: [0, 10])],
                               points: points)
        try index.write(folder: dir.path)
        return dir.path
    }()

    /// No sharpness, no spectra: what the error messages are about.
    static let bare: String = try! {
        var c = RunConfig()
        c.name = "bare"; c.steps = 3; c.dtype = "f64"
        c.data.source = .gaussianMixture; c.data.count = 60; c.data.dimension = 4; c.data.classes = 2
        c.model.hidden = [4]
        c.record.sharpnessEvery = 0
        return try recordRun(c)
    }()
}

/// The committed runs the figure goldens draw (fixtures/runs/figures, `scripts/make-figure-fixtures`):
/// the same configs as `Runs`, recorded once, so the goldens depend on nothing recorded at test time.
enum FigureRuns {
    static func path(_ name: String) -> String { repositoryRoot.appendingPathComponent("fixtures/runs/figures/\(name).h5").path }
    static let gd = path("gd"), adam = path("adam"), blocks = path("blocks")
}

/// Channel values a figure may differ from its golden by more than 3 levels: text antialiasing
/// between compilers, as for the plot elements. A curve moved by one pixel changes thousands
/// (`FigureTests.oneCurveOnePixel`).
let figureGoldenOutliers = 50

/// Golden comparison for figures (fixtures/plot/figure-*.png); `CURV_REGOLDEN=1` rewrites them.
func checkFigureGolden(_ canvas: Canvas, _ name: String) throws {
    try expectMatchesGolden(canvas, figureGolden(name), allowedOutliers: figureGoldenOutliers)
}

func figureGolden(_ name: String) -> URL { repositoryRoot.appendingPathComponent("fixtures/plot/\(name).png") }

/// No text item leaves the canvas and no two overlap.
func expectCleanText(_ rec: RecordingBackend, name: String) {
    let texts = rec.texts
    for t in texts {
        #expect(t.box.minX >= -0.5 && t.box.maxX <= Double(rec.width) + 0.5 && t.box.minY >= -0.5 && t.box.maxY <= Double(rec.height) + 0.5,
                "\(name): '\(t.text)' at \(t.box) is clipped")
    }
    for (i, a) in texts.enumerated() {
        for b in texts[(i + 1)...] {
            let ra = a.box.insetBy(0.5), rb = b.box.insetBy(0.5)
            let overlap = ra.minX < rb.maxX && rb.minX < ra.maxX && ra.minY < rb.maxY && rb.minY < ra.maxY
            #expect(!overlap, "\(name): '\(a.text)' \(a.box) overlaps '\(b.text)' \(b.box)")
        }
    }
}
