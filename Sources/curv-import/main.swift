// curv-import CONFIG.toml WEIGHTS.{safetensors,npz} --out RUN.h5 [--layout pytorch|flax|curvature]
//             [--tolerance X] [--steps N] [--set KEY=VALUE ...] [--overwrite] [--quiet]
// Turns weights trained elsewhere (PyTorch, JAX/Flax) into a run file whose step-0 checkpoint
// holds them, so that curv-density, curv-inspect and curv-plot analyse them like a recorded
// checkpoint. See docs/import.md.
import ArgumentParser
import CAllocator
import Foundation
import MessagePassing
import RunStore
import ToolSupport
import Training

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curv-import",
        abstract: "Make a run file from weights trained elsewhere (safetensors or .npz from PyTorch or JAX).",
        discussion: """
        The config gives the model (it must be the exporter's), the data and what to record; the weights \
        replace the drawn initialization at step 0, where the run file keeps a checkpoint. Tensors are found \
        by name and converted by layout (docs/import.md): every parameter and buffer must be in the file with \
        the right shape, and every tensor of the file must be used. When the file carries a check batch and \
        its exporter's loss on it (scripts/export-pytorch and scripts/export-jax write both), the loss is \
        computed here in eval mode and must agree within --tolerance, or nothing is written. Without --steps \
        the run stops at step 0; with it, training continues from the imported weights.

        \(ExitStatus.help)
        """,
        version: RunFormat.software)

    @Argument(help: "The run config (TOML) describing the exporter's model; docs/config.md lists every key.")
    var config: String

    @Argument(help: "The weights: a .safetensors file or a NumPy .npz archive.")
    var weights: String

    @Option(name: .long, help: "The run file to write.")
    var out: String

    @Option(name: .long, help: ArgumentHelp("Whose names and layouts the file uses (default: what its metadata says).",
                                            valueName: "pytorch|flax|curvature"))
    var layout: String?

    @Option(name: .long, parsing: .unconditional, help: "Largest relative difference allowed between the check loss here and the exporter's (default 1e-9 in f64, 1e-5 in f32).")
    var tolerance: Double?

    @Option(name: .long, parsing: .unconditional, help: "Train this many steps from the imported weights (default 0: the checkpoint only).")
    var steps: Int = 0

    @Option(name: .customLong("set"), help: ArgumentHelp("Set a config key on top of the file (repeatable), as curv-record --set.", valueName: "KEY=VALUE"))
    var settings: [String] = []

    @Flag(name: .long, help: "Replace an existing run file (it stays whole until the new one is ready).")
    var overwrite = false

    @Flag(name: .long, help: "No progress output (the summary is still printed).")
    var quiet = false

    func validate() throws {
        if let layout, WeightConvention(rawValue: layout) == nil {
            throw ValidationError("--layout must be pytorch, flax or curvature; got \(layout)")
        }
        if let tolerance, !(tolerance >= 0 && tolerance.isFinite) { throw ValidationError("--tolerance must be a number >= 0; got \(tolerance)") }
        guard (0...RunConfig.maxSteps).contains(steps) else { throw ValidationError("--steps must be from 0 to \(RunConfig.maxSteps); got \(steps)") }
        if !overwrite && FileManager.default.fileExists(atPath: out) {
            throw ValidationError("\(out) already exists; choose another --out or pass --overwrite")
        }
    }

    func run() throws {
        // Under mpirun the ranks share the training batches, as curv-record's do; rank 0 writes and prints.
        let ranks = Communicator.world
        ranks.barrier()
        var runConfig: RunConfig
        let file: WeightFile
        do {
            // Settings are checked against the longest run, then cut to --steps (lists past it dropped).
            let given = try settings.map(ConfigSetting.init(commandLine:))
            runConfig = try RunConfig.load(config, setting: given.isEmpty ? [] : [ConfigSetting(key: "steps", value: .integer(RunConfig.maxSteps))] + given)
            file = try WeightFile.read(weights)
        } catch { failAndExit("curv-import", error) }
        let dropped: [String]
        (runConfig, dropped) = runConfig.overridingSteps(steps)
        if steps > 0 && ranks.isRoot { for sentence in dropped { warn("curv-import", "--steps \(steps): \(sentence)") } }
        // Step 0 always keeps a checkpoint: it holds the imported weights.
        if !runConfig.checkpointSteps.contains(0) { runConfig.record.checkpointAt = [0] + runConfig.record.checkpointAt }
        catchInterrupts(Communicator.launchedByMPI ? [SIGINT, SIGTERM] : [SIGINT])
        var options = RecordOptions(outputPath: out, overwrite: overwrite, progress: quiet ? .quiet : nil, shouldStop: { interruptRequested })
        options.ranks = ranks
        options.inputs = [config, weights]
        options.configPath = config
        options.liveViewSeconds = steps > 0 ? 5 : 0
        options.importWeights = file
        options.importLayout = layout.flatMap(WeightConvention.init(rawValue:))
        options.importTolerance = tolerance
        let summary: RecordSummary
        do { summary = try Recorder.record(runConfig, options: options) } catch { failAndExit("curv-import", error) }
        guard ranks.isRoot else {
            if summary.interrupted { throw ExitCode(ExitStatus.interrupted) }
            return
        }
        if let record = summary.imported {
            print("\(out): \(record.tensors.count) tensors from \(weights) (\(record.format), \(record.convention) layout"
                  + (record.exporter.isEmpty ? "" : ", written by \(record.exporter)") + ")")
            if record.checkExamples > 0 {
                let difference = abs(record.loss - record.exporterLoss) / max(1, abs(record.exporterLoss))
                print(record.exporterLoss.isNaN
                      ? String(format: "check: loss %.10g on the file's %d examples (eval mode); the file gives no exporter's loss to compare", record.loss, record.checkExamples)
                      : String(format: "check: loss %.10g here, %.10g by the exporter on the file's %d examples (eval mode): relative difference %.2g",
                               record.loss, record.exporterLoss, record.checkExamples, difference))
            } else {
                warn("curv-import", "\(weights) has no check batch (__check__/inputs): the mapping was checked by names and shapes only")
            }
        }
        print("\(out): steps 0-\(summary.lastStep), loss \(summary.finalLoss), checkpoints \(summary.checkpoints)\(summary.diverged ? ", diverged" : "")")
        if summary.interrupted { throw ExitCode(ExitStatus.interrupted) }
    }
}

curv_keep_freed_memory()
ImportCommand.mainWithToolErrors()
