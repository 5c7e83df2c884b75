// curv-inspect RUN.h5 [--json] [--manifest]: summarize a run file. The logic lives in RunStore
// (RunSummary, RunManifest); this command parses arguments, calls it and prints.

import ArgumentParser
import Foundation
import RunStore
import ToolSupport

@main
struct CurvInspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curv-inspect",
        abstract: "Summarize a Curvature run file (HDF5).",
        discussion: """
            Without flags prints a readable summary. --json prints one JSON object (format_version, \
            parameters, config, checkpoints, metrics, events, analyses, ...; NaN is written as null). \
            --manifest prints every group, dataset and attribute with dtypes, shapes and values, for \
            scripts/check-run-interop. The file is opened read-only. See docs/run-format.md.

            \(ExitStatus.help)
            """)

    @Argument(help: ArgumentHelp("The run file to inspect.", valueName: "RUN.h5"))
    var path: String

    @Flag(help: "Print the machine-readable JSON summary.")
    var json = false

    @Flag(help: "Print a JSON manifest of every object and attribute (for interop checks).")
    var manifest = false

    func validate() throws {
        if json && manifest { throw ValidationError("--json and --manifest are exclusive: pick one") }
    }

    func run() throws {
        do {
            if manifest {
                print(try RunManifest.json(of: path))
                return
            }
            let reader = try RunReader.open(path)
            defer { reader.close() }
            print(json ? try RunSummary.json(reader).text(indent: 2) : try RunSummary.text(reader))
        } catch {
            failAndExit("curv-inspect", error)
        }
    }
}
