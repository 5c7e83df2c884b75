// curv-record CONFIG.toml --out RUN.h5 [--steps N] [--seed N] [--overwrite] [--quiet]
// Trains a model from a config file and records the run (metrics, sharpness, spectra,
// checkpoints, events) into one self-contained HDF5 run file. See docs/config.md.
import ArgumentParser
import CAllocator
import Foundation
import Training

/// Set by SIGINT; the recorder polls it once per step and closes the file cleanly.
nonisolated(unsafe) var interruptRequested: sig_atomic_t = 0

struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curv-record",
        abstract: "Train a model from a config file and record the run into an HDF5 run file.",
        discussion: "Ctrl-C finishes the current step's records and closes the file; a diverging run is recorded up to the divergence and ends normally.")

    @Argument(help: "The run config (TOML); docs/config.md lists every key.")
    var config: String

    @Option(name: .long, help: "The run file to write.")
    var out: String

    @Option(name: .long, help: "Override the config's step count.")
    var steps: Int?

    @Option(name: .long, help: "Override the config's seed.")
    var seed: Int?

    @Flag(name: .long, help: "Replace an existing run file (it stays whole until the new one is ready).")
    var overwrite = false

    @Flag(name: .long, help: "No progress output.")
    var quiet = false

    func validate() throws {
        if let steps, steps < 0 { throw ValidationError("--steps must be >= 0, got \(steps)") }
        if let seed, seed < 0 { throw ValidationError("--seed must be >= 0, got \(seed)") }
        if !overwrite && FileManager.default.fileExists(atPath: out) {
            throw ValidationError("\(out) already exists; choose another --out or pass --overwrite")
        }
    }

    func run() throws {
        var runConfig: RunConfig
        do { runConfig = try RunConfig.load(config) } catch { fail(error) }
        if let steps { runConfig.steps = steps }
        if let seed { runConfig.seed = seed }
        signal(SIGINT) { _ in interruptRequested = 1 }
        // A parent that spawned us from a thread blocking signals (Dispatch's workers do) passes
        // the mask on; Ctrl-C must still reach the handler.
        var interrupt = sigset_t()
        sigemptyset(&interrupt)
        sigaddset(&interrupt, SIGINT)
        sigprocmask(SIG_UNBLOCK, &interrupt, nil)
        var options = RecordOptions(outputPath: out, overwrite: overwrite, progress: quiet ? .quiet : nil,
                                    shouldStop: { interruptRequested != 0 })
        options.inputs = [config]
        let summary: RecordSummary
        do { summary = try Recorder.record(runConfig, options: options) } catch { fail(error) }
        if !quiet {
            print("\(out): steps 0-\(summary.lastStep), final loss \(summary.finalLoss), \(summary.events) events, checkpoints \(summary.checkpoints)\(summary.diverged ? ", diverged" : "")\(summary.interrupted ? ", interrupted" : "")")
            if summary.sharpnessSeconds > 0 {
                print(String(format: "%.1f s in all; sharpness tracking %.1f s (%.0f%% on top of training), %.1f Hessian-vector products a measurement",
                             summary.seconds, summary.sharpnessSeconds, 100 * summary.sharpnessOverhead, summary.productsPerMeasurement))
            }
        }
        if summary.interrupted {
            if overwrite { FileHandle.standardError.write("curv-record: interrupted; \(out) was left as it was (an incomplete recording never replaces a file)\n".data(using: .utf8)!) }
            throw ExitCode(130)
        }
    }
}

/// Prints the error (which names the file and the problem) and exits with status 1.
func fail(_ error: Error) -> Never {
    FileHandle.standardError.write("curv-record: \(error)\n".data(using: .utf8)!)
    exit(1)
}

curv_keep_freed_memory()
RecordCommand.main()
