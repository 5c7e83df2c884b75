// Sequence data in run files (format 1.3): a Hessian batch of token windows with labels [n, T],
// its positions and classes, and the text vocabulary under /data; files written before read as before.

import CHDF5
import Foundation
import RunStore
import Testing

@Suite("Sequence Hessian batches")
struct SequenceBatchTests {
    static let vocabulary: [UInt8] = Array("\n !,.?abcdefghijklmnopqrstuvwxyz".utf8)

    /// n = 5 windows of T = 3 next-token labels over V classes, inputs the token ids.
    static func batch<T: StoredFloat>(_: T.Type) -> HessianBatch<T> {
        let (n, t, v) = (5, 3, vocabulary.count)
        var generator = SplitMix64(seed: 11)
        let tokens = (0..<(n * (t + 1))).map { _ in Int64(generator.next() % UInt64(v)) }
        let windows = (0..<n).map { Array(tokens[($0 * (t + 1))..<(($0 + 1) * (t + 1))]) }
        return HessianBatch(indices: [4, 0, 2, 9, 7],
                            inputs: NamedArray(name: "inputs", shape: [n, t], values: windows.flatMap { $0.prefix(t).map { T($0) } }),
                            labels: windows.flatMap { $0.suffix(t) }, positions: t, classes: v)
    }

    static let header: RunHeader = {
        var header = SampleRun.header
        header.data = DataProvenance(name: "text", path: "/usr/share/games/fortunes/riddles", sha256: String(repeating: "cd", count: 32),
                                     vocabulary: vocabulary)
        return header
    }()

    static func write<T: StoredFloat>(to path: String, _: T.Type) throws {
        let writer = try RunWriter.create(at: path, header: header, options: .init(overwrite: true))
        try writer.writeHessianBatch(batch(T.self))
        try writer.appendMetrics(step: 0, ["loss": 3.4])
        try writer.close()
    }

    func roundTrip<T: StoredFloat>(_ type: T.Type) throws {
        let (reader, scratch) = try writtenRun("sequence") { try Self.write(to: $0, T.self) }
        defer { reader.close(); scratch.cleanUp() }
        let path = reader.path
        #expect(reader.formatVersion == RunFormat.version)
        let batch = try #require(try reader.hessianBatch(as: T.self))
        #expect(batch == Self.batch(T.self))
        #expect(batch.positions == 3 && batch.classes == Self.vocabulary.count && batch.labels?.count == 15)
        #expect(try reader.dataProvenance().vocabulary == Self.vocabulary)
        #expect(try reader.header() == Self.header)

        // On disk: labels int64 [n, T], the counts as attributes, the vocabulary uint8 [V].
        let entries = Dictionary(uniqueKeysWithValues: try RunManifest.entries(of: path).map { ($0.path, $0) })
        let labels = try #require(entries["/data/hessian_batch/labels"])
        #expect(labels.dtype == "<i8" && labels.shape == [5, 3])
        #expect(labels.values == Self.batch(T.self).labels!.map { .int(Int($0)) })
        #expect(entries["/data/hessian_batch@positions"]?.values == [.int(3)])
        #expect(entries["/data/hessian_batch@classes"]?.values == [.int(Self.vocabulary.count)])
        let vocabulary = try #require(entries["/data/vocabulary"])
        #expect(vocabulary.dtype == "|u1" && vocabulary.shape == [Self.vocabulary.count])
        #expect(vocabulary.values == Self.vocabulary.map { .int(Int($0)) })
        #expect(try RunSummary.text(reader).contains("labels [5, 3] (next tokens over \(Self.vocabulary.count) tokens)"))
    }

    @Test("a sequence batch and the vocabulary read back equal, in Float32") func float32() throws { try roundTrip(Float.self) }
    @Test("a sequence batch and the vocabulary read back equal, in Float64") func float64() throws { try roundTrip(Double.self) }

    @Test("a run written before format 1.3 reads as before: one label per example, no positions, no vocabulary")
    func oldFormat() throws {
        let reader = try RunReader.open(packageRoot().appendingPathComponent("fixtures/runs/sample.h5").path)
        defer { reader.close() }
        #expect(reader.formatVersion == "1.0")
        let batch = try #require(try reader.hessianBatch(as: Float.self))
        #expect(batch == SampleRun.batch(Float.self))
        #expect(batch.positions == nil && batch.classes == nil && batch.labels == [0, 2, 1, 2])
        #expect(try reader.dataProvenance().vocabulary == nil)
    }

    @Test("labels that do not fill n x positions, or lie outside the classes, are refused when written")
    func badBatches() throws {
        let scratch = ScratchDirectory("sequence-bad")
        defer { scratch.cleanUp() }
        var short = Self.batch(Double.self)
        short.labels!.removeLast()
        var outside = Self.batch(Double.self)
        outside.labels![7] = Int64(Self.vocabulary.count)
        var zero = Self.batch(Double.self)
        zero.positions = 0
        for (name, batch, fragment) in [("short", short, "14 labels for 5 examples of 3 positions"),
                                        ("outside", outside, "labels outside 0..<\(Self.vocabulary.count)"),
                                        ("zero", zero, "0 label positions")] {
            let writer = try RunWriter.create(at: scratch.path("\(name).h5"), header: Self.header)
            let error = try #require(throws: RunStoreError.self) { try writer.writeHessianBatch(batch) }
            #expect(error.kind == .invalidArgument && "\(error)".contains(fragment), "\(error)")
            try writer.close()
        }
    }

    @Test("labels whose shape disagrees with the recorded positions are reported as damage")
    func damagedLabels() throws {
        let scratch = ScratchDirectory("sequence-damaged")
        defer { scratch.cleanUp() }
        let path = scratch.path("run.h5")
        var batch = Self.batch(Double.self)
        batch.positions = nil  // written as [n] labels ...
        batch.labels = Array(batch.labels!.prefix(5))
        let writer = try RunWriter.create(at: path, header: Self.header)
        try writer.writeHessianBatch(batch)
        try writer.close()
        // ... then given a positions attribute they do not match.
        _ = curv_h5_silence_errors()
        let file = H5Fopen(path, curv_h5_acc_rdwr(), curv_h5_p_default())
        try #require(file >= 0)
        let group = H5Gopen2(file, "/data/hessian_batch", curv_h5_p_default())
        var value: Int64 = 3
        let space = H5Screate(H5S_SCALAR)
        let attribute = H5Acreate2(group, "positions", curv_h5_std_i64le(), space, curv_h5_p_default(), curv_h5_p_default())
        #expect(H5Awrite(attribute, curv_h5_native_int64(), &value) >= 0)
        H5Aclose(attribute); H5Sclose(space); H5Gclose(group); H5Fclose(file)
        let reader = try RunReader.open(path)
        defer { reader.close() }
        let error = try #require(throws: RunStoreError.self) { try reader.hessianBatch(as: Double.self) }
        #expect(error.kind == .malformed && "\(error)".contains("shape [5], expected [5, 3]"), "\(error)")
    }
}
