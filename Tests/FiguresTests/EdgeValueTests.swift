// Values a run file can hold that no recording writes: figures must draw them or say why, not trap.

import Foundation
import Plot
import RunStore
import Testing
import Training
@testable import Figures

@Suite("Figures on edge values")
struct EdgeValueTests {
    // Int.max has no exact Double: the threshold's lookup of each measured step by Int(Double(step))
    // trapped on 2^63. Found while reviewing the Int conversions the runplan fuzz target reaches.
    @Test("a step near Int.max does not trap the stability threshold's lookup")
    func hugeStep() throws {
        let path = try temporaryDirectory().appendingPathComponent("huge-step.h5").path
        var config = RunConfig()
        config.name = "huge-step"
        let writer = try RunWriter.create(at: path, header: RunHeader(configTOML: config.resolvedTOML, modelSpec: "{}",
                                                                      parameterCount: 1, data: DataProvenance(name: "none")))
        try writer.appendMetrics(step: 0, ["loss": 1, "lr": 0.1, "sharpness": 10, "sharpness_threshold": 20])
        try writer.appendMetrics(step: Int.max, ["loss": 1, "lr": 0.1, "sharpness": 10, "sharpness_threshold": 20])
        try writer.close()
        let run = try RunData.load(path, figure: .sharpness, label: nil)
        defer { run.close() }
        #expect(run.threshold(.hessian)?.y.first == 20)
        #expect(run.thresholdName(.hessian) == "2/η")
        _ = try FigureBuilder.draw(.sharpness, runs: [path]).figure.record()
    }
}
