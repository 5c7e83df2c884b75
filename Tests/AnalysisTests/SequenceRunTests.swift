// Recorded runs on sequence data: the Hessian batch stored by the recorder (labels [n, T], the
// text vocabulary) rebuilds into the examples the run was taken over, embedded or from the data.
// A one-block Transformer of width 4 reads them: what is checked is the data, not the model.

import Analysis
import Foundation
import RunStore
import Testing
import Training

@Suite("Sequence runs")
struct SequenceRunTests {
    enum Source: String, CaseIterable { case copy, text }

    @Test("the Hessian batch of a sequence run rebuilds to the prepared examples: features, labels [n, T], one-hot targets [n, T * V]",
          arguments: Source.allCases, [true, false])
    func rebuild(source: Source, embedded: Bool) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("curv-sequence-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var c = RunConfig()
        c.steps = 1
        c.dtype = "f64"
        c.data.normalize = .none
        switch source {
        case .copy:
            c.data.source = .copy
            c.data.count = 40
            c.data.context = 6
            c.data.symbols = 4
        case .text:
            let url = dir.appendingPathComponent("corpus.txt")
            try Data(String(repeating: "How vexingly quick daft zebras jump! ", count: 8).utf8).write(to: url)
            c.data.source = .text
            c.data.path = url.path
            c.data.context = 6
            c.data.count = 0
        }
        c.model.kind = "transformer"
        c.model.width = 4
        c.model.heads = 1
        c.model.layers = 1
        c.record.sharpnessEvery = 0
        c.record.hessianExamples = 16
        c.record.embedLimit = embedded ? 50_000_000 : 0
        let path = dir.appendingPathComponent("run.h5").path
        _ = try Recorder.record(c, options: RecordOptions(outputPath: path, progress: .quiet))

        let prepared = try PreparedData.prepare(c)
        let expected = prepared.hessianBatch
        let reader = try RunReader.open(path)
        defer { reader.close() }
        let stored = try #require(try reader.hessianBatch(as: Double.self))
        #expect(stored.positions == 6 && stored.classes == expected.classes && stored.indices.count == 16)
        #expect(try reader.dataProvenance().vocabulary == expected.vocabulary)
        // The size beside the SHA-256: the corpus file's bytes, or 40 windows of T + 1 = 7 tokens as Float64.
        let corpusBytes = source == .text ? try Data(contentsOf: URL(fileURLWithPath: c.data.path)).count : 40 * 7 * 8
        #expect(try reader.dataProvenance().bytes == corpusBytes)
        #expect((expected.vocabulary != nil) == (source == .text))
        if embedded {
            #expect(stored.labels == expected.labels!.map { Int64($0) })
            #expect(stored.inputs?.shape == [16, 6] && stored.inputs?.values == expected.features.scalars)
        } else {
            #expect(stored.labels == nil && stored.inputs == nil)
        }
        let model = try RunModel<Double>(reader: reader)
        #expect(model.surface.examples.inputs == expected.features)
        #expect(model.surface.examples.targets == expected.targets)
        #expect(model.surface.examples.targets.shape == [16, 6 * expected.classes])
        #expect(model.batchSource.contains(embedded ? "embedded" : "rebuilt"))
    }
}
