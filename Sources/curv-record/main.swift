// curv-record CONFIG.toml --out RUN.h5 [--steps N] [--seed N] [--overwrite] [--quiet]
// Trains a model from a config file and records the run (metrics, sharpness, spectra,
// checkpoints, events) into one self-contained HDF5 run file. See docs/config.md.
import ArgumentParser
import CAllocator
import Foundation
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

        \(ExitStatus.help)
        """,
        version: RunFormat.software)

    @Argument(help: "The run config (TOML); docs/config.md lists every key.")
    var config: String

    @Option(name: .long, help: "The run file to write.")
    var out: String

    // Numbers are parsed unconditionally, so "--steps -5" is a negative value (refused with a
    // reason), not a missing one.
    @Option(name: .long, parsing: .unconditional, help: "Override the config's step count (checkpoints and spectra scheduled past it are dropped, with a warning).")
    var steps: Int?

    @Option(name: .long, parsing: .unconditional, help: "Override the config's seed.")
    var seed: Int?

    @Flag(name: .long, help: "Replace an existing run file (it stays whole until the new one is ready).")
    var overwrite = false

    @Flag(name: .long, help: "No progress output (the summary of the recording is still printed).")
    var quiet = false

    func validate() throws {
        if let steps, !(0...RunConfig.maxSteps).contains(steps) {
            throw ValidationError("--steps must be from 0 to \(RunConfig.maxSteps); got \(steps)")
        }
        if let seed, seed < 0 { throw ValidationError("--seed must be >= 0; got \(seed)") }
        if !overwrite && FileManager.default.fileExists(atPath: out) {
            throw ValidationError("\(out) already exists; choose another --out or pass --overwrite")
        }
    }

    func run() throws {
        var runConfig: RunConfig
        do { runConfig = try RunConfig.load(config) } catch { failAndExit("curv-record", error) }
        if let steps {
            let dropped: [String]
            (runConfig, dropped) = runConfig.overridingSteps(steps)
            for sentence in dropped { warn("curv-record", "--steps \(steps): \(sentence)") }
        }
        if let seed { runConfig.seed = seed }
        catchInterrupts()
        var options = RecordOptions(outputPath: out, overwrite: overwrite, progress: quiet ? .quiet : nil,
                                    shouldStop: { interruptRequested })
        options.inputs = [config]
        options.configPath = config
        let summary: RecordSummary
        // (BLAS runs on one thread inside: see `Recorder.record`.)
        do { summary = try Recorder.record(runConfig, options: options) } catch { failAndExit("curv-record", error) }
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
        if summary.interrupted {
            if overwrite { FileHandle.standardError.write("curv-record: interrupted; \(out) was left as it was (an incomplete recording never replaces a file)\n".data(using: .utf8)!) }
            throw ExitCode(ExitStatus.interrupted)
        }
    }
}

curv_keep_freed_memory()
RecordCommand.mainWithToolErrors()
