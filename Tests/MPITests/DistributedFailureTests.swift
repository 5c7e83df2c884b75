// A failure on one rank ends every rank with a message naming the rank, and leaves the run file
// as a crash of the one-process tool does: absent, or valid with every record written before.

import Foundation
import RunStore
import Testing
import TestSupport

@Suite("distributed failures (mpirun -np 2)", .serialized)
struct DistributedFailureTests {
    @Test("rank 1 cannot read its config: every rank ends, the message names rank 1 and the file, nothing is written")
    func oneRankFailsAtStart() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try twoChunkConfig.write(to: dir.appendingPathComponent("config.toml"), atomically: true, encoding: .utf8)
        let recorder = builtExecutable("curv-record")
        // Two programs in one job (MPMD): rank 0 is given the config, rank 1 a file that is not there.
        let result = try mpirun(["-np", "1", recorder, "config.toml", "--out", "run.h5", "--quiet", ":",
                                 "-np", "1", recorder, "missing.toml", "--out", "run.h5", "--quiet"], in: dir, timeout: 120)
        #expect(result.status != 0)
        #expect(result.stderr.contains("curv-record: rank 1 of 2: ") && result.stderr.contains("missing.toml"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("run.h5").path))
    }

    @Test("ranks given different configs (another seed) refuse to record: a message on the config, nothing written")
    func ranksDisagree() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try twoChunkConfig.write(to: dir.appendingPathComponent("config.toml"), atomically: true, encoding: .utf8)
        let recorder = builtExecutable("curv-record")
        let result = try mpirun(["-np", "1", recorder, "config.toml", "--out", "run.h5", "--quiet", ":",
                                 "-np", "1", recorder, "config.toml", "--out", "run.h5", "--quiet", "--seed", "4"], in: dir, timeout: 120)
        #expect(result.status != 0)
        #expect(result.stderr.contains("do not have the same config and data set"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("run.h5").path))
    }

    /// Rounds of the kill drill below: CURV_MPI_KILL_ROUNDS (1 here; scripts/kill-drill runs ROUNDS/20).
    static let killRounds = Int(ProcessInfo.processInfo.environment["CURV_MPI_KILL_ROUNDS"] ?? "") ?? 1

    @Test("a rank killed in the middle of a recording (rank 1, then rank 0, in turn; at random moments): every rank ends, the run file is valid and its rows are the uninterrupted run's")
    func rankKilledMidRun() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let long = twoChunkConfig.replacingOccurrences(of: "steps = 30", with: "steps = 100000")
            .replacingOccurrences(of: "checkpoint_at = [0, 30]", with: "checkpoint_every = 50")
            .replacingOccurrences(of: "spectrum_at = [30]", with: "spectrum_at = [0]")
        try long.write(to: dir.appendingPathComponent("config.toml"), atomically: true, encoding: .utf8)
        // The uninterrupted run's first 300 steps (two ranks equal one process bit for bit here).
        let made = try alone("curv-record", ["config.toml", "--out", "reference.h5", "--steps", "300", "--quiet", "--live-every", "0"], in: dir)
        #expect(made.status == 0, "\(made.stderr)")
        let reference = try RunNumbers(dir.appendingPathComponent("reference.h5").path)
        var generator = SystemRandomNumberGenerator()
        var rows = [Int]()
        for round in 0..<Self.killRounds {
            let run = dir.appendingPathComponent("run.h5")
            try? FileManager.default.removeItem(at: run)
            let launcher = Process()
            launcher.executableURL = URL(fileURLWithPath: "/usr/bin/mpirun")
            launcher.arguments = ["--oversubscribe", "--mca", "btl_vader_single_copy_mechanism", "none"] + (getuid() == 0 ? ["--allow-run-as-root"] : [])
                + ["-np", "2", builtExecutable("curv-record"), "config.toml", "--out", "run.h5", "--quiet", "--live-every", "0"]
            launcher.currentDirectoryURL = dir
            launcher.standardOutput = FileHandle.nullDevice
            launcher.standardError = FileHandle.nullDevice
            try startChild(launcher)
            defer { if launcher.isRunning { kill(launcher.processIdentifier, SIGKILL) } }
            let rank = round % 2 == 0 ? 1 : 0
            var victim: pid_t? = nil
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                victim = recorderRank(rank, in: dir)
                if victim != nil && FileManager.default.fileExists(atPath: run.path) { break }
                Thread.sleep(forTimeInterval: 0.02)
            }
            let pid = try #require(victim, "round \(round): rank \(rank) of the recording was not found")
            Thread.sleep(forTimeInterval: Double.random(in: 0...2, using: &generator))
            kill(pid, SIGKILL)
            let ended = Date().addingTimeInterval(60)
            while launcher.isRunning && Date() < ended { Thread.sleep(forTimeInterval: 0.05) }
            #expect(!launcher.isRunning, "round \(round): mpirun did not end within 60 s of rank \(rank)'s death")
            #expect(launcher.isRunning || launcher.terminationStatus != 0)
            #expect(recorderRank(1 - rank, in: dir) == nil, "round \(round): rank \(1 - rank) outlived rank \(rank)")
            // Valid, and every row written before the kill is the uninterrupted run's (a kill
            // before the first row leaves a file with none).
            let numbers = try RunNumbers(run.path)
            let steps = numbers.arrays["metrics/step"] ?? []
            #expect(steps == (0..<steps.count).map(Double.init), "round \(round): metric rows \(steps.prefix(5))...")
            let compared = min(steps.count, 300)
            for name in ["metrics/loss", "metrics/grad_norm", "metrics/sharpness"] {
                let (mine, theirs) = (Array((numbers.arrays[name] ?? []).prefix(compared)), Array((reference.arrays[name] ?? []).prefix(compared)))
                #expect(mine.count == theirs.count && zip(mine, theirs).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) },
                        "round \(round): \(name) differs from the uninterrupted run in its first \(compared) rows")
            }
            rows.append(steps.count)
        }
        print("mpi kill drill: \(Self.killRounds) rounds (rank 1 and rank 0 in turn), rows kept \(rows.min() ?? 0)-\(rows.max() ?? 0), every file valid and a prefix of the uninterrupted run")
    }

    /// The pid of rank `rank`'s curv-record working in `dir`, if running.
    func recorderRank(_ rank: Int, in dir: URL) -> pid_t? {
        let processes = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in processes {
            guard let pid = Int32(entry),
                  let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd"),
                  URL(fileURLWithPath: cwd).resolvingSymlinksInPath().path == dir.resolvingSymlinksInPath().path,
                  let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ"),
                  let command = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                  String(decoding: command, as: UTF8.self).contains("curv-record") else { continue }
            let variables = String(decoding: environ, as: UTF8.self).split(separator: "\0")
            if variables.contains("OMPI_COMM_WORLD_RANK=\(rank)") { return pid }
        }
        return nil
    }
}

@Suite("distributed resume (mpirun -np 2)", .serialized)
struct DistributedResumeTests {
    @Test("a recording killed after a checkpoint, resumed under two ranks, ends as the uninterrupted run (training bit for bit)")
    func resumeUnderTwoRanks() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = twoChunkConfig.replacingOccurrences(of: "steps = 30", with: "steps = 400")
            .replacingOccurrences(of: "checkpoint_at = [0, 30]", with: "checkpoint_every = 50")
            .replacingOccurrences(of: "spectrum_at = [30]", with: "spectrum_at = [400]")
        try config.write(to: dir.appendingPathComponent("config.toml"), atomically: true, encoding: .utf8)
        let reference = try alone("curv-record", ["config.toml", "--out", "reference.h5", "--quiet", "--live-every", "0"], in: dir)
        #expect(reference.status == 0, "\(reference.stderr)")
        // The same run, killed once its live view shows step 120 (so the checkpoint at 100 is in the file).
        let recorder = Process()
        recorder.executableURL = URL(fileURLWithPath: builtExecutable("curv-record"))
        recorder.arguments = ["config.toml", "--out", "run.h5", "--quiet", "--live-every", "0.1"]
        recorder.currentDirectoryURL = dir
        recorder.standardOutput = FileHandle.nullDevice
        recorder.standardError = FileHandle.nullDevice
        try startChild(recorder)
        let live = dir.appendingPathComponent("run.live.h5").path
        let deadline = Date().addingTimeInterval(120)
        while recorder.isRunning && Date() < deadline {
            if let rows = try? RunNumbers(live).arrays["metrics/step"], (rows.last ?? 0) >= 120 { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(recorder.processIdentifier, SIGKILL)
        recorder.waitUntilExit()
        let killedAt = try #require(try RunNumbers(dir.appendingPathComponent("run.h5").path).arrays["metrics/step"]?.last)
        #expect(killedAt >= 100 && killedAt < 400, "killed at step \(killedAt)")
        let resumed = try mpirun(2, "curv-record", ["--resume", "run.h5", "--quiet"], in: dir)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.components(separatedBy: "resumed from the checkpoint at step").count == 2, "\(resumed.stdout)")
        let a = try RunNumbers(dir.appendingPathComponent("reference.h5").path), b = try RunNumbers(dir.appendingPathComponent("run.h5").path)
        for name in ["metrics/step", "metrics/loss", "metrics/grad_norm", "metrics/test_loss", "checkpoints/400/weights/dense0.weight",
                     "checkpoints/400/optimizer/velocity/dense2.bias"] {
            let (x, y) = (try #require(a.arrays[name], "\(name)"), try #require(b.arrays[name], "\(name)"))
            #expect(x.count == y.count && zip(x, y).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }, "\(name)")
        }
    }
}

@Suite("distributed analysis refusals (mpirun -np 2)", .serialized)
struct DistributedAnalysisRefusalTests {
    @Test("curv-density ranks that read different run files (other weights at the same path) refuse, and the file is unchanged")
    func ranksReadDifferentFiles() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try twoChunkConfig.write(to: dir.appendingPathComponent("config.toml"), atomically: true, encoding: .utf8)
        for (name, seed) in [("a.h5", "3"), ("b.h5", "4")] {
            let made = try alone("curv-record", ["config.toml", "--out", name, "--seed", seed, "--quiet", "--live-every", "0"], in: dir)
            #expect(made.status == 0, "\(made.stderr)")
        }
        let before = try Data(contentsOf: dir.appendingPathComponent("a.h5"))
        let density = builtExecutable("curv-density")
        let analysis = ["--at", "30", "--probes", "2", "--lanczos", "5", "--quiet"]
        // As if rank 1's machine held another run at the path rank 0 writes.
        let result = try mpirun(["-np", "1", density, "a.h5"] + analysis + [":", "-np", "1", density, "b.h5"] + analysis, in: dir, timeout: 120)
        #expect(result.status != 0)
        #expect(result.stderr.contains("read different run files"), "\(result.stderr)")
        #expect(try Data(contentsOf: dir.appendingPathComponent("a.h5")) == before)
    }
}
