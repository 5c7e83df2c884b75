// curv-inspect RUN.h5 [--json] [--manifest] [--diagnose] [--csv TABLE]: summarize or diagnose a run file. The
// logic lives in RunStore (RunSummary, RunManifest, RunDiagnosis); this command parses arguments,
// calls it and prints.

import ArgumentParser
import Foundation
import RunStore
import Training
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

            --diagnose prints a plain-language account of the run's stability: the first step where \
            lambda_max (Adam: of the preconditioned Hessian) exceeded its recorded threshold c/lr and \
            by what ratio; each loss spike and the divergence with its lag after the most recent \
            crossing and whether the gradient was clipped; the shortest linear warmup W with \
            peak*(t+1)/W * lambda_max(t) < c at every measurement before the first instability. \
            --diagnose --json prints the same facts as one JSON object (the "diagnosis" member of \
            --json). Definitions: docs/run-format.md, "curv-inspect --diagnose".

            --csv metrics|events|analyses prints one table as CSV (a header line; NaN as an empty \
            field; numbers as the shortest decimal that reads back exactly) for spreadsheets and pandas.read_csv.

            \(ExitStatus.help)
            """,
        version: RunFormat.software)

    @Argument(help: ArgumentHelp("The run file to inspect.", valueName: "RUN.h5"))
    var path: String

    @Flag(help: "Print the machine-readable JSON summary.")
    var json = false

    @Flag(help: "Print a JSON manifest of every object and attribute (for interop checks).")
    var manifest = false

    @Flag(help: "Print a plain-language diagnosis of stability: threshold crossings, spikes and their lags, the warmup needed, clipping (with --json: as JSON).")
    var diagnose = false

    @Option(help: ArgumentHelp("Print one table as CSV: metrics, events or analyses.", valueName: "TABLE"))
    var csv: String?

    static func main() { mainWithToolErrors() }

    func validate() throws {
        if let csv, RunTable(rawValue: csv) == nil { throw ValidationError("--csv must be metrics, events or analyses; got '\(csv)'") }
        if csv != nil && (json || manifest || diagnose) { throw ValidationError("--csv prints a table alone: leave out --json, --manifest and --diagnose") }
        if json && manifest { throw ValidationError("--json and --manifest are exclusive: pick one") }
        if diagnose && manifest { throw ValidationError("--diagnose and --manifest are exclusive: pick one") }
    }

    func run() throws {
        do {
            if manifest {
                print(try RunManifest.json(of: path))
                return
            }
            // A run being recorded is read from its live view (metrics and events so far), said on stderr.
            let (reader, note) = try LiveView.open(path)
            defer { reader.close() }
            if let note { FileHandle.standardError.write("curv-inspect: \(note)\n".data(using: .utf8)!) }
            if let table = csv.flatMap(RunTable.init(rawValue:)) {
                print(try table.csv(reader), terminator: "")
                return
            }
            if diagnose {
                let diagnosis = try RunDiagnosis.read(reader)
                print(json ? diagnosis.json.text(indent: 2) : diagnosis.text(path: path))
                return
            }
            // The text shows the config keys that apply to this run (--json and the file keep every key).
            let applicable = try? RunConfig.applicableTOML(reader.configTOML(), file: "\(path) /config/toml")
            print(json ? try RunSummary.json(reader).text(indent: 2) : try RunSummary.text(reader, config: applicable))
        } catch {
            failAndExit("curv-inspect", error)
        }
    }
}
