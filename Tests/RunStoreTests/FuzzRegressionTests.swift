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
}
