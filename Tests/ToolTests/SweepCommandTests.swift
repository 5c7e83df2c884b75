// curv-sweep and curv-plot grid end to end: the recorded points against their configs, outcomes
// against each run's own losses and events, resuming, Ctrl-C, kills, failures, concurrency.

import Foundation
import RunStore
import Sweep
import Testing
import TestSupport

@Suite("curv-sweep and curv-plot grid", .serialized)
struct SweepCommandTests {
    /// A 2 x 2 grid with all three outcomes: lr 0.5 is stable under either loss; lr 30 spikes under
    /// cross-entropy and diverges at once under the squared error.
    static let outcomeGrid = """
        base = "base.toml"
        [[axis]]
        key = "optimizer.lr"
        values = [0.5, 30.0]
        [[axis]]
        key = "model.loss"
        values = ["cross_entropy", "mse"]
        """

    /// A folder holding base.toml and sweep.toml.
    func folder(_ sweep: String, base: String = sweepBase) throws -> URL {
        let dir = try temporaryDirectory()
        try base.write(to: dir.appendingPathComponent("base.toml"), atomically: true, encoding: .utf8)
        try sweep.write(to: dir.appendingPathComponent("sweep.toml"), atomically: true, encoding: .utf8)
        return dir
    }

    func index(_ dir: URL, _ out: String = "out") throws -> SweepIndex { try SweepIndex.read(folder: dir.appendingPathComponent(out).path) }

    /// The run file's loss column and event kinds.
    func losses(_ path: String) throws -> (loss: [Double], events: [RunEvent], lr: Double) {
        let reader = try RunReader.open(path)
        defer { reader.close() }
        let json = try #require(try reader.configJSON())
        let config = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let lr = try #require((config["optimizer"] as? [String: Any])?["lr"] as? Double)
        return (try reader.metrics()["loss"], try reader.events(), lr)
    }

    /// Every file under the sweep folder's runs/ (name -> bytes).
    func runFiles(_ dir: URL, _ out: String = "out") -> [String: Data] {
        let runs = dir.appendingPathComponent(out).appendingPathComponent("runs")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: runs.path)) ?? []
        return Dictionary(uniqueKeysWithValues: names.filter { $0.hasSuffix(".h5") }.map { ($0, FileManager.default.contents(atPath: runs.appendingPathComponent($0).path)!) })
    }

    @Test("a 2 x 2 sweep: each run has its point's values; outcomes follow the runs' own losses; the grid is drawn")
    func outcomes() throws {
        let dir = try folder(Self.outcomeGrid)
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try tool("curv-sweep", ["sweep.toml", "--out", "out", "--jobs", "2"], in: dir)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("4 points: 1 diverged, 1 spiky, 2 stable"), "\(result.stdout)")
        let index = try index(dir)
        #expect(index.points.count == 4 && index.points.allSatisfy { $0.status == .done })
        for p in index.points {
            let run = dir.appendingPathComponent("out").appendingPathComponent(p.run).path
            let (loss, events, lr) = try losses(run)
            #expect(lr == [0.5, 30.0][p.coordinates[0]], "\(p.name)")
            let reader = try RunReader.open(run)
            let toml = try reader.configTOML()
            reader.close()
            #expect(toml.contains("loss = \"\(["cross_entropy", "mse"][p.coordinates[1]])\""), "\(p.name)")
            // The outcome by its documented definition, from the losses: the recorder's divergence
            // event (loss above 100 x its first value, or not finite), then a final loss above 0.9 x
            // the first (stalled), then a loss above 2 x the one before (spiky).
            let diverged = events.contains { $0.kind == "divergence" } || loss.contains { !$0.isFinite }
            let stalled = loss.last! > 0.9 * loss.first!
            let spiked = zip(loss.dropFirst(), loss).contains { $0.isFinite && $0 > 2 * $1 }
            let expected: Outcome = diverged ? .diverged : (stalled ? .stalled : (spiked ? .spiky : .stable))
            let r = try #require(p.result)
            #expect(r.outcome == expected, "\(p.name): \(r)")
            #expect(r.finalLoss == loss.last.flatMap { $0.isFinite ? $0 : nil } && r.initialLoss == loss.first)
            if diverged { #expect(r.divergenceStep == events.first { $0.kind == "divergence" }?.step) }
        }
        #expect(index.points.map { $0.result!.outcome } == [.stable, .stable, .spiky, .diverged])

        // index.json's names are those docs/sweeps.md gives (snake case).
        let raw = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("out/index.json"))) as? [String: Any])
        let points = try #require(raw["points"] as? [[String: Any]])
        let stored = try #require(points[0]["result"] as? [String: Any])
        #expect(Set(stored.keys).isSuperset(of: ["outcome", "initial_loss", "final_loss", "initial_lambda_max", "max_lr_lambda",
                                                 "max_threshold_ratio", "spikes", "last_step", "tracked_operator"]), "\(stored.keys)")

        // index.csv: a header and a row per point.
        let csv = try String(contentsOf: dir.appendingPathComponent("out/index.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 5 && csv[0].hasPrefix("optimizer.lr,model.loss,status,outcome,initial_loss,final_loss"))

        for color in ["outcome", "final_loss", "max_threshold_ratio", "first_crossing"] {
            let png = dir.appendingPathComponent("grid-\(color).png").path
            let plot = try tool("curv-plot", ["grid", "out", "--out", png, "--color", color], in: dir)
            #expect(plot.status == 0, "\(plot)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: png)).starts(with: [0x89, 0x50, 0x4E, 0x47]))
        }
        let swapped = try tool("curv-plot", ["grid", "out", "--out", "swapped.png", "--x", "loss", "--y", "lr"], in: dir)
        #expect(swapped.status == 0, "\(swapped)")
        let bad = try tool("curv-plot", ["grid", "out", "--out", "bad.png", "--x", "momentum"], in: dir)
        #expect(bad.status == 1 && bad.stderr.contains("no such axis") && bad.stderr.contains("optimizer.lr, model.loss"), "\(bad)")
        let notGrid = try tool("curv-plot", ["loss", "out/\(index.points[0].run)", "--out", "l.png", "--color", "outcome"], in: dir)
        #expect(notGrid.status == 64 && notGrid.stderr.contains("--color is an option of the grid figure"), "\(notGrid)")
        let noFolder = try tool("curv-plot", ["grid", "nowhere", "--out", "g.png"], in: dir)
        #expect(noFolder.status == 1 && noFolder.stderr.contains("nowhere/index.json: no sweep index"), "\(noFolder)")
    }

    @Test("resuming keeps every finished run byte for byte; a longer axis records only the new points")
    func resume() throws {
        let dir = try folder(Self.outcomeGrid)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try tool("curv-sweep", ["sweep.toml", "--out", "out"], in: dir).status == 0)
        let first = runFiles(dir)
        let again = try tool("curv-sweep", ["sweep.toml", "--out", "out"], in: dir)
        #expect(again.status == 0 && again.stdout.contains("4 already done, 0 to record"), "\(again)")
        #expect(runFiles(dir) == first)
        try Self.outcomeGrid.replacingOccurrences(of: "[0.5, 30.0]", with: "[0.5, 2.0, 30.0]")
            .write(to: dir.appendingPathComponent("sweep.toml"), atomically: true, encoding: .utf8)
        let longer = try tool("curv-sweep", ["sweep.toml", "--out", "out"], in: dir)
        #expect(longer.status == 0 && longer.stdout.contains("4 already done, 2 to record"), "\(longer)")
        let now = runFiles(dir)
        #expect(now.count == 6 && first.allSatisfy { now[$0.key] == $0.value })
        #expect(try index(dir).points.map(\.coordinates) == [[0, 0], [0, 1], [1, 0], [1, 1], [2, 0], [2, 1]])
    }

    /// A sweep whose points each take a few seconds (2000 steps).
    static let slowGrid = """
        base = "base.toml"
        [set]
        steps = 2000
        [[axis]]
        key = "optimizer.lr"
        values = [0.3, 0.5, 0.7, 0.9]
        """

    /// Starts curv-sweep in `dir`, waits until `done` points are recorded, sends `signal` to it alone.
    func interrupt(_ dir: URL, after done: Int, signal: Int32, jobs: Int = 2) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: builtExecutable("curv-sweep"))
        process.arguments = ["sweep.toml", "--out", "out", "--jobs", String(jobs), "--quiet"]
        process.currentDirectoryURL = dir
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try startChild(process)
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, process.isRunning {
            if let i = try? index(dir), i.points.filter({ $0.status == .done }).count >= done { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    @Test("Ctrl-C keeps the finished points and leaves no partial file; resumed, the sweep equals one never interrupted")
    func interrupted() throws {
        let dir = try folder(Self.slowGrid)
        defer { try? FileManager.default.removeItem(at: dir) }
        let status = try interrupt(dir, after: 1, signal: SIGINT)
        #expect(status == 130)
        let stopped = try index(dir)
        let done = stopped.points.filter { $0.status == .done }
        #expect(!done.isEmpty && done.count < 4, "\(stopped.points.map(\.status))")
        #expect(stopped.points.allSatisfy { $0.status != .failed })
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out/runs").path)
        #expect(!files.contains { $0.contains("partial") }, "\(files)")
        #expect(Set(files.filter { $0.hasSuffix(".h5") }) == Set(done.map { ($0.run as NSString).lastPathComponent }))
        let kept = runFiles(dir)

        let resumed = try tool("curv-sweep", ["sweep.toml", "--out", "out"], in: dir, timeout: 300)
        #expect(resumed.status == 0 && resumed.stdout.contains("\(done.count) already done"), "\(resumed)")
        let after = runFiles(dir)
        #expect(kept.allSatisfy { after[$0.key] == $0.value })

        // The same sweep uninterrupted, one point at a time: the same losses bit for bit.
        let straight = try tool("curv-sweep", ["sweep.toml", "--out", "straight", "--jobs", "1"], in: dir, timeout: 300)
        #expect(straight.status == 0, "\(straight)")
        for p in try index(dir).points {
            let a = try losses(dir.appendingPathComponent("out").appendingPathComponent(p.run).path)
            let b = try losses(dir.appendingPathComponent("straight").appendingPathComponent(p.run).path)
            #expect(a.loss.map(\.bitPattern) == b.loss.map(\.bitPattern), "\(p.name)")
            #expect(a.loss.count == 2001)
        }
    }

    @Test("killed outright (SIGKILL), a sweep leaves partial files that the next run removes and records again")
    func killed() throws {
        let dir = try folder(Self.slowGrid)
        defer { try? FileManager.default.removeItem(at: dir) }
        let status = try interrupt(dir, after: 1, signal: SIGKILL)
        #expect(status == 137)
        // Its curv-record children were not killed with it; let them finish or be killed.
        Thread.sleep(forTimeInterval: 0.2)
        _ = try? runProcess("/usr/bin/pkill", ["-f", dir.appendingPathComponent("out").path])
        Thread.sleep(forTimeInterval: 0.5)
        let resumed = try tool("curv-sweep", ["sweep.toml", "--out", "out"], in: dir, timeout: 300)
        #expect(resumed.status == 0, "\(resumed)")
        let index = try index(dir)
        #expect(index.points.allSatisfy { $0.status == .done })
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out/runs").path)
        #expect(!files.contains { $0.contains("partial") }, "\(files)")
        for p in index.points {
            let (loss, _, _) = try losses(dir.appendingPathComponent("out").appendingPathComponent(p.run).path)
            #expect(loss.count == 2001, "\(p.name)")
        }
    }

    @Test("a point that fails is reported with the recorder's reason, the others are recorded, and the next run retries it")
    func failedPoint() throws {
        let dir = try folder("""
            base = "base.toml"
            [[axis]]
            name = "data"
            values = [{ "data.source" = "gaussian_mixture" }, { "data.source" = "csv", "data.path" = "absent.csv", "data.label_column" = 0 }]
            labels = ["mixture", "missing csv"]
            """)
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try tool("curv-sweep", ["sweep.toml", "--out", "out"], in: dir)
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("absent.csv"), "\(result.stderr)")
        let index = try index(dir)
        #expect(index.points[0].status == .done && index.points[1].status == .failed)
        #expect(index.points[1].message?.contains("absent.csv") == true && index.points[1].message?.contains(".log") == true)
        let again = try tool("curv-sweep", ["sweep.toml", "--out", "out"], in: dir)
        #expect(again.status == 1 && again.stdout.contains("1 already done, 1 to record"), "\(again)")
    }

    @Test("bad input: a bad sweep file creates nothing; a folder of other files is refused and left as it was")
    func refusals() throws {
        let dir = try folder("base = \"base.toml\"\n[[axis]]\nkey = \"optimizer.lr\"\nvalues = [0.1, -2]\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = try tool("curv-sweep", ["sweep.toml", "--out", "out"], in: dir)
        #expect(bad.status == 1 && bad.stderr.contains("sweep.toml (point lr=-2)") && bad.stderr.contains("optimizer.lr"), "\(bad)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))

        try "base = \"base.toml\"\n[[axis]]\nkey = \"optimizer.lr\"\nvalues = [0.1]\n".write(to: dir.appendingPathComponent("sweep.toml"), atomically: true, encoding: .utf8)
        let other = dir.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try "notes".write(to: other.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let before = tree(other)
        let refused = try tool("curv-sweep", ["sweep.toml", "--out", "other"], in: dir)
        #expect(refused.status == 1 && refused.stderr.contains("holds other files"), "\(refused)")
        #expect(changes(before, tree(other)).isEmpty)
        let usage = try tool("curv-sweep", ["sweep.toml", "--out", "out", "--jobs", "0"], in: dir)
        #expect(usage.status == 64, "\(usage)")
    }

    @Test("curv-plot grid refuses a damaged index with a message naming it, and writes nothing",
          arguments: [
              ("{ not json", "not a sweep index"),
              ("{\"format\": \"curvature-sweep 1\", \"sweep\": \"s\", \"base\": \"b\", \"axes\": [], \"points\": []}", "1 to 10000 points"),
              ("{\"format\": \"curvature-sweep 1\", \"sweep\": \"s\", \"base\": \"b\", \"axes\": [{\"name\": \"a\", \"labels\": [\"1\"]}, {\"name\": \"b\", \"labels\": [\"1\"]}], \"points\": [{\"name\": \"p\", \"coordinates\": [0, 5], \"values\": {}, \"status\": \"done\", \"run\": \"r\", \"config\": \"c\", \"log\": \"l\"}]}", "outside the axes"),
              ("{\"format\": \"curvature-sweep 9\", \"sweep\": \"s\", \"base\": \"b\", \"axes\": [], \"points\": []}", "format 'curvature-sweep 9'"),
              ("{\"format\": \"curvature-sweep 1\", \"sweep\": \"s\", \"base\": \"b\", \"axes\": [{\"name\": \"a\", \"labels\": [\"1\"]}], \"points\": [{\"name\": \"p\", \"coordinates\": [0], \"values\": {}, \"status\": \"done\", \"run\": \"r\", \"config\": \"c\", \"log\": \"l\"}]}", ""),
          ])
    func damagedIndex(_ json: String, _ expected: String) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("out"), withIntermediateDirectories: true)
        try json.write(to: dir.appendingPathComponent("out/index.json"), atomically: true, encoding: .utf8)
        let result = try tool("curv-plot", ["grid", "out", "--out", "g.png"], in: dir)
        if expected.isEmpty {
            // A done point without its result is drawn as failed, not trusted.
            #expect(result.status == 0, "\(result)")
        } else {
            #expect(result.status == 1 && result.stderr.contains("out/index.json") && result.stderr.contains(expected), "\(result)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("g.png").path))
        }
    }
}

/// The sweep kill drill: curv-sweep stopped at random moments, by SIGKILL or SIGINT, again and
/// again in the same folder until it completes. After every stop: index.json (when present)
/// decodes and lists only points whose run file exists as done; every run file in runs/ is
/// complete (all 1001 loss rows) and equals, loss for loss, the same point of an uninterrupted
/// sweep. CURV_SWEEP_KILL_ROUNDS stops (default 6; scripts/kill-drill runs 200).
@Suite("curv-sweep kill drill", .serialized)
struct SweepKillDrillTests {
    static let grid = """
        base = "base.toml"
        [set]
        steps = 1000
        "record.sharpness_every" = 50
        [[axis]]
        key = "optimizer.lr"
        values = [0.2, 0.5, 1.0, 2.0, 5.0, 30.0]
        """

    @Test("stopped at random moments, a sweep never leaves a half-written run or an index that lies")
    func drill() throws {
        let rounds = Int(ProcessInfo.processInfo.environment["CURV_SWEEP_KILL_ROUNDS"] ?? "") ?? 6
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try sweepBase.write(to: dir.appendingPathComponent("base.toml"), atomically: true, encoding: .utf8)
        try Self.grid.write(to: dir.appendingPathComponent("sweep.toml"), atomically: true, encoding: .utf8)
        let straight = try tool("curv-sweep", ["sweep.toml", "--out", "reference", "--jobs", "1", "--quiet"], in: dir, timeout: 300)
        #expect(straight.status == 0, "\(straight)")
        let reference = try SweepIndex.read(folder: dir.appendingPathComponent("reference").path)
        var losses: [String: [UInt64]] = [:]
        for p in reference.points { losses[p.name] = try Self.losses(dir.appendingPathComponent("reference").appendingPathComponent(p.run).path) }

        var rng = SystemRandomNumberGenerator()
        var stops = 0, folder = 0, completed = 0, kept = 0
        while stops < rounds {
            let out = "drill\(folder)"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: builtExecutable("curv-sweep"))
            process.arguments = ["sweep.toml", "--out", out, "--jobs", "2", "--quiet"]
            process.currentDirectoryURL = dir
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try startChild(process)
            Thread.sleep(forTimeInterval: Double.random(in: 0...1.5, using: &rng))
            let signal = Bool.random(using: &rng) ? SIGKILL : SIGINT
            let finishedFirst = !process.isRunning
            if !finishedFirst { kill(process.processIdentifier, signal) }
            process.waitUntilExit()
            // Recorders orphaned by a SIGKILL are stopped too before the next round.
            _ = try? runProcess("/usr/bin/pkill", ["-KILL", "-f", dir.appendingPathComponent(out).path])
            Thread.sleep(forTimeInterval: 0.1)
            if !finishedFirst { stops += 1 }
            let folderURL = dir.appendingPathComponent(out)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folderURL.appendingPathComponent("runs").path)) ?? []
            let runs = files.filter { $0.hasSuffix(".h5") && !$0.hasSuffix(".partial.h5") }
            for run in runs {
                let point = try #require(reference.points.first { ($0.run as NSString).lastPathComponent == run }, "\(run) is no point of the sweep")
                let got = try Self.losses(folderURL.appendingPathComponent("runs").appendingPathComponent(run).path)
                #expect(got == losses[point.name], "round \(stops): \(run) differs from the uninterrupted sweep's")
            }
            if FileManager.default.fileExists(atPath: folderURL.appendingPathComponent("index.json").path) {
                let index = try SweepIndex.read(folder: folderURL.path)
                for p in index.points where p.status == .done {
                    #expect(runs.contains((p.run as NSString).lastPathComponent), "round \(stops): the index says \(p.name) is done, its run file is missing")
                }
                if index.points.allSatisfy({ $0.status == .done }) && runs.count == reference.points.count {
                    completed += 1
                    folder += 1
                }
            }
            kept += runs.count
        }
        print("kill drill curv-sweep: \(stops) stops, \(completed) sweeps completed across them, \(kept) run files checked against the uninterrupted sweep")
    }

    static func losses(_ path: String) throws -> [UInt64] {
        let reader = try RunReader.open(path)
        defer { reader.close() }
        let loss = try reader.metrics()["loss"]
        #expect(loss.count == 1001, "\(path): \(loss.count) loss rows of 1001")
        return loss.map(\.bitPattern)
    }
}
