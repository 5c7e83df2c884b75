// The SIGKILL crash test: a child (curv-store-crash-writer) writes records in a loop, printing a
// line after each record returns; the parent kills it with SIGKILL at a random moment, then
// reopens the file and checks that every acknowledged record is intact, many times over.

import Foundation
import RunStore
import Testing

/// The crash writer's deterministic record contents (keep in step with
/// Sources/curv-store-crash-writer/main.swift).
private enum Expected {
    static func values(_ i: Int, _ salt: Int, count: Int) -> [Float] {
        (0..<count).map { Float(sin(Double(i) * 0.37 + Double(salt) + Double($0) * 0.001)) }
    }

    static func check(checkpoint: Checkpoint<Float>, i: Int) -> Bool {
        checkpoint.step == i && checkpoint.learningRate == 0.01 * Double(i)
            && checkpoint.weights.map(\.name) == ["b0", "w0"]
            && checkpoint.weights[1].values == values(i, 0, count: 64 * 80) && checkpoint.weights[1].shape == [64, 80]
            && checkpoint.weights[0].values == values(i, 1, count: 80)
            && checkpoint.gradients[1].values == values(i, 2, count: 64 * 80)
            && checkpoint.gradients[0].values == values(i, 3, count: 80)
            && checkpoint.optimizer.kind == "momentum" && checkpoint.optimizer.stepCount == i
            && checkpoint.optimizer.hyperparameters == ["momentum": 0.9]
            && checkpoint.optimizer.slots["momentum"]?.first?.values == values(i, 4, count: 64 * 80)
    }

    static func check(spectrum: Spectrum, i: Int) -> Bool {
        spectrum.eigenvalues == [Double(i), 1] && spectrum.residuals == [1e-6, 1e-5]
            && spectrum.alpha == (0..<3).map { p in (0..<8).map { Double(i * 100 + p * 10 + $0) } }
            && spectrum.beta == (0..<3).map { p in (0..<7).map { Double(i * 100 + p * 10 + $0) + 0.5 } }
            && spectrum.seed == UInt64(i) && spectrum.probeKind == "rademacher"
    }
}

/// What the child acknowledged before it died.
private struct Acknowledged {
    var created = false
    var metrics: [Int] = []
    var checkpoints: [Int] = []
    var spectra: [Int] = []
    var events: [Int] = []

    init(output: String) {
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard let word = parts.first else { continue }
            let number = parts.count > 1 ? Int(parts[1]) : nil
            switch (word, number) {
            case ("created", _): created = true
            case ("metrics", let i?): metrics.append(i)
            case ("checkpoint", let i?): checkpoints.append(i)
            case ("spectrum", let i?): spectra.append(i)
            case ("event", let i?): events.append(i)
            default: break
            }
        }
    }
}

/// Checks the file against what was acknowledged; returns problems found (empty when intact).
private func problems(in path: String, acknowledged: Acknowledged) -> [String] {
    guard FileManager.default.fileExists(atPath: path) else {
        return acknowledged.created ? ["file missing although creation was acknowledged"] : []
    }
    let reader: RunReader
    do { reader = try RunReader.open(path) } catch { return ["reopen failed: \(error)"] }
    defer { reader.close() }
    var found: [String] = []
    do {
        let metrics = try reader.metrics()
        for i in acknowledged.metrics {
            guard i < metrics.steps.count, metrics.steps[i] == i, metrics["loss"][i] == 1 / Double(i + 1),
                  metrics["lr"][i] == 0.1 + Double(i % 5) else {
                found.append("metrics row \(i) missing or wrong (\(metrics.steps.count) rows)")
                break
            }
        }
        for i in acknowledged.checkpoints {
            let checkpoint = try reader.checkpoint(at: i, as: Float.self)
            if !Expected.check(checkpoint: checkpoint, i: i) { found.append("checkpoint \(i) differs") }
        }
        for i in acknowledged.spectra {
            if !Expected.check(spectrum: try reader.spectrum(at: i, operator: .hessian), i: i) {
                found.append("spectrum \(i) differs")
            }
        }
        // Records written but not acknowledged may show, but only whole: every listed one must check.
        for i in try reader.checkpointSteps() where !acknowledged.checkpoints.contains(i) {
            if !Expected.check(checkpoint: try reader.checkpoint(at: i, as: Float.self), i: i) { found.append("unacknowledged checkpoint \(i) is listed but differs") }
        }
        for key in try reader.spectrumKeys() where !acknowledged.spectra.contains(key.step) {
            if !Expected.check(spectrum: try reader.spectrum(at: key.step, operator: key.operator), i: key.step) {
                found.append("unacknowledged spectrum \(key.step) is listed but differs")
            }
        }
        let events = try reader.events()
        for (index, i) in acknowledged.events.enumerated() {
            guard index < events.count, events[index] == RunEvent(step: i, kind: "loss_spike", detail: "event number \(i) ✓") else {
                found.append("event \(i) missing or wrong")
                break
            }
        }
    } catch {
        found.append("read failed: \(error)")
    }
    return found
}

@Suite("Crash safety")
struct CrashSafetyTests {
    @Test("a writer killed with SIGKILL at random moments leaves every acknowledged record intact")
    func sigkillDrill() throws {
        let writer = builtExecutable("curv-store-crash-writer")
        try #require(FileManager.default.isExecutableFile(atPath: writer), "build curv-store-crash-writer first: \(writer)")
        let scratch = ScratchDirectory("crash")
        defer { scratch.cleanUp() }
        var generator = SplitMix64(seed: UInt64(Date().timeIntervalSince1970))
        let rounds = Int(ProcessInfo.processInfo.environment["CURV_CRASH_ROUNDS"] ?? "") ?? 30
        var totals = (metrics: 0, checkpoints: 0, spectra: 0, events: 0, unacknowledgedCreate: 0)
        let started = Date()
        for round in 0..<rounds {
            let path = scratch.path("run-\(round).h5")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: writer)
            process.arguments = [path]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try ChildProcesses.spawn { try process.run() }
            // Kill anywhere from start-up to well into the loop.
            usleep(UInt32.random(in: 5_000...400_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal, "round \(round): the writer ended before the kill")

            let acknowledged = Acknowledged(output: text)
            var found = problems(in: path, acknowledged: acknowledged)
            if found.isEmpty && FileManager.default.fileExists(atPath: path) {
                // A later write must not change what the file shows (no reuse of a half-written
                // record's storage), and must get past the lock the killed writer left.
                do {
                    let writer = try AnalysisWriter.open(path)
                    try writer.append(SampleRun.analysis(step: 1))
                    try writer.close()
                    found += problems(in: path, acknowledged: acknowledged)
                    if try RunReader.open(path).analyses().count != 1 { found.append("the appended analysis does not read back") }
                } catch {
                    found.append("appending after the kill failed: \(error)")
                }
            }
            var kept = ""
            if !found.isEmpty {
                // Keep the damaged file and the writer's acknowledgements for inspection.
                let keep = FileManager.default.temporaryDirectory.appendingPathComponent("curv-crash-kept-\(UUID().uuidString.prefix(8))")
                try? FileManager.default.createDirectory(at: keep, withIntermediateDirectories: true)
                try? FileManager.default.copyItem(atPath: path, toPath: keep.appendingPathComponent("run.h5").path)
                try? text.write(to: keep.appendingPathComponent("acknowledged.txt"), atomically: true, encoding: .utf8)
                kept = " (file kept in \(keep.path))"
            }
            #expect(found.isEmpty, "round \(round): \(found.joined(separator: "; "))\(kept)")
            totals.metrics += acknowledged.metrics.count
            totals.checkpoints += acknowledged.checkpoints.count
            totals.spectra += acknowledged.spectra.count
            totals.events += acknowledged.events.count
            if !acknowledged.created { totals.unacknowledgedCreate += 1 }
        }
        print("crash drill: \(rounds) kills in \(String(format: "%.1f", Date().timeIntervalSince(started))) s; verified \(totals.metrics) metric rows, \(totals.checkpoints) checkpoints, \(totals.spectra) spectra, \(totals.events) events; \(totals.unacknowledgedCreate) kills before creation was acknowledged")
        #expect(totals.checkpoints > 0, "no checkpoint was acknowledged in any round: the drill tested nothing")
    }
}

@Suite("Killed files")
struct KilledFileTests {
    /// fixtures/runs/killed-linking-first-spectrum.h5.gz: the crash writer killed while linking
    /// its first spectrum (acknowledged: metrics 0-1, checkpoint 0). /spectra's B-tree points at
    /// a first leaf that never reached the disk, at the file's end-of-allocation.
    @Test("a run killed while linking a group's first member opens, and a later append reuses none of its storage")
    func killedWhileLinkingFirstSpectrum() throws {
        let scratch = ScratchDirectory("killed-first")
        defer { scratch.cleanUp() }
        let path = scratch.path("run.h5")
        let fixture = packageRoot().appendingPathComponent("fixtures/runs/killed-linking-first-spectrum.h5.gz").path
        let unzip = try run("/bin/sh", ["-c", "gzip -dc '\(fixture)' > '\(path)'"])
        try #require(unzip.status == 0, "\(unzip.stderr)")
        let acknowledged = Acknowledged(output: "created\nmetrics 0\ncheckpoint 0\nmetrics 1\n")
        #expect(problems(in: path, acknowledged: acknowledged).isEmpty)
        #expect(try RunReader.open(path).spectrumKeys().isEmpty)
        let writer = try AnalysisWriter.open(path)
        try writer.append(SampleRun.analysis(step: 0))
        try writer.close()
        // The spectrum the kill interrupted was complete (its bytes were flushed before its link):
        // once the append moved the end-of-allocation past the half-written leaf, it may show,
        // and then it must be whole (`problems` checks every listed record).
        #expect(problems(in: path, acknowledged: acknowledged).isEmpty)
        let reader = try RunReader.open(path)
        defer { reader.close() }
        #expect(try reader.spectrumKeys().allSatisfy { $0.step == 1 })
        #expect(try reader.checkpointSteps() == [0])
        #expect(try reader.analyses().map(\.analysis) == [SampleRun.analysis(step: 0)])
    }
}
