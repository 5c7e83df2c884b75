// Every committed fuzz input (seeds and the regression-* inputs that once crashed a reader) run
// through its fuzz target in the ordinary test build: a reader change that brings back a crash
// fails here, without building the fuzzers.

@testable import CurvatureFuzz
import Foundation
import RunStore
import Testing

@Suite("Fuzz corpus", .serialized)
struct CorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fuzz/corpus")

    @Test("each target's committed inputs run without trapping", arguments: FuzzTarget.allCases)
    func replay(target: FuzzTarget) throws {
        defer { ScratchFile.removeAll() }
        let directory = Self.corpus.appendingPathComponent(target.rawValue)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names.contains { $0.hasPrefix("seed-") }, "no seeds in \(directory.path)")
        for name in names {
            target.run([UInt8](try Data(contentsOf: directory.appendingPathComponent(name))))
        }
    }

    @Test("the empty runplan input records a complete run, which curv-density analyses with the model rebuilt")
    func completeRun() throws {
        defer { ScratchFile.removeAll() }
        FuzzTarget.runplan.run([])
        let reader = try RunReader.open(ScratchFile.fresh(name: "plan.h5", keep: true).path)
        defer { reader.close() }
        #expect(try reader.checkpointSteps() == [10])
        #expect(try reader.spectrumKeys().map(\.step) == [10])
        #expect(try reader.metrics().steps == [0])
        #expect(try reader.events().count == 1)
        #expect(try reader.hessianBatch(as: Double.self)?.inputs?.shape == [3, 3])
        let analyses = try reader.analyses()
        #expect(analyses.count == 1)
        #expect(analyses.first?.analysis.source.hasPrefix("/checkpoints/10/weights") == true, "\(analyses)")
        #expect(analyses.first?.analysis.topEigenvalues.count == 1)
    }
}
