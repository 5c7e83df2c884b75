// Bad input: each failure is a typed error naming the file and the problem, curv-inspect exits
// non-zero with that message, and the file is left exactly as it was.

import CHDF5
import Foundation
import RunStore
import Testing

/// Creates a plain HDF5 file; with `formatVersion`, gives it that root attribute (as a run has).
private func makePlainHDF5(_ path: String, formatVersion: String? = nil) throws {
    _ = curv_h5_silence_errors()
    let file = H5Fcreate(path, curv_h5_acc_trunc(), curv_h5_p_default(), curv_h5_p_default())
    try #require(file >= 0)
    defer { H5Fclose(file) }
    let group = H5Gcreate2(file, "something_else", curv_h5_p_default(), curv_h5_p_default(), curv_h5_p_default())
    H5Gclose(group)
    guard let formatVersion else { return }
    let type = H5Tcopy(curv_h5_c_s1())
    H5Tset_size(type, curv_h5_variable())
    H5Tset_cset(type, curv_h5_cset_utf8())
    defer { H5Tclose(type) }
    let space = H5Screate(H5S_SCALAR)
    defer { H5Sclose(space) }
    let attribute = H5Acreate2(file, "format_version", type, space, curv_h5_p_default(), curv_h5_p_default())
    defer { H5Aclose(attribute) }
    try formatVersion.withCString { text in
        var pointer: UnsafePointer<CChar>? = text
        try #require(H5Awrite(attribute, type, &pointer) >= 0)
    }
}

/// The file's bytes and modification time, to prove nothing changed.
private func snapshot(_ path: String) -> (Data?, Date?) {
    (FileManager.default.contents(atPath: path),
     (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date)
}

@Suite("Bad input")
struct BadInputTests {
    /// Opens `path`, expecting `kind`; checks the message names the file, the file is unchanged,
    /// and curv-inspect fails with the same message. Returns the error text.
    @discardableResult
    func expectFailure(_ path: String, _ matches: (RunStoreError.Kind) -> Bool, mentions words: [String] = []) throws -> String {
        let before = snapshot(path)
        let error = try #require(throws: RunStoreError.self) { try RunReader.open(path) }
        #expect(matches(error.kind), "unexpected kind \(error.kind)")
        #expect(error.file == path)
        #expect(error.description.contains(path))
        for word in words { #expect(error.description.contains(word), "'\(word)' not in: \(error)") }
        #expect(throws: RunStoreError.self) { try AnalysisWriter.open(path) }
        let inspect = try run(builtExecutable("curv-inspect"), [path])
        #expect(inspect.status != 0)
        #expect(inspect.stderr.contains(path) && inspect.stderr.contains(error.detail), "stderr: \(inspect.stderr)")
        let json = try run(builtExecutable("curv-inspect"), [path, "--json"])
        #expect(json.status != 0 && json.stdout.isEmpty)
        let after = snapshot(path)
        #expect(before.0 == after.0 && before.1 == after.1, "the file was modified")
        return error.description
    }

    @Test("missing file") func missing() throws {
        let scratch = ScratchDirectory("bad")
        defer { scratch.cleanUp() }
        try expectFailure(scratch.path("nope.h5"), { $0 == .fileNotFound }, mentions: ["no such file"])
        #expect(!FileManager.default.fileExists(atPath: scratch.path("nope.h5")))
    }

    @Test("a text file is not HDF5") func notHDF5() throws {
        let scratch = ScratchDirectory("bad")
        defer { scratch.cleanUp() }
        let path = scratch.path("notes.h5")
        try "step,loss\n0,2.3\n".write(toFile: path, atomically: true, encoding: .utf8)
        try expectFailure(path, { $0 == .notHDF5 }, mentions: ["not an HDF5 file"])
    }

    @Test("an empty file is not HDF5") func empty() throws {
        let scratch = ScratchDirectory("bad")
        defer { scratch.cleanUp() }
        let path = scratch.path("empty.h5")
        FileManager.default.createFile(atPath: path, contents: Data())
        try expectFailure(path, { $0 == .notHDF5 })
    }

    @Test("a truncated run") func truncated() throws {
        let scratch = ScratchDirectory("bad")
        defer { scratch.cleanUp() }
        let full = scratch.path("full.h5"), path = scratch.path("cut.h5")
        try SampleRun.write(to: full, Float.self)
        let bytes = try #require(FileManager.default.contents(atPath: full))
        FileManager.default.createFile(atPath: path, contents: bytes.prefix(bytes.count / 2))
        try expectFailure(path, { $0 == .truncated }, mentions: ["truncated"])
    }

    @Test("an HDF5 file that is not a run") func notARun() throws {
        let scratch = ScratchDirectory("bad")
        defer { scratch.cleanUp() }
        let path = scratch.path("other.h5")
        try makePlainHDF5(path)
        try expectFailure(path, { $0 == .notARun }, mentions: ["not a Curvature run", "format_version"])
    }

    @Test("a newer major format version") func newerVersion() throws {
        let scratch = ScratchDirectory("bad")
        defer { scratch.cleanUp() }
        let path = scratch.path("future.h5")
        try makePlainHDF5(path, formatVersion: "2.1")
        try expectFailure(path, { $0 == .unsupportedVersion(found: "2.1", supported: ["1.x"]) }, mentions: ["2.1", "1.x"])
    }

    @Test("a run of the same major version with a newer minor version opens")
    func newerMinor() throws {
        // Same check as for the major version, on a real run: only the major version matters.
        let scratch = ScratchDirectory("bad")
        defer { scratch.cleanUp() }
        let path = scratch.path("run.h5")
        try writeSampleRun(at: path) { H5Adelete($0, "format_version") }
        try makeVersionAttribute(path, "1.9")
        let reader = try RunReader.open(path)
        #expect(reader.formatVersion == "1.9")
        #expect(try reader.checkpointSteps() == SampleRun.steps)
    }

    private func makeVersionAttribute(_ path: String, _ version: String) throws {
        let file = H5Fopen(path, curv_h5_acc_rdwr(), curv_h5_p_default())
        try #require(file >= 0)
        defer { H5Fclose(file) }
        let type = H5Tcopy(curv_h5_c_s1())
        H5Tset_size(type, curv_h5_variable())
        defer { H5Tclose(type) }
        let space = H5Screate(H5S_SCALAR)
        defer { H5Sclose(space) }
        let attribute = H5Acreate2(file, "format_version", type, space, curv_h5_p_default(), curv_h5_p_default())
        defer { H5Aclose(attribute) }
        try version.withCString { text in
            var pointer: UnsafePointer<CChar>? = text
            try #require(H5Awrite(attribute, type, &pointer) >= 0)
        }
    }

    @Test("unknown checkpoint step, tensor, spectrum and analysis")
    func unknownRecords() throws {
        let scratch = ScratchDirectory("bad")
        defer { scratch.cleanUp() }
        let path = scratch.path("run.h5")
        try SampleRun.write(to: path, Double.self)
        let before = snapshot(path)
        let reader = try RunReader.open(path)
        let step = try #require(throws: RunStoreError.self) { try reader.checkpoint(at: 15, as: Double.self) }
        #expect(step.kind == .notFound(what: "checkpoint 15", available: ["0", "10", "20"]))
        #expect(step.description.contains(path) && step.description.contains("no checkpoint at step 15"))
        let tensor = try #require(throws: RunStoreError.self) { try reader.tensor("nope", at: 10, as: Double.self) }
        #expect(tensor.description.contains("layer0.weight"))
        #expect(throws: RunStoreError.self) { try reader.spectrum(at: 5, operator: .hessian) }
        #expect(throws: RunStoreError.self) { try reader.analysis("9999") }
        reader.close()
        #expect(snapshot(path).0 == before.0)
    }

    @Test("a checkpoint group named -5 is skipped like any incomplete record, and tridiagonals of mismatched lengths are malformed, not trapped on")
    func tamperedRecords() throws {
        let runs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures/bad/runs")
        let minus = runs.appendingPathComponent("checkpoint-minus-5.h5").path
        let reader = try RunReader.open(minus)
        #expect(try reader.checkpointSteps() == [])
        reader.close()
        let mismatch = runs.appendingPathComponent("tridiagonal-mismatch.h5").path
        let spectra = try RunReader.open(mismatch)
        defer { spectra.close() }
        #expect(try spectra.spectrum(at: 0, operator: .hessian).alpha.count == 2)
        let bad = try #require(throws: RunStoreError.self) { try spectra.spectrum(at: 4, operator: .hessian) }
        #expect(bad.kind == .malformed && bad.object == "/spectra/4/hessian")
        #expect(bad.detail.contains("alpha [2][6] and beta [2][2]"), "\(bad)")
    }

    @Test("create refuses to overwrite, and overwrite replaces atomically")
    func overwrite() throws {
        let scratch = ScratchDirectory("bad")
        defer { scratch.cleanUp() }
        let path = scratch.path("run.h5")
        try "precious".write(toFile: path, atomically: true, encoding: .utf8)
        let error = try #require(throws: RunStoreError.self) { try RunWriter.create(at: path, header: SampleRun.header) }
        #expect(error.kind == .alreadyExists)
        #expect(error.description.contains("overwrite"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "precious")

        let writer = try RunWriter.create(at: path, header: SampleRun.header, options: .init(overwrite: true))
        try writer.appendMetrics(step: 0, ["loss": 1])
        try writer.close()
        #expect(try RunReader.open(path).metrics().steps == [0])
        // No temporary file is left beside the run.
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path) == ["run.h5"])
    }

    @Test("invalid records are rejected before anything is written")
    func invalidRecords() throws {
        let scratch = ScratchDirectory("bad")
        defer { scratch.cleanUp() }
        let path = scratch.path("run.h5")
        let writer = try RunWriter.create(at: path, header: SampleRun.header)
        let bad = Checkpoint<Float>(step: 1, learningRate: 0.1,
                                    weights: [NamedArray(name: "w", shape: [2, 2], values: [1, 2, 3])],
                                    optimizer: OptimizerState(kind: "sgd", stepCount: 1))
        #expect(throws: RunStoreError.self) { try writer.writeCheckpoint(bad) }
        let slash = Checkpoint<Float>(step: 1, learningRate: 0.1, weights: [NamedArray(name: "a/b", shape: [1], values: [1])],
                                      optimizer: OptimizerState(kind: "sgd", stepCount: 1))
        #expect(throws: RunStoreError.self) { try writer.writeCheckpoint(slash) }
        #expect(throws: RunStoreError.self) { try writer.appendMetrics(step: 0, ["step": 1]) }
        #expect(throws: RunStoreError.self) {
            try writer.writeSpectrum(Spectrum(step: 0, operator: .hessian, eigenvalues: [1], residuals: [0],
                                              alpha: [[1, 2]], beta: [[1, 2]], seed: 0, probeKind: "gaussian"))
        }
        let good = Checkpoint<Float>(step: 1, learningRate: 0.1, weights: [NamedArray(name: "w", shape: [1], values: [1])],
                                     optimizer: OptimizerState(kind: "sgd", stepCount: 1))
        try writer.writeCheckpoint(good)
        #expect(throws: RunStoreError.self) { try writer.writeCheckpoint(good) }  // same step twice
        try writer.close()
        #expect(throws: RunStoreError.self) { try writer.appendMetrics(step: 1, ["loss": 1]) }
        let reader = try RunReader.open(path)
        #expect(try reader.checkpointSteps() == [1])
        #expect(try reader.spectrumKeys().isEmpty)
        #expect(try reader.metrics().steps.isEmpty)
    }
}
