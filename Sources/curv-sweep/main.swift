// curv-sweep SWEEP.toml --out DIR [--jobs N] [--set KEY=VALUE ...] [--dry-run] [--quiet]
// Records one run per point of a grid (a base config, keys crossed over lists of values) into a
// folder with an index of the points and their outcomes. See docs/sweeps.md.
import ArgumentParser
import CAllocator
import Foundation
import MessagePassing
import RunStore
import Sweep
import ToolSupport
import Training

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curv-sweep",
        abstract: "Record a grid of training runs (one config, keys crossed over lists of values) into a folder.",
        discussion: """
        Each point is recorded by its own curv-record into DIR/runs/, several at once; DIR/index.json and \
        DIR/index.csv list the points, their status and outcome (diverged, stalled, spiky, stable) and numbers. Run it \
        again to resume: finished points are kept, the others recorded. Ctrl-C lets the running points close, \
        keeps every finished one and exits 130. Draw the grid with curv-plot grid DIR --out GRID.png.

        Under mpirun -np N the points are dealt out to the N ranks (--jobs at a time on each; DIR on a file \
        system every rank sees); rank 0 writes the index and the summary. See docs/scaling.md.

        \(ExitStatus.help)
        """,
        version: RunFormat.software)

    @Argument(help: "The sweep file (TOML); docs/sweeps.md describes it.")
    var sweep: String

    @Option(name: .long, help: "The sweep folder (created; an existing sweep folder is resumed).")
    var out: String

    @Option(name: .long, parsing: .unconditional, help: "Points recorded at once (by each rank under mpirun; default: the sweep file's jobs, else one per core).")
    var jobs: Int?

    @Option(name: .customLong("set"), help: ArgumentHelp(
        "Set a config key for every point, after the sweep file's [set] (repeatable): --set steps=20. Not a swept key. Points get new names (their configs differ).",
        valueName: "KEY=VALUE"))
    var settings: [String] = []

    @Flag(name: .long, help: "Check every point's config and list the points; record nothing.")
    var dryRun = false

    @Flag(name: .long, help: "No line per point (the final summary is still printed).")
    var quiet = false

    func validate() throws {
        if let jobs, !(1...256).contains(jobs) { throw ValidationError("--jobs must be from 1 to 256; got \(jobs)") }
    }

    func run() throws {
        let ranks = Communicator.world
        let plan: SweepPlan
        do {
            plan = try SweepPlan(try SweepSpec.load(sweep).setting(try settings.map(ConfigSetting.init(commandLine:))))
        } catch { failAndExit("curv-sweep", error) }
        if dryRun {
            guard ranks.isRoot else { return }
            for p in plan.points {
                let done = FileManager.default.fileExists(atPath: (out as NSString).appendingPathComponent("runs/\(p.name).h5"))
                print("\(p.caption): \(done ? "done" : "to record") (runs/\(p.name).h5)")
            }
            print("\(plan.points.count) points; every config checked")
            return
        }
        let recorder = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("curv-record").path
        guard FileManager.default.isExecutableFile(atPath: recorder) else {
            failAndExit("curv-sweep", SweepError("\(recorder): curv-record is not beside curv-sweep; build or install the tools together"))
        }
        catchInterrupts([SIGINT, SIGTERM])

        // The cores of this machine are shared by the job's ranks on it.
        var options = SweepRunner.Options(folder: out, jobs: jobs ?? plan.spec.jobs ?? ranks.threadsPerProcess, recorder: recorder)
        options.ranks = ranks
        let quiet = quiet
        options.report = { line in if !quiet { print("curv-sweep: \(line)"); fflush(stdout) } }
        options.shouldStop = { interruptRequested }
        let summary: SweepRunner.Summary
        do { summary = try SweepRunner(plan: plan, options: options).run() } catch { failAndExit("curv-sweep", error) }
        guard ranks.isRoot else {
            if summary.interrupted { throw ExitCode(ExitStatus.interrupted) }
            if !summary.failed.isEmpty { throw ExitCode(ExitStatus.failure) }
            return
        }

        let points = summary.index.points
        let counts = Outcome.allCases.compactMap { o -> String? in
            let n = points.filter { $0.result?.outcome == o }.count
            return n > 0 ? "\(n) \(o.rawValue)" : nil
        }
        let pending = points.filter { $0.status == .pending }.count
        print("\(out): \(points.count) points: \(counts.isEmpty ? "none recorded" : counts.joined(separator: ", "))"
              + (pending > 0 ? ", \(pending) not recorded" : "") + (summary.failed.isEmpty ? "" : ", \(summary.failed.count) failed")
              + String(format: " (%d recorded in %.1f s, %d kept); index %@", summary.recorded, summary.seconds, summary.kept,
                       (out as NSString).appendingPathComponent("index.json")))
        for p in summary.failed { FileHandle.standardError.write(Data("curv-sweep: \(p.name): \(p.message ?? "failed")\n".utf8)) }
        if summary.interrupted {
            FileHandle.standardError.write(Data("curv-sweep: interrupted; the finished points are kept: run the same command again to record the rest\n".utf8))
            throw ExitCode(ExitStatus.interrupted)
        }
        if !summary.failed.isEmpty { throw ExitCode(ExitStatus.failure) }
    }
}

curv_keep_freed_memory()
SweepCommand.mainWithToolErrors()
