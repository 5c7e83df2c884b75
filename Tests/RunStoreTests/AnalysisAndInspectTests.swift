// Re-analysis appends leave recorded data byte-identical; curv-inspect's JSON and text on a
// sample run; the committed fixture still reads and matches its manifest.

import Foundation
import RunStore
import Testing

@Suite("Analyses and inspection")
struct AnalysisAndInspectTests {
    @Test("appending analyses leaves every recorded dataset and attribute byte-identical")
    func analysisAppendKeepsRecordedData() throws {
        let scratch = ScratchDirectory("analysis")
        defer { scratch.cleanUp() }
        let path = scratch.path("run.h5")
        try SampleRun.write(to: path, Float.self, withAnalysis: false)
        let recorded = { (entries: [ManifestEntry]) in entries.filter { !$0.path.hasPrefix("/analyses") } }
        let before = try RunManifest.entries(of: path)
        #expect(before.count > 100)

        let writer = try AnalysisWriter.open(path)
        #expect(try writer.reader.checkpointSteps() == SampleRun.steps)  // reading through the writer works
        #expect(try writer.append(SampleRun.analysis(step: 10)) == "0000")
        #expect(try writer.append(SampleRun.analysis(step: 20)) == "0001")
        try writer.close()
        let again = try AnalysisWriter.open(path)
        #expect(try again.append(SampleRun.analysis(step: 0)) == "0002")
        try again.close()

        let after = try RunManifest.entries(of: path)
        #expect(recorded(after) == recorded(before))
        #expect(recorded(before).filter { $0.fnv1a64 != nil }.count > 50)
        #expect(after.filter { $0.path.hasPrefix("/analyses/") && $0.kind == .group }.map(\.path)
                == ["/analyses/0000", "/analyses/0001", "/analyses/0002"])
        #expect(try RunReader.open(path).analyses().map(\.analysis.step) == [10, 20, 0])
    }

    @Test("curv-inspect --json prints the DESIGN.md object")
    func inspectJSON() throws {
        let scratch = ScratchDirectory("inspect")
        defer { scratch.cleanUp() }
        let path = scratch.path("run.h5")
        try SampleRun.write(to: path, Float.self)
        let result = try run(builtExecutable("curv-inspect"), [path, "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])

        #expect(object["format_version"] as? String == RunFormat.version)
        #expect(object["parameters"] as? Int == SampleRun.header.parameterCount)
        let config = try #require(object["config"] as? [String: Any])
        #expect((config["train"] as? [String: Any])?["lr"] as? Double == 0.05)
        #expect((object["model"] as? [String: Any])?["kind"] as? String == "mlp")
        #expect(object["checkpoints"] as? [Int] == SampleRun.steps)

        let metrics = try #require(object["metrics"] as? [String: Any])
        #expect(Set(metrics.keys) == ["step", "loss", "lr", "sharpness", "accuracy"])
        let arrays = metrics.values.compactMap { $0 as? [Any] }
        #expect(arrays.count == 5 && arrays.allSatisfy { $0.count == 40 })
        #expect(metrics["step"] as? [Int] == Array(0..<40))
        let sharpness = try #require(metrics["sharpness"] as? [Any])
        #expect(sharpness[0] as? Double == 10 && sharpness[10] as? Double == 15)
        #expect(sharpness[1] is NSNull)  // NaN (not measured) is written as null

        let events = try #require(object["events"] as? [[String: Any]])
        #expect(events.map { $0["step"] as? Int } == [12, 31])
        #expect(events[1]["detail"] as? String == SampleRun.events[1].detail)
        #expect(events[0]["kind"] as? String == "threshold_crossing")

        let analyses = try #require(object["analyses"] as? [[String: Any]])
        #expect(analyses.count == 2)
        #expect(analyses[0]["step"] as? Int == 10 && analyses[0]["operator"] as? String == "hessian")
        #expect(analyses[0]["probes"] as? Int == 2 && analyses[0]["lanczos"] as? Int == 6)
        #expect(analyses[0]["top"] as? [Double] == [15.5, 4.25] && analyses[0]["trace"] as? Double == 42.5)
        #expect(analyses[0]["bottom"] as? [Double] == [-0.5, -0.25])

        // The library function gives the same text.
        let reader = try RunReader.open(path)
        #expect(try RunSummary.json(reader).text(indent: 2) + "\n" == result.stdout)
    }

    @Test("curv-inspect prints a readable summary")
    func inspectText() throws {
        let scratch = ScratchDirectory("inspect")
        defer { scratch.cleanUp() }
        let path = scratch.path("run.h5")
        try SampleRun.write(to: path, Double.self)
        let result = try run(builtExecutable("curv-inspect"), [path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        for expected in ["format \(RunFormat.version)", "parameters:  75", "digits", "hessian:     4 examples", "lr = 0.05",
                         "40 rows, steps 0…39", "checkpoints: 3 at steps 0, 10, 20", "preconditioned: steps 0, 10, 20",
                         "threshold_crossing", "0001  step 20 hessian", "trace 42.5 ± 1.5"] {
            #expect(result.stdout.contains(expected), "missing '\(expected)' in:\n\(result.stdout)")
        }
        let bad = try run(builtExecutable("curv-inspect"), [path, "--json", "--manifest"])
        #expect(bad.status != 0 && bad.stderr.contains("exclusive"))
    }

    @Test("JSON text: exact doubles, escapes, non-finite values")
    func jsonText() {
        let value = JSONValue.object([("a", .doubles([0.1, 1e-8, -0.0, 3, .nan, .infinity])),
                                      ("s", .string("q\"\\\n\u{1}λ"))])
        #expect(value.text() == #"{"a": [0.1, 1e-08, -0.0, 3.0, null, null], "s": "q\"\\\n\u0001λ"}"#)
        #expect(JSONValue.doubles([.nan, -.infinity]).text(nonFinite: .literals) == "[NaN, -Infinity]")
    }

    @Test("the committed fixture reads, and matches its committed manifest")
    func fixture() throws {
        let directory = packageRoot().appendingPathComponent("fixtures/runs")
        let path = directory.appendingPathComponent("sample.h5").path
        let manifestPath = directory.appendingPathComponent("sample.manifest.json").path
        if ProcessInfo.processInfo.environment["CURV_REGENERATE_FIXTURES"] == "1" {
            try SampleRun.write(to: path, Float.self)
            try (try RunManifest.json(of: path) + "\n").write(toFile: manifestPath, atomically: true, encoding: .utf8)
        }
        let reader = try RunReader.open(path)
        #expect(try reader.checkpointSteps() == SampleRun.steps)
        #expect(try reader.header() == SampleRun.header)
        #expect(try reader.checkpoint(at: 10, as: Float.self).weights.count == 5)
        let committed = try String(contentsOfFile: manifestPath, encoding: .utf8)
        #expect(try RunManifest.json(of: path) + "\n" == committed)
    }
}
