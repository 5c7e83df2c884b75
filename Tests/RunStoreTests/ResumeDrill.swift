// curv-record --resume after kills at random moments (and after Ctrl-C): the resumed run must equal
// the uninterrupted reference run bit for bit in everything training decides (losses, learning
// rates, test metrics, norms, checkpoints with optimizer state and running statistics, spectra,
// spike events), and its sharpness within the tracker's tolerance (the tracker restarts cold). A
// resume killed in turn must leave the file exactly as it was, and a second resume must finish.
//
// Rounds: CURV_RESUME_KILL_ROUNDS (default 3 here; scripts/kill-drill runs more).

import Foundation
import RunStore
import Testing

let resumeRounds = Int(ProcessInfo.processInfo.environment["CURV_RESUME_KILL_ROUNDS"] ?? "") ?? 3

/// Adam with warmup on minibatches of a CNN with BatchNorm (running statistics, a shuffled sampler,
/// a preconditioned tracker), test metrics, spectra and a checkpoint every 10 steps.
let resumeDrillConfig = """
    name = "resume-drill"
    steps = 160
    seed = 5
    [data]
    source = "digits"
    subset = 96
    test_fraction = 0.25
    [model]
    kind = "cnn"
    channels = [4]
    batch_norm = true
    [optimizer]
    kind = "adam"
    lr = 0.01
    [schedule]
    warmup_steps = 20
    [training]
    batch_size = 16
    [record]
    sharpness_every = 4
    sharpness_tolerance = 0.001
    test_every = 8
    hessian_examples = 32
    spectrum_at = [30, 90, 150]
    spectrum_probes = 2
    spectrum_lanczos = 8
    checkpoint_every = 10
    spike_factor = 1.3
    """

/// Where a resumed run may differ from the uninterrupted one: the cold-started trackers' columns.
func isTrackerColumn(_ name: String) -> Bool {
    name.hasPrefix("sharpness") || name.hasPrefix("preconditioned_") || name.hasPrefix("block_sharpness")
}

/// Differences between a resumed run and the reference, by the guarantee above.
func resumeProblems(_ resumed: RunSnapshot, _ reference: RunSnapshot, tolerance: Double) -> [String] {
    var found: [String] = []
    if resumed.checkpoints.keys.sorted() != reference.checkpoints.keys.sorted() { found.append("checkpoint steps differ") }
    for (step, checkpoint) in reference.checkpoints where resumed.checkpoints[step] != checkpoint { found.append("checkpoint \(step) differs") }
    if Set(resumed.spectra.keys) != Set(reference.spectra.keys) { found.append("spectrum keys differ") }
    for (key, spectrum) in reference.spectra where resumed.spectra[key] != spectrum { found.append("spectrum \(key) differs") }
    if resumed.metrics.steps != reference.metrics.steps { found.append("metric steps differ") }
    for name in Set(reference.metrics.names).union(resumed.metrics.names) {
        let mine = resumed.metrics.columns[name] ?? [], theirs = reference.metrics.columns[name] ?? []
        if name == "sharpness" || name == "preconditioned_sharpness" {
            let close = mine.count == theirs.count && zip(mine, theirs).allSatisfy { a, b in
                (a.isNaN && b.isNaN) || abs(a - b) <= 2 * tolerance * max(abs(a), abs(b))
            }
            if !close { found.append("\(name) differs by more than twice the tracker's tolerance") }
        } else if !isTrackerColumn(name) && !sameDoubles(mine, theirs) {
            found.append("metric \(name) differs")
        }
    }
    let kept = { (e: RunEvent) in !e.kind.hasPrefix("threshold_crossing") }
    if resumed.events.filter(kept) != reference.events.filter(kept) { found.append("events other than crossings differ") }
    return found
}

@Suite("curv-record --resume", .serialized)
struct ResumeDrillTests {
    @Test("a recording killed at a random moment, or stopped by Ctrl-C, resumes to the uninterrupted run; a killed resume leaves the file as it was")
    func resumesToTheUninterruptedRun() throws {
        let record = drilledTool("curv-record")
        let scratch = ScratchDirectory("resume")
        defer { scratch.cleanUp() }
        let config = scratch.path("drill.toml")
        try resumeDrillConfig.replacingOccurrences(of: "source = \"digits\"", with: "source = \"digits\"\npath = \"\(packageRoot().appendingPathComponent("fixtures/digits").path)\"")
            .write(toFile: config, atomically: true, encoding: .utf8)
        let referencePath = scratch.path("reference.h5")
        let complete = try runToEnd(record, [config, "--out", referencePath, "--quiet"])
        try #require(complete.status == 0, "the reference recording failed: \(complete.stderr)")
        let reference = try RunSnapshot(referencePath)
        #expect(reference.events.contains { $0.kind == "loss_spike" }, "the drill run should have spikes to compare")
        var generator = SplitMix64(seed: UInt64(Date().timeIntervalSince1970 * 1000))
        var tally = (resumed: 0, fromCheckpoint: [Int](), resumesKilled: 0)
        for round in 0..<resumeRounds {
            let path = scratch.path("run\(round).h5")
            // Kill at a random moment over the run (round 0: a Ctrl-C, which ends after the step's records).
            if round == 0 {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: record)
                process.arguments = [config, "--out", path, "--quiet"]
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                usleep(useconds_t(complete.seconds * 0.5 * 1e6))
                kill(process.processIdentifier, SIGINT)
                process.waitUntilExit()
                #expect(process.terminationStatus == 130 || process.terminationStatus == 0)
            } else {
                _ = try runAndKill(record, [config, "--out", path, "--quiet"],
                                   at: KillMoment(delay: Double(generator.next() % 1000) / 1000 * complete.seconds))
            }
            guard FileManager.default.fileExists(atPath: path) else { continue }   // killed before the header was in place
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            if let last = try? RunReader.open(path), try last.checkpointSteps().isEmpty {
                last.close()
                continue   // killed before the first checkpoint: nothing to resume from (said by the tool)
            }
            // Every other round, the resume itself is killed first: the file must be untouched.
            if round % 2 == 1 {
                let killed = try runAndKill(record, ["--resume", path, "--quiet"], at: KillMoment(delay: Double(generator.next() % 1000) / 1000 * complete.seconds))
                if killed.killed {
                    tally.resumesKilled += 1
                    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "round \(round): a killed resume changed the file")
                }
            }
            let resumed = try runToEnd(record, ["--resume", path, "--quiet"])
            if resumed.status != 0 && resumed.stderr.contains("complete") { continue }   // the run had finished before the kill
            #expect(resumed.status == 0, "round \(round): \(resumed.stderr)")
            guard resumed.status == 0 else { continue }
            let problems = resumeProblems(try RunSnapshot(path), reference, tolerance: 0.001)
            #expect(problems.isEmpty, "round \(round): \(problems)\(problems.isEmpty ? "" : keepForInspection(path, "resume"))")
            tally.resumed += 1
        }
        print("resume drill: \(tally.resumed) of \(resumeRounds) rounds resumed and compared, \(tally.resumesKilled) resumes killed first")
        #expect(tally.resumed >= 1, "no round produced a file to resume")
    }

    @Test("refusals: a complete run, a diverged run, a run without checkpoints, analyses at or after the checkpoint, other arguments")
    func refusals() throws {
        let record = drilledTool("curv-record")
        let scratch = ScratchDirectory("resume-refusals")
        defer { scratch.cleanUp() }
        func recorded(_ name: String, _ toml: String) throws -> String {
            let config = scratch.path("\(name).toml"), path = scratch.path("\(name).h5")
            try toml.write(toFile: config, atomically: true, encoding: .utf8)
            let result = try runToEnd(record, [config, "--out", path, "--quiet"])
            try #require(result.status == 0, "\(name): \(result.stderr)")
            return path
        }
        let base = "steps = 6\ndtype = \"f64\"\n[data]\nsource = \"gaussian_mixture\"\ncount = 40\ndimension = 3\n[model]\nhidden = [4]\n"
        let complete = try recorded("complete", base + "[record]\ncheckpoint_every = 2\n")
        let diverged = try recorded("diverged", base + "[optimizer]\nlr = 400.0\n[record]\ncheckpoint_every = 2\ndivergence_factor = 1.5\n")
        for (path, fragment) in [(complete, "the run is complete"), (diverged, "diverged at step")] {
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            let result = try runToEnd(record, ["--resume", path])
            #expect(result.status == 1 && result.stderr.contains(path) && result.stderr.contains(fragment), "\(result.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        }
        // Interrupted (Ctrl-C) runs: without checkpoints there is nothing to resume from; with an analysis
        // of the last checkpoint, resuming would record that checkpoint again under it.
        func interrupted(_ name: String, _ record: String) throws -> String {
            let config = scratch.path("\(name).toml"), path = scratch.path("\(name).h5")
            try (base.replacingOccurrences(of: "steps = 6", with: "steps = 400000") + record).write(toFile: config, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: drilledTool("curv-record"))
            process.arguments = [config, "--out", path, "--quiet"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            while !FileManager.default.fileExists(atPath: path) { usleep(20_000) }
            usleep(400_000)
            kill(process.processIdentifier, SIGINT)
            process.waitUntilExit()
            return path
        }
        let bare = try interrupted("bare", "[record]\nsharpness_every = 0\n")
        let noCheckpoint = try runToEnd(record, ["--resume", bare])
        #expect(noCheckpoint.status == 1 && noCheckpoint.stderr.contains("no checkpoint") && noCheckpoint.stderr.contains("checkpoint_every"), "\(noCheckpoint.stderr)")
        let analysed = try interrupted("analysed", "[record]\nsharpness_every = 0\ncheckpoint_every = 50\n")
        let last = try #require(try RunReader.open(analysed).checkpointSteps().last)
        let density = try runToEnd(drilledTool("curv-density"), [analysed, "--at", String(last), "--probes", "1", "--lanczos", "3", "--top", "1", "--bottom", "0"])
        try #require(density.status == 0, "\(density.stderr)")
        let before = try Data(contentsOf: URL(fileURLWithPath: analysed))
        let refused = try runToEnd(record, ["--resume", analysed])
        #expect(refused.status == 1 && refused.stderr.contains("analyses 0000") && refused.stderr.contains("unchanged"), "\(refused.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: analysed)) == before)

        let usage = try runToEnd(record, ["--resume", complete, "--out", scratch.path("x.h5")])
        #expect(usage.status == 64 && usage.stderr.contains("--resume RUN.h5"), "\(usage.stderr)")
        let missing = try runToEnd(record, ["--resume", scratch.path("nope.h5")])
        #expect(missing.status == 1 && missing.stderr.contains("nope.h5"), "\(missing.stderr)")
    }
}
