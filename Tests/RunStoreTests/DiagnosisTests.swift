// curv-inspect --diagnose on synthetic run files written with RunWriter, whose every fact is
// known by construction: first crossing and its ratio, crossings, spike lags, clipping flags, the
// warmup length (computed by hand below), Adam's preconditioned threshold, runs without sharpness
// and with non-finite losses.

import Foundation
import RunStore
import Testing

@Suite("Run diagnosis")
struct DiagnosisTests {
    static func header(warmup: Int) -> RunHeader {
        RunHeader(configTOML: "steps = 20\n", configJSON: "{\"schedule\":{\"warmup_steps\":\(warmup)},\"steps\":20}",
                  modelSpec: "{\"kind\":\"mlp\"}", parameterCount: 3, data: DataProvenance(name: "synthetic"))
    }

    /// Writes a run of `rows` (step, metrics) and `events`, returns its diagnosis as read back.
    static func diagnose(_ rows: [(Int, [String: Double])], events: [RunEvent], warmup: Int = 0,
                         at path: String) throws -> RunDiagnosis {
        let writer = try RunWriter.create(at: path, header: header(warmup: warmup), options: .init(overwrite: true))
        for (step, values) in rows { try writer.appendMetrics(step: step, values) }
        for event in events { try writer.appendEvent(event) }
        try writer.close()
        let reader = try RunReader.open(path)
        defer { reader.close() }
        return try RunDiagnosis.read(reader)
    }

    /// SGD at a constant lr 0.5 (threshold 2/lr = 4), steps 0-18, clipping recorded.
    /// lambda_max: step 0: 3 (ratio 0.75), 5: 5 (1.25), 10: 3.5 (0.875), 15: 6 (1.5).
    /// Spikes at 7 and 16, divergence (NaN loss) at 18. Clipped at steps 6 and 16.
    static let sgdRows: [(Int, [String: Double])] = (0...18).map { t in
        var row: [String: Double] = ["loss": t == 18 ? .nan : (t == 7 || t == 16 ? 2.0 : 0.5), "lr": 0.5]
        if t < 18 { row["clipped"] = t == 6 || t == 16 ? 1 : 0 }
        let lambda: [Int: Double] = [0: 3, 5: 5, 10: 3.5, 15: 6]
        if let l = lambda[t] { row["sharpness"] = l; row["sharpness_threshold"] = 2 / 0.5 }
        return (t, row)
    }
    static let sgdEvents = [
        RunEvent(step: 5, kind: "threshold_crossing_up", detail: ""),
        RunEvent(step: 7, kind: "loss_spike", detail: ""),
        RunEvent(step: 10, kind: "threshold_crossing_down", detail: ""),
        RunEvent(step: 15, kind: "threshold_crossing_up", detail: ""),
        RunEvent(step: 16, kind: "loss_spike", detail: ""),
        RunEvent(step: 18, kind: "divergence", detail: "loss is nan"),
    ]

    @Test("first crossing, crossings, spike lags and clipping flags of a synthetic SGD run")
    func sgdFacts() throws {
        let scratch = ScratchDirectory("diagnosis")
        defer { scratch.cleanUp() }
        let d = try Self.diagnose(Self.sgdRows, events: Self.sgdEvents, at: scratch.path("sgd.h5"))
        #expect(d.tracking == .measured(.hessian))
        #expect(d.measurements.map(\.step) == [0, 5, 10, 15])
        let first = try #require(d.firstCrossing)
        #expect(first.step == 5 && first.lambdaMax == 5 && first.threshold == 4 && first.ratio == 1.25 && first.constant == 2)
        #expect(d.largestRatio?.step == 15 && d.largestRatio?.ratio == 1.5)
        #expect(d.crossingsUp == [5, 15] && d.crossingsDown == [10])

        #expect(d.instabilities.map(\.kind) == ["loss_spike", "loss_spike", "divergence"])
        #expect(d.instabilities.map(\.step) == [7, 16, 18])
        #expect(d.instabilities.map(\.crossingStep) == [5, 15, 15])
        #expect(d.instabilities.map(\.lag) == [2, 1, 3])
        #expect(d.instabilities.map { $0.lastMeasurement?.step } == [5, 15, 15])
        // Step 7: the update into it (step 6) clipped, its own not; step 16 the reverse;
        // the divergence row has no update, so no flag.
        #expect(d.instabilities.map(\.clippedBefore) == [true, false, false])
        #expect(d.instabilities.map(\.clippedAt) == [false, true, nil])
        #expect(d.instabilities[0].loss == 2 && d.instabilities[0].previousLoss == 0.5)
        #expect(d.instabilities[2].loss.isNaN)
        #expect(d.divergence?.step == 18)
        #expect(d.clippingRecorded && d.clippedSteps == 2)
    }

    @Test("the warmup length matches the hand computation")
    func warmupByHand() throws {
        let scratch = ScratchDirectory("diagnosis")
        defer { scratch.cleanUp() }
        let d = try Self.diagnose(Self.sgdRows, events: Self.sgdEvents, warmup: 3, at: scratch.path("sgd.h5"))
        // Window: measurements before the first spike (step 7): steps 0 and 5. Peak lr 0.5, c = 2.
        // Step 0: 0.5 * 3 = 1.5 < 2 sets nothing. Step 5: lr_W(5) * 5 = 0.5 * 6 / W * 5 < 2 needs
        // W > 7.5, so W = 8 (W = 7 gives 2.14, W = 8 gives 1.875).
        let w = try #require(d.warmup)
        #expect(w.steps == 8 && w.peakLR == 0.5 && w.measurements == 2 && w.windowEnd == 7)
        #expect(w.binding?.step == 5 && w.configured == 3)
        // The definition holds at W and fails at W - 1.
        let below = { (W: Double) in [(0, 3.0), (5, 5.0)].allSatisfy { t, l in 0.5 * min(1, Double(t + 1) / W) * l < 2 } }
        #expect(below(8) && !below(7))

        // Without instabilities every measurement counts: step 15 (6) needs W > 16 * 0.5 * 6 / 2 = 24.
        let calm = Self.sgdRows.map { ($0.0, $0.1.filter { $0.key != "loss" }.merging(["loss": 0.5]) { $1 }) }
        let e = try Self.diagnose(calm, events: [], at: scratch.path("calm.h5"))
        #expect(e.instabilities.isEmpty)
        #expect(e.warmup?.steps == 25 && e.warmup?.windowEnd == nil && e.warmup?.binding?.step == 15)

        // A peak lr below threshold at every measurement needs no warmup.
        let flat = calm.map { ($0.0, $0.1.merging(["lr": 0.25, "sharpness_threshold": 8]) { $1 }) }
        let f = try Self.diagnose(flat, events: [], at: scratch.path("flat.h5"))
        #expect(f.firstCrossing == nil && f.crossingsUp.isEmpty)
        #expect(f.warmup?.steps == 0 && f.warmup?.binding == nil)
    }

    @Test("Adam: the preconditioned lambda_max against its recorded 38/lr threshold")
    func adamPreconditioned() throws {
        let scratch = ScratchDirectory("diagnosis")
        defer { scratch.cleanUp() }
        // lr 0.01: threshold 3800. Preconditioned lambda_max 1000, 3000, 4000 at steps 0, 2, 4;
        // the Hessian's own sharpness (no threshold for Adam) is far above and must be ignored.
        let rows: [(Int, [String: Double])] = (0...5).map { t in
            var row: [String: Double] = ["loss": 1, "lr": 0.01]
            if t % 2 == 0 {
                row["sharpness"] = 50_000
                row["preconditioned_sharpness"] = [1000, 3000, 4000][t / 2]
                row["preconditioned_threshold"] = 38 / 0.01
            }
            return (t, row)
        }
        let d = try Self.diagnose(rows, events: [], at: scratch.path("adam.h5"))
        #expect(d.tracking == .measured(.preconditioned))
        #expect(d.metricNames?.lambdaMax == "preconditioned_sharpness")
        let first = try #require(d.firstCrossing)
        #expect(first.step == 4 && abs(first.ratio - 4000 / 3800) < 1e-12 && abs(first.constant - 38) < 1e-12)
        // Step 4: W > 5 * 0.01 * 4000 / 38 = 5.26 -> 6.
        #expect(d.warmup?.steps == 6)

        // Adam without the preconditioned measurement: sharpness but no threshold.
        let bare = rows.map { ($0.0, $0.1.filter { !$0.key.hasPrefix("preconditioned") }) }
        let e = try Self.diagnose(bare, events: [], at: scratch.path("bare.h5"))
        #expect(e.tracking == .noThreshold && e.firstCrossing == nil && e.warmup == nil)
        #expect(e.text(path: "bare.h5").contains("no stability threshold"))
    }

    @Test("a run without sharpness and with a NaN loss: a clear line, no crash, the NaN reported")
    func noSharpnessNonFinite() throws {
        let scratch = ScratchDirectory("diagnosis")
        defer { scratch.cleanUp() }
        let path = scratch.path("plain.h5")
        let rows: [(Int, [String: Double])] = (0...4).map { t in (t, ["loss": t == 3 ? .infinity : (t == 2 ? 3 : 1), "lr": 0.1]) }
        let d = try Self.diagnose(rows, events: [RunEvent(step: 2, kind: "loss_spike", detail: "")], at: path)
        #expect(d.tracking == .noSharpness && d.measurements.isEmpty && d.warmup == nil)
        #expect(d.instabilities.map(\.kind) == ["loss_spike", "nonfinite_loss"])
        #expect(d.instabilities.map(\.step) == [2, 3])
        #expect(d.instabilities.allSatisfy { $0.crossingStep == nil && $0.clippedAt == nil })
        #expect(d.divergence?.step == 3 && !d.clippingRecorded)

        let result = try run(builtExecutable("curv-inspect"), [path, "--diagnose"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("no sharpness recorded (record.sharpness_every = 0)"), "\(result.stdout)")
        #expect(result.stdout.contains("step 3  nonfinite_loss  loss inf"), "\(result.stdout)")
        #expect(result.stdout.contains("clipping:        not recorded"), "\(result.stdout)")

        let json = try run(builtExecutable("curv-inspect"), [path, "--diagnose", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["status"] as? String == "no_sharpness")
        #expect(object["first_crossing"] is NSNull && object["warmup"] is NSNull)
        #expect(object["diverged_at"] as? Int == 3)
        let instabilities = try #require(object["instabilities"] as? [[String: Any]])
        #expect(instabilities[1]["loss"] is NSNull)  // infinity is written as null
    }

    @Test("--diagnose text and --json's diagnosis member carry the same facts")
    func commandFaces() throws {
        let scratch = ScratchDirectory("diagnosis")
        defer { scratch.cleanUp() }
        let path = scratch.path("sgd.h5")
        _ = try Self.diagnose(Self.sgdRows, events: Self.sgdEvents, at: path)
        let text = try run(builtExecutable("curv-inspect"), [path, "--diagnose"])
        #expect(text.status == 0, "stderr: \(text.stderr)")
        for line in ["first crossing:  step 5: lambda_max 5 > threshold 4 (lr 0.5): ratio lambda_max/threshold = 1.25",
                     "step 7  loss_spike  loss 2 (previous row 0.5); 2 steps after the crossing at step 5",
                     "clipping: update into it (previous row) clipped, at it not clipped",
                     "step 18  divergence  loss nan", "at least 8 steps of linear warmup to the peak lr 0.5"] {
            #expect(text.stdout.contains(line), "missing '\(line)' in:\n\(text.stdout)")
        }
        let diagnose = try run(builtExecutable("curv-inspect"), [path, "--diagnose", "--json"])
        let full = try run(builtExecutable("curv-inspect"), [path, "--json"])
        let alone = try #require(try JSONSerialization.jsonObject(with: Data(diagnose.stdout.utf8)) as? NSDictionary)
        let whole = try #require(try JSONSerialization.jsonObject(with: Data(full.stdout.utf8)) as? [String: Any])
        #expect((whole["diagnosis"] as? NSDictionary) == alone)
        #expect(alone["crossings_up"] as? [Int] == [5, 15])
        #expect((alone["warmup"] as? [String: Any])?["steps"] as? Int == 8)
        #expect(try run(builtExecutable("curv-inspect"), [path, "--diagnose", "--manifest"]).status == 64)
    }
}
