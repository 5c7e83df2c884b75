// curv-inspect --csv: every table read back with Python's csv module (an independent RFC 4180
// reader) and compared with what RunReader returns.

import Foundation
import RunStore
import Testing

@Suite("curv-inspect --csv")
struct InspectCSVTests {
    /// Rows of `text` as Python's csv.reader parses them (JSON-encoded by the script).
    func pythonRows(_ text: String, in scratch: ScratchDirectory) throws -> [[String]] {
        let file = scratch.path("table.csv")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let script = "import csv, json, sys; print(json.dumps(list(csv.reader(open(sys.argv[1], newline='')))))"
        let result = try run("/usr/bin/env", ["python3", "-c", script, file])
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String]])
    }

    @Test("metrics, events (quotes, commas, line breaks) and analyses (blocks) read back exactly; NaN is an empty field")
    func tables() throws {
        let scratch = ScratchDirectory("csv")
        defer { scratch.cleanUp() }
        let path = scratch.path("run.h5")
        let writer = try RunWriter.create(at: path, header: SampleRun.header, options: .init(overwrite: true))
        try writer.appendMetrics(step: 0, ["loss": 2.302585092994046, "lr": 0.1, "sharpness": 41.25])
        try writer.appendMetrics(step: 1, ["loss": 1.0 / 3.0, "lr": 0.1])
        try writer.appendMetrics(step: 2, ["loss": .infinity, "lr": 1e-300])
        let events = [RunEvent(step: 1, kind: "loss_spike", detail: "loss \"x3\", then, more\nsecond line"),
                      RunEvent(step: 2, kind: "threshold_crossing_up", detail: "plain", operator: .preconditioned),
                      RunEvent(step: 2, kind: "divergence", detail: "plain")]
        for e in events { try writer.appendEvent(e) }
        try writer.close()
        var analysis = SampleRun.analysis(step: 2)
        analysis.blocks = [BlockEigenvalue(name: "dense0", size: 30, value: 7.5, residual: 1e-9, converged: true),
                           BlockEigenvalue(name: "dense1", size: 21, value: 0.1 + 0.2, residual: 1e-9, converged: false)]
        analysis.blockGrouping = "layers"
        var untraced = SampleRun.analysis(step: 1)
        (untraced.trace, untraced.traceStandardError) = (.nan, .nan)
        let analyses = try AnalysisWriter.open(path)
        try analyses.append(untraced)
        try analyses.append(analysis)
        try analyses.close()

        func csv(_ table: String) throws -> [[String]] {
            let result = try run(builtExecutable("curv-inspect"), [path, "--csv", table])
            #expect(result.status == 0, "\(result.stderr)")
            return try pythonRows(result.stdout, in: scratch)
        }
        let reader = try RunReader.open(path)
        defer { reader.close() }

        let metrics = try csv("metrics"), m = try reader.metrics()
        #expect(metrics[0] == ["step"] + m.names && metrics.count == 4)
        for (i, row) in metrics.dropFirst().enumerated() {
            #expect(Int(row[0]) == m.steps[i])
            for (k, name) in m.names.enumerated() {
                let v = m.columns[name]![i]
                if v.isNaN { #expect(row[k + 1] == "") } else { #expect(Double(row[k + 1]) == v, "\(name) at \(i): \(row[k + 1])") }
            }
        }
        #expect(metrics[3][m.names.firstIndex(of: "loss")! + 1] == "inf")

        #expect(try csv("events") == [["step", "kind", "detail", "operator"]] + events.map { [String($0.step), $0.kind, $0.detail, $0.operator?.rawValue ?? ""] })
        // The events read back with their operators (format 1.5); a file from before has none.
        #expect(try reader.events() == events)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let old = try RunReader.open(root.appendingPathComponent("fixtures/runs/sample.h5").path)
        defer { old.close() }
        let oldEvents = try old.events()
        #expect(old.formatVersion < "1.5" && oldEvents.allSatisfy { $0.operator == nil })

        let rows = try csv("analyses")
        let header = rows[0]
        #expect(rows.count == 3 && header.suffix(2) == ["block:dense0", "block:dense1"])
        func value(_ row: Int, _ column: String) -> String { rows[row][header.firstIndex(of: column)!] }
        #expect(value(2, "lambda_max") == "15.5" && value(2, "lambda_min") == "-0.5" && value(2, "trace") == "42.5")
        #expect(Double(value(2, "block:dense1")) == 0.1 + 0.2 && value(2, "block_grouping") == "layers")
        #expect(value(1, "block:dense0") == "" && value(1, "id") == "0000" && value(2, "id") == "0001")
        #expect(value(1, "trace") == "" && value(1, "trace_stderr") == "")

        // The text summary leaves out a trace that was not computed (no "nan ± nan").
        let text = try run(builtExecutable("curv-inspect"), [path])
        #expect(!text.stdout.contains("nan") && text.stdout.contains("trace 42.5 ± 1.5"), "\(text.stdout)")
    }

    @Test("--csv refuses an unknown table and other output flags, before reading the file")
    func refusals() throws {
        let bad = try run(builtExecutable("curv-inspect"), ["/nonexistent.h5", "--csv", "spectra"])
        #expect(bad.status == 64 && bad.stderr.contains("--csv must be metrics, events or analyses"))
        let mixed = try run(builtExecutable("curv-inspect"), ["/nonexistent.h5", "--csv", "metrics", "--json"])
        #expect(mixed.status == 64 && mixed.stderr.contains("--csv prints a table alone"))
    }
}
