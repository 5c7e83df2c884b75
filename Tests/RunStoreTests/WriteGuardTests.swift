// The writing tools' output handling: one writer per run (a lock of our own, whatever HDF5's file
// locking), --overwrite replacing the old file only with a complete one, no tool writing over its
// own input, no step analysed twice in one run, and a full disk ending in a clear error with the
// file valid up to its last complete record.

import Foundation
import RunStore
import Testing

/// A run file written by the library (no tools needed).
private func sampleRun(_ scratch: ScratchDirectory, _ name: String = "run.h5") throws -> String {
    let path = scratch.path(name)
    try SampleRun.write(to: path, Double.self, withAnalysis: false)
    return path
}

@Suite("Write guards")
struct WriteGuardTests {
    @Test("a second writer of a run is refused while the first writes, and a killed writer's lock is broken")
    func oneWriterAtATime() throws {
        let scratch = ScratchDirectory("guard-lock")
        defer { scratch.cleanUp() }
        let path = scratch.path("run.h5")
        let writer = try RunWriter.create(at: path, header: SampleRun.header)
        do {
            _ = try AnalysisWriter.open(path)
            Issue.record("an analysis writer opened a run that is being recorded")
        } catch let error as RunStoreError {
            guard case .locked(let pid, _) = error.kind else { Issue.record("unexpected error \(error)"); return }
            #expect(pid == getpid())
            #expect(error.detail.contains("is writing this run file"))
        }
        #expect(throws: RunStoreError.self) { try RunWriter.create(at: path, header: SampleRun.header, options: .init(overwrite: true)) }
        try writer.close()
        // The lock is gone after close; a lock naming a dead process on this host is stale.
        let lock = scratch.path(".run.h5.lock")
        #expect(!FileManager.default.fileExists(atPath: lock))
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, 255)
        try "pid=999999\nhost=\(String(cString: host))\nboot=\nstart=\ntool=curv-record\n".write(toFile: lock, atomically: true, encoding: .utf8)
        let analyses = try AnalysisWriter.open(path)
        try analyses.append(SampleRun.analysis(step: 10))
        try analyses.close()
        // A lock naming a zombie (a writer that exited and was never reaped: a killed MPI rank
        // in a container without an init that reaps) is stale too: a child of ours that exits
        // stays one until we wait for it.
        var zombie = pid_t()
        var argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { free(argv[0]) }
        try #require(posix_spawn(&zombie, "/bin/true", nil, nil, &argv, environ) == 0)
        var stateLetter = ""
        for _ in 0..<200 {
            let stat = (try? String(contentsOfFile: "/proc/\(zombie)/stat", encoding: .utf8)) ?? ""
            stateLetter = stat.split(separator: ")").last?.split(separator: " ").first.map(String.init) ?? ""
            if stateLetter == "Z" { break }
            usleep(10_000)
        }
        #expect(stateLetter == "Z")
        let stat = try String(contentsOfFile: "/proc/\(zombie)/stat", encoding: .utf8)
        let start = String(stat.split(separator: ")").last!.split(separator: " ")[19])
        try "pid=\(zombie)\nhost=\(String(cString: host))\nboot=\nstart=\(start)\ntool=curv-record\n".write(toFile: lock, atomically: true, encoding: .utf8)
        let again = try AnalysisWriter.open(path)
        try again.close()
        var status: Int32 = 0
        waitpid(zombie, &status, 0)
        // A lock from another host is never guessed at.
        try "pid=1\nhost=elsewhere.example\nboot=\nstart=\ntool=curv-record\n".write(toFile: lock, atomically: true, encoding: .utf8)
        #expect(throws: RunStoreError.self) { try AnalysisWriter.open(path) }
    }

    @Test("with HDF5 file locking off, curv-density is refused on a run being recorded")
    func noAppendDuringRecording() throws {
        let record = builtExecutable("curv-record"), density = builtExecutable("curv-density")
        try #require(FileManager.default.isExecutableFile(atPath: density))
        let scratch = ScratchDirectory("guard-nolock")
        defer { scratch.cleanUp() }
        let config = scratch.path("long.toml")
        try killDrillConfig.replacingOccurrences(of: "steps = 60", with: "steps = 100000").write(toFile: config, atomically: true, encoding: .utf8)
        let path = scratch.path("run.h5")
        setenv("HDF5_USE_FILE_LOCKING", "FALSE", 1)
        defer { unsetenv("HDF5_USE_FILE_LOCKING") }
        let recorder = Process()
        recorder.executableURL = URL(fileURLWithPath: record)
        recorder.arguments = [config, "--out", path, "--quiet"]
        recorder.standardOutput = FileHandle.nullDevice
        recorder.standardError = FileHandle.nullDevice
        try ChildProcesses.spawn { try recorder.run() }
        defer { kill(recorder.processIdentifier, SIGKILL); recorder.waitUntilExit() }
        let deadline = Date().addingTimeInterval(60)
        while (try? RunReader.open(path).checkpointSteps().count) ?? 0 < 2 && Date() < deadline { usleep(50_000) }
        let result = try run(density, [path, "--at", "0", "--probes", "1", "--lanczos", "4", "--grid", "8", "--quiet"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("is writing this run file"), "stderr: \(result.stderr)")
    }

    @Test("two concurrent --overwrite recordings to one path: one is refused, the other's run is whole")
    func concurrentOverwrites() throws {
        let record = builtExecutable("curv-record")
        try #require(FileManager.default.isExecutableFile(atPath: record))
        let scratch = ScratchDirectory("guard-concurrent")
        defer { scratch.cleanUp() }
        let config = scratch.path("longer.toml")
        try killDrillConfig.replacingOccurrences(of: "steps = 60", with: "steps = 400").write(toFile: config, atomically: true, encoding: .utf8)
        let path = try sampleRun(scratch)
        let results = [0, 1].map { _ -> Process in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: record)
            process.arguments = [config, "--out", path, "--overwrite", "--quiet"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try? ChildProcesses.spawn { try process.run() }
            return process
        }
        results.forEach { $0.waitUntilExit() }
        let statuses = results.map(\.terminationStatus).sorted()
        #expect(statuses == [0, 1], "exit statuses \(statuses): exactly one recording may win")
        #expect(try RunReader.open(path).checkpointSteps().count == 13)
    }

    @Test("an interrupted --overwrite recording leaves the old file as it was")
    func interruptedOverwriteKeepsOldFile() throws {
        let record = builtExecutable("curv-record")
        try #require(FileManager.default.isExecutableFile(atPath: record))
        let scratch = ScratchDirectory("guard-interrupt")
        defer { scratch.cleanUp() }
        let config = scratch.path("long.toml")
        try killDrillConfig.replacingOccurrences(of: "steps = 60", with: "steps = 3000").write(toFile: config, atomically: true, encoding: .utf8)
        let path = try sampleRun(scratch)
        let old = try Data(contentsOf: URL(fileURLWithPath: path))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: record)
        process.arguments = [config, "--out", path, "--overwrite", "--quiet"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try ChildProcesses.spawn { try process.run() }
        let partial = scratch.path(".run.h5.partial")
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: partial) && Date() < deadline { usleep(20_000) }
        usleep(300_000)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == old, "the old run was replaced by an incomplete one")
        #expect(!FileManager.default.fileExists(atPath: partial))
    }

    @Test("no tool writes over its own input")
    func inputIsNeverOutput() throws {
        let record = builtExecutable("curv-record"), plot = builtExecutable("curv-plot")
        try #require(FileManager.default.isExecutableFile(atPath: record))
        let scratch = ScratchDirectory("guard-input")
        defer { scratch.cleanUp() }
        let config = scratch.path("cfg.toml")
        try killDrillConfig.write(toFile: config, atomically: true, encoding: .utf8)
        let recorded = try run(record, [config, "--out", config, "--overwrite", "--quiet"])
        #expect(recorded.status == 1)
        #expect(recorded.stderr.contains("input"), "stderr: \(recorded.stderr)")
        #expect(try String(contentsOfFile: config, encoding: .utf8) == killDrillConfig)
        // The library refuses too, also through another spelling of the path.
        #expect(throws: RunStoreError.self) {
            try RunWriter.create(at: scratch.url.path + "/./cfg.toml", header: SampleRun.header, options: .init(overwrite: true, inputs: [config]))
        }
        if FileManager.default.isExecutableFile(atPath: plot) {
            let runPNG = try sampleRun(scratch, "run.png")
            let bytes = try Data(contentsOf: URL(fileURLWithPath: runPNG))
            let drawn = try run(plot, ["loss", runPNG, "--out", runPNG])
            #expect(drawn.status != 0)
            #expect(try Data(contentsOf: URL(fileURLWithPath: runPNG)) == bytes)
            // An existing file that is not a PNG is not replaced unasked.
            let other = scratch.path("notes.png")
            try "my notes".write(toFile: other, atomically: true, encoding: .utf8)
            let second = try sampleRun(scratch, "second.h5")
            #expect(try run(plot, ["loss", second, "--out", other, "--quiet"]).status != 0)
            #expect(try String(contentsOfFile: other, encoding: .utf8) == "my notes")
            #expect(try run(plot, ["loss", second, "--out", other, "--quiet", "--overwrite"]).status == 0)
        }
    }

    @Test("a step listed twice in --at is refused before anything is written")
    func duplicateSteps() throws {
        let density = builtExecutable("curv-density"), record = builtExecutable("curv-record")
        try #require(FileManager.default.isExecutableFile(atPath: density))
        let scratch = ScratchDirectory("guard-twice")
        defer { scratch.cleanUp() }
        let config = scratch.path("tiny.toml")
        try killDrillConfig.write(toFile: config, atomically: true, encoding: .utf8)
        let path = scratch.path("run.h5")
        try #require(try run(record, [config, "--out", path, "--quiet"]).status == 0)
        let result = try run(density, [path, "--at", "10,10", "--probes", "1", "--lanczos", "4", "--grid", "8", "--quiet"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("twice"), "stderr: \(result.stderr)")
        #expect(try RunReader.open(path).analyses().isEmpty)
    }
}

/// Why the full-disk test cannot run here ("" when it can): mounting a tmpfs needs root.
private let fullDiskSkipReason: String = geteuid() != 0 ? "mounting a 2 MiB tmpfs needs root: the full-disk test is skipped"
    : !FileManager.default.isExecutableFile(atPath: "/bin/mount") ? "no /bin/mount: the full-disk test is skipped" : ""

/// Mounts a 2 MiB tmpfs; nil when that fails.
private func mountSmallFileSystem() -> String? {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("curv-full-\(getpid())").path
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    guard let result = try? run("/bin/mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", directory]), result.status == 0 else { return nil }
    return directory
}

@Suite("Full disk", .serialized)
struct FullDiskTests {
    @Test("a full disk ends curv-record and curv-density with a clear error, exit 1, and a valid file",
          .enabled(if: fullDiskSkipReason.isEmpty, Comment(rawValue: fullDiskSkipReason)))
    func fullDisk() throws {
        let directory = try #require(mountSmallFileSystem(), "cannot mount a 2 MiB tmpfs")
        defer {
            _ = try? run("/bin/umount", [directory])
            try? FileManager.default.removeItem(atPath: directory)
        }
        let record = builtExecutable("curv-record"), density = builtExecutable("curv-density")
        try #require(FileManager.default.isExecutableFile(atPath: density))
        let scratch = ScratchDirectory("full-reference")
        defer { scratch.cleanUp() }
        let config = scratch.path("tiny.toml")
        try killDrillConfig.write(toFile: config, atomically: true, encoding: .utf8)
        let referencePath = scratch.path("reference.h5")
        try #require(try runToEnd(record, [config, "--out", referencePath, "--quiet"]).status == 0)
        let reference = try RunSnapshot(referencePath)

        // The run (about 4.4 MB) cannot fit in 2 MiB.
        let path = directory + "/run.h5"
        let recorded = try runToEnd(record, [config, "--out", path, "--quiet"])
        #expect(recorded.status == 1, "curv-record ended with \(recorded.status): \(recorded.stderr)")
        #expect(recorded.stderr.contains("the disk is full"), "stderr: \(recorded.stderr)")
        let snapshot = try RunSnapshot(path)
        #expect(snapshot.problems(asPrefixOf: reference).isEmpty)
        #expect(!snapshot.checkpoints.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: directory + "/.run.h5.lock"))

        // Appending needs room for a copy of the run: the file stays as it was.
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let appended = try runToEnd(density, [path, "--at", "0", "--probes", "1", "--lanczos", "4", "--grid", "8", "--quiet"])
        #expect(appended.status == 1, "curv-density ended with \(appended.status): \(appended.stderr)")
        #expect(appended.stderr.contains("the disk is full"), "stderr: \(appended.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)

        // With room again, the run is still whole and takes appends.
        try FileManager.default.moveItem(atPath: path, toPath: scratch.path("moved.h5"))
        let moved = scratch.path("moved.h5")
        #expect(try runToEnd(density, [moved, "--at", "0", "--probes", "1", "--lanczos", "4", "--grid", "8", "--quiet"]).status == 0)
        #expect(try RunReader.open(moved).analyses().count == 1)
    }
}
