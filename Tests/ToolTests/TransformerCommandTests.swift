// A Transformer through the four tools, as a user runs them: curv-record on the bundled example
// config (shrunk to a few steps), curv-density from the run file alone on both operators,
// curv-inspect --json, curv-plot. The numbers are checked against each other across processes:
// the recorder's tracked λ_max and curv-density's converged one come from separate code paths
// (warm-started tracking during training; a fresh solve on the rebuilt model and stored batch).

import Foundation
import Testing

@Suite("A Transformer recorded, re-analysed, inspected and plotted by the tools")
struct TransformerCommandTests {
    @Test("curv-record, curv-density (hessian and preconditioned), curv-inspect and curv-plot on the post-LN example config")
    func endToEnd() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var config = try String(contentsOf: repositoryRoot.appendingPathComponent("fixtures/configs/text-transformer-postln-adam-warmup.toml"), encoding: .utf8)
        for (old, new) in [("steps = 300", "steps = 4\ndtype = \"f64\""), ("context = 32", "context = 8\ncount = 400"),
                           ("width = 64", "width = 16"), ("test_every = 50", "test_every = 4"),
                           ("sharpness_every = 10", "sharpness_every = 4\nsharpness_tolerance = 1e-9\nsharpness_lanczos = 150"),
                           ("hessian_examples = 128", "hessian_examples = 24"), ("spectrum_at = [0, 300]", "spectrum_at = [4]"),
                           ("checkpoint_at = [0, 100, 200, 300]", "checkpoint_at = [0, 4]")] {
            #expect(config.contains(old), "the example config changed: \(old)")
            config = config.replacingOccurrences(of: old, with: new)
        }
        let configPath = dir.appendingPathComponent("transformer.toml").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let run = dir.appendingPathComponent("run.h5").path

        let record = try tool("curv-record", [configPath, "--out", run, "--quiet"], in: dir, timeout: 600)
        #expect(record.status == 0, "\(record)")
        for op in ["hessian", "preconditioned"] {
            let density = try tool("curv-density", [run, "--at", "4", "--operator", op, "--probes", "2", "--lanczos", "20", "--top", "1", "--bottom", "1", "--quiet"],
                                   in: dir, timeout: 600)
            #expect(density.status == 0, "\(density)")
        }
        let inspect = try tool("curv-inspect", [run, "--json"], in: dir)
        #expect(inspect.status == 0, "\(inspect)")
        let whole = try #require(try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any])
        let model = try #require(whole["model"] as? [String: Any])
        #expect(model["kind"] as? String == "transformer" && model["layer_norm"] as? String == "post" && model["width"] as? Int == 16)
        let metrics = try #require(whole["metrics"] as? [String: Any])
        let steps = try #require(metrics["step"] as? [Int])
        let row = try #require(steps.firstIndex(of: 4))
        let analyses = try #require(whole["analyses"] as? [[String: Any]])
        #expect(analyses.count == 2)
        for (op, column) in [("hessian", "sharpness"), ("preconditioned", "preconditioned_sharpness")] {
            let recorded = try #require((metrics[column] as? [Any])?[row] as? Double)
            let analysis = try #require(analyses.first { $0["operator"] as? String == op })
            let top = try #require((analysis["top"] as? [Double])?.first)
            #expect(analysis["step"] as? Int == 4)
            #expect(abs(top - recorded) <= 1e-6 * abs(top), "\(op): curv-density \(top), recorded \(recorded)")
        }
        // The test loss over the held-out windows was measured.
        #expect(((metrics["test_loss"] as? [Any])?[row] as? Double).map { $0.isFinite && $0 > 0 } == true)

        let png = dir.appendingPathComponent("sharpness.png").path
        let plot = try tool("curv-plot", ["sharpness", run, "--out", png, "--quiet"], in: dir)
        #expect(plot.status == 0, "\(plot)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }
}
