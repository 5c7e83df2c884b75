// curv-inspect --diagnose end to end on runs recorded by curv-record: every fact checked against
// the run's own metrics and events, as --json prints them.

import Foundation
import Testing

@Suite("curv-inspect --diagnose on recorded runs")
struct DiagnoseCommandTests {
    /// The JSON of `curv-inspect RUN --json` and of `--diagnose --json`.
    func inspect(_ run: String, in dir: URL) throws -> (whole: [String: Any], diagnosis: [String: Any], text: String) {
        let full = try tool("curv-inspect", [run, "--json"], in: dir)
        #expect(full.status == 0, "\(full)")
        let whole = try #require(try JSONSerialization.jsonObject(with: Data(full.stdout.utf8)) as? [String: Any])
        let alone = try tool("curv-inspect", [run, "--diagnose", "--json"], in: dir)
        let diagnosis = try #require(try JSONSerialization.jsonObject(with: Data(alone.stdout.utf8)) as? [String: Any])
        #expect((whole["diagnosis"] as? NSDictionary) == (diagnosis as NSDictionary))
        let text = try tool("curv-inspect", [run, "--diagnose"], in: dir)
        #expect(text.status == 0, "\(text)")
        return (whole, diagnosis, text.stdout)
    }

    @Test("the lr-1 run without warmup: crossing at step 0, spikes and divergence with their lags, warmup from lambda_max(0)")
    func divergedRun() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Run from the repository root: the config names the digits data set relative to it.
        let record = try tool("curv-record", ["fixtures/configs/digits-lr1-nowarmup.toml", "--out", dir.appendingPathComponent("run.h5").path, "--quiet"],
                              in: repositoryRoot, timeout: 300)
        #expect(record.status == 0, "\(record)")
        let (whole, d, text) = try inspect("run.h5", in: dir)
        let metrics = try #require(whole["metrics"] as? [String: Any])
        let steps = try #require(metrics["step"] as? [Int])
        let sharpness = (metrics["sharpness"] as? [Any] ?? []).map { $0 as? Double }
        let threshold = (metrics["sharpness_threshold"] as? [Any] ?? []).map { $0 as? Double }
        let events = try #require(whole["events"] as? [[String: Any]])

        // Expected from the metrics: the first measured row with sharpness > threshold.
        let row = try #require(steps.indices.first { i in sharpness[i].map { s in threshold[i].map { s > $0 } ?? false } ?? false })
        let first = try #require(d["first_crossing"] as? [String: Any])
        #expect(first["step"] as? Int == steps[row] && steps[row] == 0)
        let ratio = try #require(first["ratio"] as? Double)
        #expect(abs(ratio - sharpness[row]! / threshold[row]!) < 1e-12 && ratio > 1)

        // Instabilities are the recorder's loss_spike and divergence events, in order, lagging step 0.
        let expected = events.filter { ["loss_spike", "divergence"].contains($0["kind"] as? String) }
        let found = try #require(d["instabilities"] as? [[String: Any]])
        #expect(found.map { $0["step"] as? Int } == expected.map { $0["step"] as? Int })
        #expect(found.map { $0["kind"] as? String } == expected.map { $0["kind"] as? String })
        #expect(found.allSatisfy { $0["lag"] as? Int == $0["step"] as? Int && $0["crossing_step"] as? Int == 0 })
        let divergence = try #require(events.first { $0["kind"] as? String == "divergence" })
        #expect(d["diverged_at"] as? Int == divergence["step"] as? Int)

        // Warmup: measurements before the first spike; peak lr 1, c = 2: W = floor((t+1) * lambda / 2) + 1.
        let warmup = try #require(d["warmup"] as? [String: Any])
        let window = steps.indices.filter { sharpness[$0] != nil && steps[$0] < (expected[0]["step"] as! Int) }
        let w = window.map { Int((Double(steps[$0] + 1) * sharpness[$0]! / 2).rounded(.down)) + 1 }.max()
        #expect(warmup["steps"] as? Int == w && warmup["configured_warmup_steps"] as? Int == 0)
        #expect((d["clipping"] as? [String: Any])?["recorded"] as? Bool == false)
        #expect(text.contains("first crossing:  step 0"), "\(text)")
        #expect(text.contains("diverged at step \(divergence["step"] as! Int)"), "\(text)")
    }

    @Test("clipping flags at spikes match the recorded clipped column")
    func clippedRun() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var config = try String(contentsOf: repositoryRoot.appendingPathComponent("fixtures/configs/digits-lr1-nowarmup.toml"), encoding: .utf8)
        config = config.replacingOccurrences(of: "steps = 300", with: "steps = 60")
            .replacingOccurrences(of: "path = \"../digits\"", with: "path = \"\(repositoryRoot.appendingPathComponent("fixtures/digits").path)\"")
            .replacingOccurrences(of: "[record]", with: "[training]\nclip_norm = 5.0\n[record]\nspike_factor = 1.2")
        try config.write(to: dir.appendingPathComponent("c.toml"), atomically: true, encoding: .utf8)
        let record = try tool("curv-record", [dir.appendingPathComponent("c.toml").path, "--out", dir.appendingPathComponent("run.h5").path, "--quiet"],
                              in: repositoryRoot, timeout: 300)
        #expect(record.status == 0, "\(record)")
        let (whole, d, _) = try inspect("run.h5", in: dir)
        let metrics = try #require(whole["metrics"] as? [String: Any])
        let steps = try #require(metrics["step"] as? [Int])
        let clipped = (metrics["clipped"] as? [Any] ?? []).map { ($0 as? Double).map { $0 != 0 } }
        let clipping = try #require(d["clipping"] as? [String: Any])
        #expect(clipping["recorded"] as? Bool == true)
        #expect(clipping["clipped_steps"] as? Int == clipped.filter { $0 == true }.count)
        // With clip_norm 5 this run spikes with the update into a spike clipped or not, then diverges.
        let found = try #require(d["instabilities"] as? [[String: Any]])
        #expect(found.count > 3 && d["diverged_at"] is Int)
        #expect(Set(found.compactMap { $0["clipped_before"] as? Bool }) == [true, false])
        for item in found {
            let i = try #require(steps.firstIndex(of: item["step"] as! Int))
            #expect(item["clipped"] as? Bool == clipped[i])
            #expect(item["clipped_before"] as? Bool == (i > 0 ? clipped[i - 1] : nil))
        }
    }
}
