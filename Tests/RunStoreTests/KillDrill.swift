// The kill drill on the real writing tools. curv-record and curv-density are killed with SIGKILL at
// random moments spread over their whole run (start-up, every record, every append); after each
// kill the file must open, every record it lists must equal the same record of a complete
// reference run (same config and seed give the same contents), and a later write must not change
// any of them (a half-written record whose storage a later write reused would read as that write).
// An --overwrite recording killed before it ends must leave the old file byte for byte. After
// killed analyses, a rerun must complete with exactly the reference's analyses.
//
// Kills: CURV_KILL_ROUNDS per writer (default 12 here; scripts/kill-drill runs 1000 per writer);
// runs that end before their kill moment do not count.

import Foundation
import RunStore
import Testing

/// Everything a run file shows, for comparing a killed run's file with a complete one.
struct RunSnapshot {
    var checkpoints: [Int: Checkpoint<Float>] = [:]
    var spectra: [String: Spectrum] = [:]
    var metrics = MetricsTable(steps: [], columns: [:])
    var events: [RunEvent] = []
    var analyses: [StoredAnalysis] = []

    init(_ path: String) throws {
        let reader = try RunReader.open(path)
        defer { reader.close() }
        for step in try reader.checkpointSteps() { checkpoints[step] = try reader.checkpoint(at: step, as: Float.self) }
        for key in try reader.spectrumKeys() {
            spectra["\(key.step)/\(key.operator.rawValue)"] = try reader.spectrum(at: key.step, operator: key.operator)
        }
        metrics = try reader.metrics()
        events = try reader.events()
        analyses = try reader.analyses()
        _ = try RunSummary.json(reader)   // what curv-inspect --json prints must build too
    }

    /// Problems with this (killed) file as a prefix of `reference` (the complete run).
    func problems(asPrefixOf reference: RunSnapshot) -> [String] {
        var found: [String] = []
        for (step, checkpoint) in checkpoints where reference.checkpoints[step] != checkpoint {
            found.append("checkpoint \(step) differs from the complete run's")
        }
        for (key, spectrum) in spectra where reference.spectra[key] != spectrum {
            found.append("spectrum \(key) differs from the complete run's")
        }
        let rows = metrics.steps.count
        if rows > reference.metrics.steps.count || Array(reference.metrics.steps.prefix(rows)) != metrics.steps {
            found.append("metric steps are not a prefix of the complete run's")
        } else {
            for name in Set(metrics.names).union(reference.metrics.names) {
                let mine = metrics.columns[name] ?? Array(repeating: .nan, count: rows)
                let theirs = Array((reference.metrics.columns[name] ?? []).prefix(rows))
                if !sameDoubles(mine, theirs) { found.append("metric \(name) differs in its first \(rows) rows") }
            }
        }
        if events.count > reference.events.count || Array(reference.events.prefix(events.count)) != events {
            found.append("events are not a prefix of the complete run's")
        }
        return found
    }
}

func sameDoubles(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
}

/// An analysis with the time of writing left out.
func sameAnalysis(_ a: Analysis, _ b: Analysis) -> Bool {
    a.step == b.step && a.operator == b.operator && a.seed == b.seed && sameDoubles(a.grid, b.grid)
        && sameDoubles(a.density, b.density) && sameDoubles(a.topEigenvalues, b.topEigenvalues)
        && sameDoubles(a.bottomEigenvalues, b.bottomEigenvalues) && a.alpha == b.alpha && a.beta == b.beta
}

/// A small, fast recording: 60 steps, 13 checkpoints, 7 spectra, sharpness every 5 steps.
let killDrillConfig = """
name = "kill-drill"
steps = 60
seed = 3
[data]
source = "gaussian_mixture"
count = 200
dimension = 10
classes = 3
separation = 1.5
[model]
hidden = [32]
activation = "tanh"
[optimizer]
kind = "momentum"
lr = 0.05
[record]
sharpness_every = 5
spectrum_at = [0, 10, 20, 30, 40, 50, 60]
checkpoint_at = [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60]

"""

let killDrillDensityArguments = ["--at", "all", "--probes", "2", "--lanczos", "8", "--grid", "48", "--top", "2", "--bottom", "1",
                                 "--eig-products", "120", "--quiet"]

/// A moment to kill at: `delay` seconds after start, or (with `writes`) `delay` seconds after the
/// `writes`-th change seen to the run file or its directory (a write beginning: the file's size or
/// time changes, or a temporary file appears beside it), which puts kills inside appends.
struct KillMoment {
    var delay: Double
    var writes = 0
    var watched = ""
}

/// A fingerprint of the run file and its hidden companions (size, time, inode of each).
func directoryState(_ path: String) -> [String] {
    let url = URL(fileURLWithPath: path)
    let name = url.lastPathComponent
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)) ?? [])
        .filter { $0 == name || ($0.hasPrefix(".\(name).") && !$0.hasSuffix(".lock")) }.sorted()
    return names.map { entry in
        var info = stat()
        stat(url.deletingLastPathComponent().appendingPathComponent(entry).path, &info)
        return "\(entry) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) \(info.st_ino)"
    }
}

/// Runs `executable` and kills it with SIGKILL at `moment` unless it ended first; returns
/// whether it was killed.
func runAndKill(_ executable: String, _ arguments: [String], at moment: KillMoment) throws -> (killed: Bool, seconds: Double) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    var environment = ProcessInfo.processInfo.environment
    environment["OPENBLAS_NUM_THREADS"] = "1"
    process.environment = environment
    var state = moment.writes > 0 ? directoryState(moment.watched) : []
    let started = Date()
    try ChildProcesses.spawn { try process.run() }
    var seen = 0
    while moment.writes > 0 && seen < moment.writes && process.isRunning {
        let now = directoryState(moment.watched)
        if now != state { seen += 1; state = now }
        usleep(200)
    }
    let deadline = Date().addingTimeInterval(moment.delay)
    while process.isRunning && Date() < deadline { usleep(moment.writes > 0 ? 100 : 1_000) }
    let killed = process.isRunning
    if killed { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    return (killed && process.terminationReason == .uncaughtSignal, Date().timeIntervalSince(started))
}

/// How long a complete run takes, followed as the machine's load changes: kill moments are drawn
/// over [0, estimate], and a run that ends before its kill moment teaches the estimate.
struct DurationEstimate {
    var seconds: Double
    mutating func finished(after elapsed: Double) { seconds = 0.7 * seconds + 0.3 * elapsed }
}

/// Runs `executable` to the end with one BLAS thread (reproducible); returns its exit status and seconds.
func runToEnd(_ executable: String, _ arguments: [String]) throws -> (status: Int32, seconds: Double, stderr: String) {
    let started = Date()
    setenv("OPENBLAS_NUM_THREADS", "1", 1)
    let result = try run(executable, arguments)
    return (result.status, Date().timeIntervalSince(started), result.stderr)
}

/// Copies a failing file aside for inspection and returns a note naming where.
func keepForInspection(_ path: String, _ label: String) -> String {
    let keep = FileManager.default.temporaryDirectory.appendingPathComponent("curv-kill-kept-\(label)-\(UUID().uuidString.prefix(8)).h5")
    try? FileManager.default.copyItem(atPath: path, toPath: keep.path)
    return " (file kept as \(keep.path))"
}

let killRounds = Int(ProcessInfo.processInfo.environment["CURV_KILL_ROUNDS"] ?? "") ?? 12

/// The tool under drill: this build's, or another build's with CURV_DRILL_BIN=DIR (to measure
/// how an older build fares).
func drilledTool(_ name: String) -> String {
    if let directory = ProcessInfo.processInfo.environment["CURV_DRILL_BIN"] { return directory + "/" + name }
    return builtExecutable(name)
}

@Suite("Kill drill", .serialized)
struct KillDrillTests {
    @Test("curv-record killed at any moment leaves the complete run's first records, or with --overwrite the old file")
    func killedRecordings() throws {
        let record = drilledTool("curv-record")
        try #require(FileManager.default.isExecutableFile(atPath: record), "build curv-record first: \(record)")
        let scratch = ScratchDirectory("kill-record")
        defer { scratch.cleanUp() }
        let config = scratch.path("tiny.toml")
        try killDrillConfig.write(toFile: config, atomically: true, encoding: .utf8)
        let referencePath = scratch.path("reference.h5")
        let complete = try runToEnd(record, [config, "--out", referencePath, "--quiet"])
        try #require(complete.status == 0, "the reference recording failed: \(complete.stderr)")
        let reference = try RunSnapshot(referencePath)
        let oldBytes = try Data(contentsOf: URL(fileURLWithPath: referencePath))
        var generator = SplitMix64(seed: UInt64(Date().timeIntervalSince1970 * 1000))
        var tally = (kills: 0, finished: 0, noFile: 0, overwrite: 0, checkpoints: 0, spectra: 0, rows: 0, failures: 0)
        let started = Date()
        var estimate = DurationEstimate(seconds: complete.seconds)
        var round = 0
        // Until `killRounds` runs were killed (runs that end first do not count).
        while tally.kills < killRounds && round < 4 * killRounds {
            defer { round += 1 }
            let path = scratch.path("run-\(round).h5")
            let overwrite = round % 4 == 3
            if overwrite { try oldBytes.write(to: URL(fileURLWithPath: path)) }
            let delay = Double.random(in: 0...estimate.seconds, using: &generator)
            let (killed, elapsed) = try runAndKill(record, [config, "--out", path, "--quiet"] + (overwrite ? ["--overwrite"] : []),
                                                   at: KillMoment(delay: delay))
            if !killed { estimate.finished(after: elapsed) }
            if killed { tally.kills += 1 } else { tally.finished += 1 }
            if overwrite { tally.overwrite += 1 }
            var found: [String] = []
            if !FileManager.default.fileExists(atPath: path) {
                tally.noFile += 1
                if overwrite { found.append("the old file is gone") }
                if !killed { found.append("a finished recording left no file") }
            } else if try overwrite && killed && Data(contentsOf: URL(fileURLWithPath: path)) != oldBytes {
                // Only a complete new run may have replaced it (a kill after the rename, while exiting).
                if let snapshot = try? RunSnapshot(path), snapshot.problems(asPrefixOf: reference).isEmpty,
                   snapshot.checkpoints.count == reference.checkpoints.count, snapshot.metrics.steps.count == reference.metrics.steps.count {
                    tally.checkpoints += snapshot.checkpoints.count
                } else {
                    found.append("a killed --overwrite recording replaced the old file with an incomplete one")
                }
            } else if overwrite && killed {
                tally.checkpoints += 0   // the old file, byte for byte
            } else {
                do {
                    let snapshot = try RunSnapshot(path)
                    found += snapshot.problems(asPrefixOf: reference)
                    if !killed && snapshot.checkpoints.count != reference.checkpoints.count { found.append("a finished recording is incomplete") }
                    tally.checkpoints += snapshot.checkpoints.count
                    tally.spectra += snapshot.spectra.count
                    tally.rows += snapshot.metrics.steps.count
                    // A later write (an analysis, through the stale lock the kill left) must not
                    // change what the file showed: no half-written record's storage is reused.
                    let writer = try AnalysisWriter.open(path)
                    let id = try writer.append(SampleRun.analysis(step: 7))
                    try writer.close()
                    let after = try RunSnapshot(path)
                    found += after.problems(asPrefixOf: reference)
                    if after.checkpoints.keys.sorted() != snapshot.checkpoints.keys.sorted()
                        || after.spectra.keys.sorted() != snapshot.spectra.keys.sorted() {
                        found.append("the records listed changed after an analysis was appended")
                    }
                    if after.analyses.map(\.id) != [id] || after.analyses.first.map({ sameAnalysis($0.analysis, SampleRun.analysis(step: 7)) }) != true {
                        found.append("the appended analysis does not read back as written")
                    }
                } catch {
                    found.append("\(error)")
                }
            }
            if !found.isEmpty {
                tally.failures += 1
                Issue.record("round \(round) (\(killed ? "killed after \(String(format: "%.3f", delay)) s" : "finished")\(overwrite ? ", --overwrite" : "")): \(found.joined(separator: "; "))\(keepForInspection(path, "record"))")
            }
            try? FileManager.default.removeItem(atPath: path)
        }
        print("kill drill curv-record: \(round) rounds in \(String(format: "%.0f", Date().timeIntervalSince(started))) s: \(tally.kills) killed, \(tally.finished) finished first, \(tally.overwrite) with --overwrite, \(tally.noFile) left no file; verified \(tally.checkpoints) checkpoints, \(tally.spectra) spectra, \(tally.rows) metric rows; \(tally.failures) failures")
        #expect(tally.failures == 0)
    }

    @Test("curv-density killed at any moment keeps whole analyses only, and a rerun completes")
    func killedAnalyses() throws {
        let record = drilledTool("curv-record"), density = drilledTool("curv-density")
        try #require(FileManager.default.isExecutableFile(atPath: density), "build curv-density first: \(density)")
        let scratch = ScratchDirectory("kill-density")
        defer { scratch.cleanUp() }
        let config = scratch.path("tiny.toml")
        try killDrillConfig.write(toFile: config, atomically: true, encoding: .utf8)
        let base = scratch.path("base.h5")
        try #require(try runToEnd(record, [config, "--out", base, "--quiet"]).status == 0)
        let recorded = try RunSnapshot(base)
        let referencePath = scratch.path("reference.h5")
        try FileManager.default.copyItem(atPath: base, toPath: referencePath)
        let complete = try runToEnd(density, [referencePath] + killDrillDensityArguments)
        try #require(complete.status == 0, "the reference analysis failed: \(complete.stderr)")
        let reference = Dictionary(uniqueKeysWithValues: try RunSnapshot(referencePath).analyses.map { ($0.analysis.step, $0.analysis) })
        try #require(reference.count == recorded.checkpoints.count)

        let path = scratch.path("run.h5")
        try FileManager.default.copyItem(atPath: base, toPath: path)
        var generator = SplitMix64(seed: UInt64(Date().timeIntervalSince1970 * 1000) ^ 0xD5)
        var tally = (kills: 0, finished: 0, inAppend: 0, analyses: 0, resumes: 0, resets: 0, failures: 0)
        let started = Date()
        let leftover = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(".run.h5.analysis-partial").path
        var estimate = DurationEstimate(seconds: complete.seconds)
        var round = 0
        while tally.kills < killRounds && round < 4 * killRounds {
            defer { round += 1 }
            // Even rounds: any moment of the run. Odd rounds: within 4 ms of a write starting (an append).
            let targeted = round % 2 == 1
            let delay = targeted ? Double.random(in: 0...0.004, using: &generator)
                                 : Double.random(in: 0...estimate.seconds, using: &generator)
            let moment = KillMoment(delay: delay, writes: targeted ? Int.random(in: 1...(2 * reference.count), using: &generator) : 0,
                                    watched: path)
            let (killed, elapsed) = try runAndKill(density, [path] + killDrillDensityArguments, at: moment)
            if !killed && !targeted { estimate.finished(after: elapsed) }
            if killed { tally.kills += 1 } else { tally.finished += 1 }
            if FileManager.default.fileExists(atPath: leftover) { tally.inAppend += 1 }
            var found: [String] = []
            do {
                let snapshot = try RunSnapshot(path)
                found += snapshot.problems(asPrefixOf: recorded)
                if snapshot.checkpoints.count != recorded.checkpoints.count || snapshot.spectra.count != recorded.spectra.count {
                    found.append("recorded data changed")
                }
                var seen = Set<Int>()
                for stored in snapshot.analyses {
                    if !seen.insert(stored.analysis.step).inserted { found.append("step \(stored.analysis.step) analysed twice") }
                    if let expected = reference[stored.analysis.step], !sameAnalysis(stored.analysis, expected) {
                        found.append("analysis \(stored.id) (step \(stored.analysis.step)) differs from the complete run's")
                    }
                }
                tally.analyses += snapshot.analyses.count
                // Every fifth round, and once all steps are in: a rerun must finish the job.
                if round % 5 == 4 || seen.count == reference.count {
                    let rerun = try runToEnd(density, [path] + killDrillDensityArguments)
                    tally.resumes += 1
                    let final = try RunSnapshot(path)
                    if rerun.status != 0 { found.append("the resumed analysis failed: \(rerun.stderr)") }
                    if Set(final.analyses.map(\.analysis.step)) != Set(reference.keys) || final.analyses.count != reference.count
                        || !final.analyses.allSatisfy({ sameAnalysis($0.analysis, reference[$0.analysis.step]!) }) {
                        found.append("the resumed analysis did not end with exactly the complete run's analyses")
                    }
                    try FileManager.default.removeItem(atPath: path)
                    try FileManager.default.copyItem(atPath: base, toPath: path)
                    tally.resets += 1
                }
            } catch {
                found.append("\(error)")
            }
            if !found.isEmpty {
                tally.failures += 1
                Issue.record("round \(round) (\(killed ? "killed after \(String(format: "%.3f", delay)) s" : "finished")): \(found.joined(separator: "; "))\(keepForInspection(path, "density"))")
                try? FileManager.default.removeItem(atPath: path)
                try FileManager.default.copyItem(atPath: base, toPath: path)
            }
        }
        print("kill drill curv-density: \(round) rounds in \(String(format: "%.0f", Date().timeIntervalSince(started))) s: \(tally.kills) killed (\(tally.inAppend) inside an append), \(tally.finished) finished first; \(tally.analyses) analyses verified after kills, \(tally.resumes) resumed runs completed; \(tally.failures) failures")
        #expect(tally.failures == 0)
    }
}
