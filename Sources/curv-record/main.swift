// curv-record CONFIG.toml --out RUN.h5 [--steps N] [--seed N] [--set KEY=VALUE ...] [--overwrite] [--quiet]
// curv-record --resume RUN.h5 [--quiet]
// While recording, RUN.live.h5 (rewritten every --live-every seconds) is what readers open.
// Trains a model from a config file and records the run (metrics, sharpness, spectra,
// checkpoints, events) into one self-contained HDF5 run file. See docs/config.md.
import ArgumentParser
import CAllocator
import Foundation
import MessagePassing
import RunStore
import ToolSupport
import Training

struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curv-record",
        abstract: "Train a model from a config file and record the run into an HDF5 run file.",
        discussion: """
        Ctrl-C finishes the current step's records and closes the file; a diverging run is recorded up to the \
        divergence and ends normally. The config is checked (keys, values, schedules, estimated memory) before \
        any file is created.

        --resume RUN.h5 continues an interrupted recording (Ctrl-C, a kill, a crash) from its last checkpoint: \
        config, data and state come from the file, and the file is replaced only when the resumed recording \
        closes. Training continues bit for bit; sharpness tracking restarts cold (values agree within \
        record.sharpness_tolerance). record.checkpoint_every = K makes a run resumable every K steps.

        \(ExitStatus.help)
        """,
        version: RunFormat.software)

    @Argument(help: "The run config (TOML); docs/config.md lists every key.")
    var config: String?

    @Option(name: .long, help: "The run file to write.")
    var out: String?

    @Option(name: .long, help: ArgumentHelp("Continue the interrupted recording in this run file from its last checkpoint.", valueName: "RUN.h5"))
    var resume: String?

    // Numbers are parsed unconditionally, so "--steps -5" is a negative value (refused with a
    // reason), not a missing one.
    @Option(name: .long, parsing: .unconditional, help: "Override the config's step count (checkpoints and spectra scheduled past it are dropped, with a warning).")
    var steps: Int?

    @Option(name: .long, parsing: .unconditional, help: "Override the config's seed.")
    var seed: Int?

    @Option(name: .customLong("set"), help: ArgumentHelp(
        "Set a config key on top of the file (repeatable): --set optimizer.lr=0.3 --set 'record.checkpoint_at=[0, 100]'. The value is TOML; a bare word is a string.",
        valueName: "KEY=VALUE"))
    var settings: [String] = []

    @Flag(name: .long, help: "Replace an existing run file (it stays whole until the new one is ready).")
    var overwrite = false

    @Flag(name: .long, help: "No progress output (the summary of the recording is still printed).")
    var quiet = false

    @Option(name: .customLong("live-every"), parsing: .unconditional, help: ArgumentHelp(
        "Rewrite the live view RUN.live.h5 (what curv-inspect, curv-plot and h5py read while the run is recorded; removed at the end) every this many seconds; 0 turns it off.",
        valueName: "SECONDS"))
    var liveEvery = 5.0

    func validate() throws {
        guard liveEvery >= 0, liveEvery.isFinite else { throw ValidationError("--live-every must be 0 (off) or a number of seconds; got \(liveEvery)") }
        if resume != nil {
            guard config == nil, out == nil, steps == nil, seed == nil, settings.isEmpty, !overwrite else {
                throw ValidationError("--resume RUN.h5 takes the config, output, steps, seed and settings from the run file; give it alone (with --quiet)")
            }
            return
        }
        guard config != nil else { throw ValidationError("give a config file (or --resume RUN.h5)") }
        guard let out else { throw ValidationError("give --out RUN.h5, the run file to write") }
        if let steps, !(0...RunConfig.maxSteps).contains(steps) {
            throw ValidationError("--steps must be from 0 to \(RunConfig.maxSteps); got \(steps)")
        }
        if let seed, seed < 0 { throw ValidationError("--seed must be >= 0; got \(seed)") }
        if !overwrite && FileManager.default.fileExists(atPath: out) {
            throw ValidationError("\(out) already exists; choose another --out or pass --overwrite")
        }
    }

    func run() throws {
        // Under mpirun: every rank has checked the arguments (and seen no --out file) before rank 0 creates one.
        let ranks = Communicator.world
        ranks.barrier()
        if let resume { return try resumeRun(resume, ranks: ranks) }
        let config = self.config!, out = self.out!
        var runConfig: RunConfig
        do {
            runConfig = try RunConfig.load(config, setting: try settings.map(ConfigSetting.init(commandLine:)))
        } catch { failAndExit("curv-record", error) }
        if let steps {
            let dropped: [String]
            (runConfig, dropped) = runConfig.overridingSteps(steps)
            for sentence in dropped where ranks.isRoot { warn("curv-record", "--steps \(steps): \(sentence)") }
        }
        if let seed { runConfig.seed = seed }
        catchInterrupts(Communicator.launchedByMPI ? [SIGINT, SIGTERM] : [SIGINT])
        var options = RecordOptions(outputPath: out, overwrite: overwrite, progress: quiet ? .quiet : nil,
                                    shouldStop: { interruptRequested })
        options.inputs = [config]
        options.configPath = config
        options.liveViewSeconds = liveEvery
        options.ranks = ranks
        let summary: RecordSummary
        // (BLAS runs on one thread inside: see `Recorder.record`.)
        do { summary = try Recorder.record(runConfig, options: options) } catch { failAndExit("curv-record", error) }
        if ranks.isRoot { report(summary, out: out) }
        if summary.interrupted {
            if overwrite && ranks.isRoot { FileHandle.standardError.write("curv-record: interrupted; \(out) was left as it was (an incomplete recording never replaces a file)\n".data(using: .utf8)!) }
            throw ExitCode(ExitStatus.interrupted)
        }
    }

    /// `--resume RUN.h5`: continue from the last checkpoint; the file keeps the steps recorded, even when interrupted again.
    func resumeRun(_ path: String, ranks: Communicator) throws {
        catchInterrupts(Communicator.launchedByMPI ? [SIGINT, SIGTERM] : [SIGINT])
        var options = RecordOptions(outputPath: path, progress: quiet ? .quiet : nil, shouldStop: { interruptRequested })
        options.liveViewSeconds = liveEvery
        options.ranks = ranks
        let summary: RecordSummary
        do { summary = try Recorder.resume(path, options: options) } catch { failAndExit("curv-record", error) }
        guard ranks.isRoot else {
            if summary.interrupted { throw ExitCode(ExitStatus.interrupted) }
            return
        }
        print("\(path): resumed from the checkpoint at step \(summary.resumedFrom ?? 0); training continued bit for bit, sharpness tracking restarted cold (within record.sharpness_tolerance)")
        report(summary, out: path)
        if summary.interrupted { throw ExitCode(ExitStatus.interrupted) }
    }

    /// The recording's summary lines (printed with --quiet too).
    func report(_ summary: RecordSummary, out: String) {
        print("\(out): steps 0-\(summary.lastStep), final loss \(summary.finalLoss), \(summary.events) events, checkpoints \(summary.checkpoints)\(summary.diverged ? ", diverged" : "")\(summary.interrupted ? ", interrupted" : "")")
        if let learned = summary.learnedInit {
            print(String(format: "learned initialization (%@): %d tensor scales in %d iterations, %.1f s", learned.method.rawValue,
                         learned.scales.count, learned.scaleHistory.count - 1, summary.learnedInitSeconds))
        }
        if summary.sharpnessSeconds > 0 {
            print(String(format: "%.1f s in all; sharpness tracking %.1f s (%.0f%% on top of training), %.1f Hessian-vector products a measurement",
                         summary.seconds, summary.sharpnessSeconds, 100 * summary.sharpnessOverhead, summary.productsPerMeasurement)
                  + (summary.blockMeasurements > 0
                     ? String(format: "; block sharpness (in that time) %.1f products a measurement of every block", Double(summary.blockProducts) / Double(summary.blockMeasurements))
                     : ""))
        }
        if summary.liveViewWrites > 0 {
            print(String(format: "live view: %d rewrites, %.2f s (%.1f ms each)", summary.liveViewWrites, summary.liveViewSeconds,
                         1000 * summary.liveViewSeconds / Double(summary.liveViewWrites)))
        }
    }
}

curv_keep_freed_memory()
RecordCommand.mainWithToolErrors()
