// Run files the fuzzer (scripts/fuzz runfile) found that crashed the reader; each must now be an
// error. The fuzzer's own inputs are in fuzz/corpus/runfile/regression-*.

import CHDF5
import Foundation
import RunStore
import Testing

@Suite("Run-file reader on inputs the fuzzer found")
struct RunFileFuzzRegressionTests {
    @Test("a dataset whose extent claims far more than the file stores is malformed, not an impossible allocation")
    func hugeExtent() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("curv-huge-\(UUID().uuidString).h5").path
        defer { unlink(path) }
        _ = curv_h5_silence_errors()
        let file = H5Fcreate(path, curv_h5_acc_trunc(), curv_h5_p_default(), curv_h5_p_default())
        try #require(file >= 0)
        // Chunked and never written: HDF5 keeps the extent (2^50 doubles) and stores no data.
        var dims: [hsize_t] = [1 << 50], maxdims: [hsize_t] = [curv_h5_s_unlimited()], chunk: [hsize_t] = [1024]
        let space = H5Screate_simple(1, &dims, &maxdims)
        let dcpl = H5Pcreate(curv_h5_plist_dataset_create())
        H5Pset_chunk(dcpl, 1, &chunk)
        let dataset = H5Dcreate2(file, "huge", curv_h5_ieee_f64le(), space, curv_h5_p_default(), dcpl, curv_h5_p_default())
        try #require(dataset >= 0)
        H5Dclose(dataset); H5Pclose(dcpl); H5Sclose(space); H5Fclose(file)

        let error = try #require(throws: RunStoreError.self) { try RunManifest.entries(of: path) }
        #expect(error.kind == .malformed && error.object == "/huge", "\(error)")
        #expect(error.description.contains("stores 0 bytes"), "\(error)")
    }

    @Test("a metrics column whose extent was damaged to 2^50 rows is malformed at once, not a hang stepping back one chunk at a time")
    func hugeAppendedExtent() throws {
        let scratch = ScratchDirectory("fuzz")
        defer { scratch.cleanUp() }
        let path = scratch.path("run.h5")
        try writeSampleRun(at: path) { file in
            let dataset = H5Dopen2(file, "/metrics/step", curv_h5_p_default())
            var extent: [hsize_t] = [1 << 50]
            #expect(H5Dset_extent(dataset, &extent) >= 0)
            H5Dclose(dataset)
        }

        // On a thread of its own, so that a hang fails the test instead of stopping the suite.
        let outcome = Outcome()
        let finished = DispatchSemaphore(value: 0)
        Thread {
            outcome.result = Result { try RunReader.open(path).metrics() }
            finished.signal()
        }.start()
        guard finished.wait(timeout: .now() + 60) == .success, let result = outcome.result else {
            Issue.record("reading the metrics did not finish within 60 s")
            return
        }
        #expect(throws: RunStoreError.self) { try result.get() }
        guard case .failure(let error as RunStoreError) = result else { return }
        #expect(error.kind == .malformed && error.object == "/metrics/step", "\(error)")
        #expect(error.description.contains("claims \(1 << 50) elements"), "\(error)")
    }

    @Test("a link back to an enclosing group (soft or hard) is listed once by the manifest, not walked forever",
          arguments: ["soft", "hard"])
    func linkCycle(kind: String) throws {
        let scratch = ScratchDirectory("fuzz")
        defer { scratch.cleanUp() }
        let path = scratch.path("run.h5")
        try writeSampleRun(at: path) { file in
            let status = kind == "soft"
                ? H5Lcreate_soft("/", file, "/checkpoints/10/loop", curv_h5_p_default(), curv_h5_p_default())
                : H5Lcreate_hard(file, "/checkpoints", file, "/checkpoints/10/weights/loop", curv_h5_p_default(), curv_h5_p_default())
            #expect(status >= 0)
        }

        let entries = try RunManifest.entries(of: path)
        let loop = kind == "soft" ? "/checkpoints/10/loop" : "/checkpoints/10/weights/loop"
        #expect(entries.filter { $0.path == loop }.map(\.kind) == [.group])
        #expect(!entries.contains { $0.path.hasPrefix(loop + "/") }, "walked into \(loop)")
        #expect(entries.contains { $0.path.hasPrefix("/checkpoints/10/weights/") && $0.kind == .dataset })
        let reader = try RunReader.open(path)
        defer { reader.close() }
        _ = try RunSummary.json(reader)
        #expect(try reader.checkpointSteps() == SampleRun.steps)
    }

    @Test("an analysis whose stored tridiagonals do not match is left out of analyses(), where readers of many take them unchecked")
    func analysisTridiagonalMismatch() throws {
        let scratch = ScratchDirectory("fuzz")
        defer { scratch.cleanUp() }
        let path = scratch.path("run.h5")
        try SampleRun.write(to: path, Float.self)   // analyses 0000 (step 10) and 0001 (step 20)
        _ = curv_h5_silence_errors()
        let file = H5Fopen(path, curv_h5_acc_rdwr(), curv_h5_p_default())
        try #require(file >= 0)
        // beta [2][6] beside alpha [2][6]: one entry too many per probe.
        H5Ldelete(file, "/analyses/0000/beta", curv_h5_p_default())
        var dims: [hsize_t] = [2, 6]
        let space = H5Screate_simple(2, &dims, nil)
        let dataset = H5Dcreate2(file, "/analyses/0000/beta", curv_h5_ieee_f64le(), space, curv_h5_p_default(), curv_h5_p_default(), curv_h5_p_default())
        var values = [Double](repeating: 0.5, count: 12)
        #expect(H5Dwrite(dataset, curv_h5_native_double(), curv_h5_s_all(), curv_h5_s_all(), curv_h5_p_default(), &values) >= 0)
        H5Dclose(dataset); H5Sclose(space); H5Fclose(file)

        let reader = try RunReader.open(path)
        #expect(try reader.analyses().map(\.id) == ["0001"])
        let error = try #require(throws: RunStoreError.self) { try reader.analysis("0000") }
        #expect(error.kind == .malformed && error.detail.contains("do not match"), "\(error)")
        reader.close()
    }

    @Test("an analysis step below 0 is refused when written and left out when read")
    func negativeAnalysisStep() throws {
        let scratch = ScratchDirectory("fuzz")
        defer { scratch.cleanUp() }
        let path = scratch.path("run.h5")
        try SampleRun.write(to: path, Float.self)   // analyses 0000 (step 10) and 0001 (step 20)
        let writer = try AnalysisWriter.open(path)
        var negative = SampleRun.analysis(step: 10)
        negative.step = -1
        let refused = try #require(throws: RunStoreError.self) { try writer.append(negative) }
        #expect(refused.kind == .invalidArgument && refused.detail.contains("negative"), "\(refused)")
        try writer.close()
        _ = curv_h5_silence_errors()
        let file = H5Fopen(path, curv_h5_acc_rdwr(), curv_h5_p_default())
        try #require(file >= 0)
        let group = H5Gopen2(file, "/analyses/0000", curv_h5_p_default())
        var step: Int64 = -5
        #expect(H5Awrite(H5Aopen(group, "step", curv_h5_p_default()), curv_h5_native_int64(), &step) >= 0)
        H5Gclose(group); H5Fclose(file)

        let reader = try RunReader.open(path)
        defer { reader.close() }
        #expect(try reader.analyses().map(\.id) == ["0001"])
        let error = try #require(throws: RunStoreError.self) { try reader.analysis("0000") }
        #expect(error.kind == .notFound(what: "analysis 0000", available: ["0001"]), "\(error)")
    }

    // Found by the runplan fuzzer's build without AddressSanitizer (glibc's heap check, after an
    // edit gave an attribute a shape): stringAttribute read into room for one string whatever the
    // attribute held, so HDF5 wrote past it. ASan did not see it: its reports from HDF5's own
    // memcpy are suppressed (fuzz/asan-suppressions.txt).
    @Test("string attributes of several elements are read whole by the manifest and refused where one string is expected")
    func stringAttributeArrays() throws {
        let scratch = ScratchDirectory("fuzz")
        defer { scratch.cleanUp() }
        let path = scratch.path("run.h5")
        try writeSampleRun(at: path) { file in
            for (name, size, texts) in [("software", curv_h5_variable(), ["a", "bb", "ccc"]), ("created", 8, ["2026", "11", "30", "x"])] {
                H5Adelete(file, name)
                let type = H5Tcopy(curv_h5_c_s1())
                H5Tset_size(type, size)
                H5Tset_cset(type, curv_h5_cset_utf8())
                var dims = [hsize_t(texts.count)]
                let space = H5Screate_simple(1, &dims, nil)
                let attribute = H5Acreate2(file, name, type, space, curv_h5_p_default(), curv_h5_p_default())
                if size == curv_h5_variable() {
                    let copies = texts.map { strdup($0) }
                    var pointers = copies.map { UnsafePointer($0) }
                    #expect(H5Awrite(attribute, type, &pointers) >= 0)
                    copies.forEach { free($0) }
                } else {
                    var bytes = texts.flatMap { Array($0.utf8) + [UInt8](repeating: 0, count: 8 - $0.utf8.count) }
                    #expect(H5Awrite(attribute, type, &bytes) >= 0)
                }
                H5Aclose(attribute); H5Sclose(space); H5Tclose(type)
            }
        }
        let entries = try RunManifest.entries(of: path)
        #expect(entries.first { $0.path == "/@software" }?.values == [.string("a"), .string("bb"), .string("ccc")])
        #expect(entries.first { $0.path == "/@created" }?.values == ["2026", "11", "30", "x"].map { .string($0) })
        let reader = try RunReader.open(path)   // software and created are optional: unreadable reads as ""
        defer { reader.close() }
        #expect(reader.software == "" && reader.created == "")
    }

    private final class Outcome: @unchecked Sendable {
        var result: Result<MetricsTable, Error>?
    }
}
