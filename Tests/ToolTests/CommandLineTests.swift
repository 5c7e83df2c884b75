// The tools' argument checks and messages: negative numbers are values (refused with a reason),
// invalid settings are refused before any work, exit statuses are documented in every --help,
// and file-system failures are reported as what they are, with the user's path.

import Foundation
import RunStore
import Testing

@Suite("Command lines")
struct CommandLineTests {
    @Test("every tool's --help documents the exit statuses", arguments: ["curv-record", "curv-density", "curv-plot", "curv-inspect", "curv-sweep", "curv-import"])
    func exitStatusesInHelp(name: String) throws {
        let help = try tool(name, ["--help"])
        #expect(help.status == 0)
        for fragment in ["Exit status: 0 success", "1 failure", "64 usage error", "130 interrupted"] {
            #expect(help.stdout.contains(fragment), "\(name) --help lacks '\(fragment)'")
        }
    }

    @Test("every tool prints the toolkit's version (the run files' software attribute) with --version", arguments: ["curv-record", "curv-density", "curv-plot", "curv-inspect", "curv-bench", "curv-sweep", "curv-import"])
    func version(name: String) throws {
        let result = try tool(name, ["--version"])
        #expect(result.status == 0 && result.stdout == RunFormat.software + "\n", "\(result)")
    }

    @Test("usage errors use the tools' one error style: 'tool: message', the usage line, exit 64", arguments: ["curv-record", "curv-density", "curv-plot", "curv-inspect", "curv-sweep", "curv-import"])
    func usageErrorStyle(name: String) throws {
        let result = try tool(name, ["run.h5", "--no-such-option"])
        #expect(result.status == 64 && result.stderr.hasPrefix("\(name): ") && result.stderr.contains("\nUsage: \(name) "), "\(result)")
        #expect(!result.stderr.contains("Error: "), "\(result.stderr)")
    }

    @Test("curv-bench --help shows its options without running a benchmark; an unknown option is a usage error with the help")
    func benchHelp() throws {
        let help = try tool("curv-bench", ["--help"], timeout: 20)
        #expect(help.status == 0 && help.stdout.contains("USAGE: curv-bench") && help.stdout.contains("--profile"), "\(help)")
        let bad = try tool("curv-bench", ["--frobnicate"], timeout: 20)
        #expect(bad.status == 64 && bad.stderr.contains("unknown option --frobnicate") && bad.stderr.contains("USAGE: curv-bench"), "\(bad)")
    }

    @Test("negative numbers are values, refused with a reason (not 'Missing value')",
          arguments: [
            ("curv-density", ["run.h5", "--probes", "-5"], "--probes must be positive"),
            ("curv-density", ["run.h5", "--grid", "-1"], "--grid must be positive"),
            ("curv-density", ["run.h5", "--top", "-2"], "--top must be 0 or more"),
            ("curv-density", ["run.h5", "--seed", "-1"], "--seed must be 0 or more"),
            ("curv-density", ["run.h5", "--sigma", "-0.5"], "--sigma must be a positive finite number"),
            ("curv-record", ["c.toml", "--out", "o.h5", "--steps", "-5"], "--steps must be from 0 to 1000000000"),
            ("curv-record", ["c.toml", "--out", "o.h5", "--seed", "-3"], "--seed must be >= 0"),
            ("curv-plot", ["loss", "run.h5", "--out", "o.png", "--scale", "-2"], "--scale must be positive"),
            ("curv-plot", ["density", "run.h5", "--out", "o.png", "--at", "-5"], "--at must be steps"),
          ])
    func negativeValues(name: String, arguments: [String], message: String) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try tool(name, arguments, in: dir)
        #expect(result.status == 64, "\(result)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!result.stderr.contains("Missing value"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test("settings that could only fail after the Hessian products, or exhaust memory, are refused first",
          arguments: [
            (["--sigma", "inf"], "--sigma must be a positive finite number; got inf"),
            (["--sigma", "nan"], "--sigma must be a positive finite number"),
            (["--grid", "2000000000"], "needs about 208 GB of memory"),
            (["--probes", "1000000000"], "needs about 81 TB of memory"),
          ])
    func densityRefusesFirst(arguments: [String], message: String) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try tinyConfig.write(to: dir.appendingPathComponent("c.toml"), atomically: true, encoding: .utf8)
        #expect(try tool("curv-record", ["c.toml", "--out", "run.h5", "--quiet"], in: dir).status == 0)
        let before = tree(dir)
        let result = try tool("curv-density", ["run.h5", "--quiet"] + arguments, in: dir, timeout: 30)
        #expect(result.status == 64, "\(result)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(changes(before, tree(dir)).isEmpty, "files created or changed: \(changes(before, tree(dir)))")
    }

    @Test("--steps below scheduled checkpoints and spectra warns, naming what is dropped")
    func stepsOverrideWarns() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try tinyConfig.write(to: dir.appendingPathComponent("c.toml"), atomically: true, encoding: .utf8)
        let result = try tool("curv-record", ["c.toml", "--out", "run.h5", "--quiet", "--steps", "1"], in: dir)
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("warning: --steps 1: the checkpoint at step 2 is past step 1 and will not be recorded"), "\(result.stderr)")
        #expect(result.stderr.contains("the spectrum at step 2 is past step 1"), "\(result.stderr)")
        // The stored config lists only what was recorded.
        let inspect = try tool("curv-inspect", ["run.h5", "--json"], in: dir)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any])
        #expect(json["checkpoints"] as? [Int] == [0])
        let record = (json["config"] as? [String: Any])?["record"] as? [String: Any]
        #expect(record?["checkpoint_at"] as? [Int] == [0] && record?["spectrum_at"] as? [Int] == [])
    }

    @Test("an output name of 255 bytes is written (the temporary name stays within NAME_MAX)")
    func longOutputName() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try tinyConfig.write(to: dir.appendingPathComponent("c.toml"), atomically: true, encoding: .utf8)
        let name = String(repeating: "é", count: 100) + String(repeating: "r", count: 52) + ".h5"
        #expect(name.utf8.count == 255)
        let result = try tool("curv-record", ["c.toml", "--out", name, "--quiet"], in: dir)
        #expect(result.status == 0, "\(result)")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)) == ["c.toml", name])
    }

    @Test("a failure to create the output names the user's path and the reason, not the hidden temporary file")
    func missingDirectory() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try tinyConfig.write(to: dir.appendingPathComponent("c.toml"), atomically: true, encoding: .utf8)
        let result = try tool("curv-record", ["c.toml", "--out", "nowhere/run.h5", "--quiet"], in: dir)
        #expect(result.status == 1)
        #expect(result.stderr.contains("nowhere/run.h5: cannot create the file: the directory"), "\(result.stderr)")
        #expect(result.stderr.contains("does not exist"))
        #expect(!result.stderr.contains(".partial"), "\(result.stderr)")
    }

    @Test("permission denied is reported as such, with the path, before any work (run as nobody)")
    func permissionDenied() throws {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { return }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
        try tinyConfig.write(to: dir.appendingPathComponent("c.toml"), atomically: true, encoding: .utf8)
        #expect(try tool("curv-record", ["c.toml", "--out", "run.h5", "--quiet"], in: dir).status == 0)
        let run = dir.appendingPathComponent("run.h5").path
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: run)
        let before = tree(dir)
        let asNobody = ["--reuid", "65534", "--regid", "65534", "--clear-groups"]
        let density = try runProcessAsIs("/usr/bin/setpriv", asNobody + [builtPath("curv-density"), run, "--quiet"])
        #expect(density.status == 1, "\(density)")
        #expect(density.stderr.contains("\(run): permission denied: the file is not writable"), "\(density.stderr)")
        #expect(!density.stderr.contains("damaged or unreadable"))
        let record = try runProcessAsIs("/usr/bin/setpriv", asNobody + [builtPath("curv-record"), dir.appendingPathComponent("c.toml").path,
                                                                         "--out", dir.appendingPathComponent("new.h5").path, "--quiet"])
        #expect(record.status == 1, "\(record)")
        #expect(record.stderr.contains("new.h5: cannot create the file: permission denied"), "\(record.stderr)")
        #expect(changes(before, tree(dir)).isEmpty, "files created or changed: \(changes(before, tree(dir)))")
    }

    @Test("a read-only file system is reported as such, with the path (a private read-only tmpfs)")
    func readOnlyFileSystem() throws {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else { return }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try tinyConfig.write(to: dir.appendingPathComponent("c.toml"), atomically: true, encoding: .utf8)
        #expect(try tool("curv-record", ["c.toml", "--out", "run.h5", "--quiet"], in: dir).status == 0)
        let mount = dir.appendingPathComponent("ro").path
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        let script = """
            mount -t tmpfs tmpfs \(mount) || exit 99
            cp \(dir.path)/run.h5 \(mount)/run.h5 && mount -o remount,ro \(mount) || exit 99
            \(builtPath("curv-density")) \(mount)/run.h5 --quiet; echo "density=$?"
            \(builtPath("curv-record")) \(dir.path)/c.toml --out \(mount)/new.h5 --quiet; echo "record=$?"
            """
        let result = try runProcessAsIs("/usr/bin/unshare", ["-m", "/bin/sh", "-c", script])
        guard result.status != 99 else { return }   // no mount namespaces here
        #expect(result.stdout.contains("density=1") && result.stdout.contains("record=1"), "\(result)")
        #expect(result.stderr.contains("\(mount)/run.h5: the file is on a read-only file system"), "\(result.stderr)")
        #expect(result.stderr.contains("\(mount)/new.h5: cannot create the file: the directory \(mount) is on a read-only file system"), "\(result.stderr)")
        #expect(!result.stderr.contains("damaged or unreadable"))
    }
}
