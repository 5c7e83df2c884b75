// Every record kind written and read back, in Float32 and Float64.

import Foundation
import RunStore
import Testing

@Suite("Round trips")
struct RoundTripTests {
    func roundTrip<T: StoredFloat>(_ type: T.Type) throws {
        let (reader, scratch) = try writtenRun("roundtrip") { try SampleRun.write(to: $0, T.self) }
        defer { reader.close(); scratch.cleanUp() }
        #expect(reader.formatVersion == RunFormat.version)
        #expect(reader.software == RunFormat.software)
        #expect(reader.created.hasSuffix("Z"))
        #expect(try reader.header() == SampleRun.header)

        let batch = try #require(try reader.hessianBatch(as: T.self))
        #expect(batch == SampleRun.batch(T.self))

        #expect(try reader.checkpointSteps() == SampleRun.steps)
        for step in SampleRun.steps {
            #expect(try reader.checkpointDType(at: step) == T.storedDType)
            #expect(try reader.checkpoint(at: step, as: T.self) == sortedCheckpoint(SampleRun.checkpoint(step: step, T.self)))
            let big = try reader.tensor("big", at: step, part: .weights, as: T.self)
            #expect(big == SampleRun.checkpoint(step: step, T.self).weights[4])
            #expect(try reader.learningRate(at: step) == 0.05 / Double(step + 1))
        }

        let keys = try reader.spectrumKeys()
        #expect(keys.map(\.step) == [0, 0, 10, 10, 20, 20])
        #expect(keys.map(\.operator) == [.hessian, .preconditioned, .hessian, .preconditioned, .hessian, .preconditioned])
        for step in SampleRun.steps {
            for op in SpectralOperator.allCases {
                #expect(try reader.spectrum(at: step, operator: op) == SampleRun.spectrum(step: step, op))
            }
        }

        let metrics = try reader.metrics()
        #expect(metrics.steps == Array(0..<40))
        #expect(metrics.names == ["accuracy", "loss", "lr", "sharpness"])
        for (row, expected) in SampleRun.metricsRows.enumerated() {
            for name in metrics.names {
                let value = metrics[name][row]
                if let wanted = expected.values[name] { #expect(value == wanted) } else { #expect(value.isNaN) }
            }
        }
        #expect(try reader.events() == SampleRun.events)

        let analyses = try reader.analyses()
        #expect(analyses.map(\.id) == ["0000", "0001"])
        #expect(analyses.map(\.analysis) == [SampleRun.analysis(step: 10), SampleRun.analysis(step: 20)])
        #expect(analyses.allSatisfy { $0.software == RunFormat.software && $0.created.hasSuffix("Z") })
    }

    /// Checkpoints read back with tensors sorted by name (HDF5 lists members by name).
    func sortedCheckpoint<T>(_ checkpoint: Checkpoint<T>) -> Checkpoint<T> {
        var sorted = checkpoint
        sorted.weights.sort { $0.name < $1.name }
        sorted.gradients.sort { $0.name < $1.name }
        sorted.optimizer.slots = sorted.optimizer.slots.mapValues { $0.sorted { $0.name < $1.name } }
        return sorted
    }

    @Test("every record kind in Float32") func float32() throws { try roundTrip(Float.self) }
    @Test("every record kind in Float64") func float64() throws { try roundTrip(Double.self) }

    @Test("Float32 tensors read as Float64 and back, exactly")
    func conversion() throws {
        let scratch = ScratchDirectory("convert")
        defer { scratch.cleanUp() }
        let path = scratch.path("run.h5")
        try SampleRun.write(to: path, Float.self, withAnalysis: false)
        let reader = try RunReader.open(path)
        let asDouble = try reader.tensor("big", at: 10, as: Double.self)
        let original = SampleRun.checkpoint(step: 10, Float.self).weights[4]
        #expect(asDouble.values == original.values.map { Double($0) })
        #expect(asDouble.shape == [32, 128])
    }

    @Test("special values survive: NaN, infinities, subnormals, signed zero")
    func specialValues() throws {
        let scratch = ScratchDirectory("special")
        defer { scratch.cleanUp() }
        let path = scratch.path("run.h5")
        let values: [Double] = [.nan, .infinity, -.infinity, .leastNonzeroMagnitude, -0.0, .greatestFiniteMagnitude]
        let writer = try RunWriter.create(at: path, header: SampleRun.header)
        try writer.writeCheckpoint(Checkpoint(step: 5, learningRate: 0.1,
                                              weights: [NamedArray(name: "w", shape: [2, 3], values: values),
                                                        NamedArray(name: "scalar", shape: [], values: [7.5])],
                                              optimizer: OptimizerState(kind: "sgd", stepCount: 5)))
        try writer.appendMetrics(step: 0, ["loss": .infinity])
        try writer.close()
        let reader = try RunReader.open(path)
        let read = try reader.tensor("w", at: 5, as: Double.self).values
        #expect(read.map(\.bitPattern) == values.map(\.bitPattern))
        #expect(try reader.tensor("scalar", at: 5, as: Double.self) == NamedArray(name: "scalar", shape: [], values: [7.5]))
        #expect(try reader.metrics()["loss"] == [.infinity])
        #expect(try reader.checkpoint(at: 5, as: Double.self).gradients.isEmpty)
    }

    @Test("step selection: all, latest, a list; unknown steps are errors naming the available ones")
    func stepSelection() throws {
        let scratch = ScratchDirectory("select")
        defer { scratch.cleanUp() }
        let path = scratch.path("run.h5")
        try SampleRun.write(to: path, Float.self, withAnalysis: false)
        let reader = try RunReader.open(path)
        #expect(try reader.selectCheckpointSteps(.all) == [0, 10, 20])
        #expect(try reader.selectCheckpointSteps(.latest) == [20])
        #expect(try reader.selectCheckpointSteps(StepSelection("20,0")!) == [20, 0])
        #expect(StepSelection("1,x") == nil)
        let error = try #require(throws: RunStoreError.self) { try reader.selectCheckpointSteps(.steps([0, 15])) }
        #expect(error.kind == .notFound(what: "checkpoint 15", available: ["0", "10", "20"]))
        #expect(error.description.contains("0, 10, 20"))
    }
}
