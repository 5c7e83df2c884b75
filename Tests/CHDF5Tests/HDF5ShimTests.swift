// Proves that the CHDF5 shim exposes what Swift cannot import from <hdf5.h>: the datatype,
// property-list and flag macros, and error handling without HDF5 printing to stderr.
// These tests call the C API directly; RunStore will wrap it for everyone else.

import CHDF5
import Foundation
import Testing

/// A path in the temporary directory that no other test uses; the file is removed by `body`'s caller.
private func temporaryPath(_ suffix: String) -> String {
    FileManager.default.temporaryDirectory
        .appendingPathComponent("curvature-chdf5-\(UUID().uuidString)\(suffix)").path
}

/// The message HDF5 left on this thread's error stack, or "" when there is none.
private func innermostError() -> String {
    var buffer = [CChar](repeating: 0, count: 512)
    let length = curv_h5_innermost_error(&buffer, buffer.count)
    return length > 0 ? String(cString: buffer) : ""
}

@Suite("CHDF5 shim")
struct HDF5ShimTests {
    @Test("macro values come through the inline functions")
    func constants() {
        #expect(curv_h5_native_double() >= 0)
        #expect(curv_h5_native_float() >= 0)
        #expect(curv_h5_native_int64() >= 0)
        #expect(curv_h5_native_uint8() >= 0)
        #expect(curv_h5_ieee_f64le() >= 0)
        #expect(curv_h5_c_s1() >= 0)
        #expect(curv_h5_plist_dataset_create() >= 0)
        #expect(curv_h5_plist_file_access() >= 0)
        #expect(H5Tget_size(curv_h5_native_double()) == 8)
        #expect(H5Tget_size(curv_h5_native_float()) == 4)
        #expect(H5Tget_size(curv_h5_std_i64le()) == 8)
        #expect(H5Tget_size(curv_h5_std_u8le()) == 1)
        #expect(H5Tequal(curv_h5_native_double(), curv_h5_ieee_f64le()) > 0)  // x86_64 is little-endian

        #expect(curv_h5_acc_rdonly() == 0x00)
        #expect(curv_h5_acc_rdwr() == 0x01)
        #expect(curv_h5_acc_trunc() == 0x02)
        #expect(curv_h5_acc_excl() == 0x04)
        #expect(curv_h5_acc_creat() == 0x10)
        #expect(curv_h5_acc_swmr_write() == 0x20)
        #expect(curv_h5_acc_swmr_read() == 0x40)
        #expect(curv_h5_acc_default() == 0xffff)

        #expect(curv_h5_s_unlimited() == UInt64.max)
        #expect(UInt(bitPattern: curv_h5_variable()) == UInt.max)  // size_t imports as Int
        #expect(curv_h5_p_default() == 0)
        #expect(curv_h5_s_all() == 0)
        #expect(curv_h5_libver_v110().rawValue > curv_h5_libver_earliest().rawValue)
    }

    @Test("Float64 dataset and UTF-8 string attribute survive a close and read-only reopen")
    func roundTrip() throws {
        // The thread-safe HDF5 build keeps this setting per thread: silence the one running the test
        // (a synchronous test body does not change threads).
        _ = curv_h5_silence_errors()
        let path = temporaryPath(".h5")
        defer { try? FileManager.default.removeItem(atPath: path) }

        let values: [Double] = [1.5, -2.25, 0, .pi, 1e-300, -.greatestFiniteMagnitude]
        let dims: [hsize_t] = [2, 3]
        let note = "λ_max ≤ 2/η, β₁ = 0.9"

        // Write: file (V110 format, as SWMR needs), dataset, attribute; close everything.
        do {
            let fapl = H5Pcreate(curv_h5_plist_file_access())
            try #require(fapl >= 0)
            defer { H5Pclose(fapl) }
            try #require(H5Pset_libver_bounds(fapl, curv_h5_libver_v110(), curv_h5_libver_v110()) >= 0)

            let file = H5Fcreate(path, curv_h5_acc_trunc(), curv_h5_p_default(), fapl)
            try #require(file >= 0, "H5Fcreate: \(innermostError())")
            defer { H5Fclose(file) }

            let space = H5Screate_simple(2, dims, nil)
            try #require(space >= 0)
            defer { H5Sclose(space) }
            let dataset = H5Dcreate2(file, "values", curv_h5_ieee_f64le(), space,
                                     curv_h5_p_default(), curv_h5_p_default(), curv_h5_p_default())
            try #require(dataset >= 0, "H5Dcreate2: \(innermostError())")
            defer { H5Dclose(dataset) }
            let written = values.withUnsafeBufferPointer {
                H5Dwrite(dataset, curv_h5_native_double(), curv_h5_s_all(), curv_h5_s_all(),
                         curv_h5_p_default(), $0.baseAddress)
            }
            try #require(written >= 0, "H5Dwrite: \(innermostError())")

            let stringType = H5Tcopy(curv_h5_c_s1())
            try #require(stringType >= 0)
            defer { H5Tclose(stringType) }
            try #require(H5Tset_size(stringType, curv_h5_variable()) >= 0)
            try #require(H5Tset_cset(stringType, curv_h5_cset_utf8()) >= 0)
            try #require(H5Tset_strpad(stringType, curv_h5_str_nullterm()) >= 0)

            let scalar = H5Screate(H5S_SCALAR)
            try #require(scalar >= 0)
            defer { H5Sclose(scalar) }
            let attribute = H5Acreate2(dataset, "note", stringType, scalar,
                                       curv_h5_p_default(), curv_h5_p_default())
            try #require(attribute >= 0, "H5Acreate2: \(innermostError())")
            defer { H5Aclose(attribute) }
            // A variable-length string is written as a pointer to its NUL-terminated bytes.
            let status = note.withCString { text -> herr_t in
                var pointer: UnsafePointer<CChar>? = text
                return H5Awrite(attribute, stringType, &pointer)
            }
            try #require(status >= 0, "H5Awrite: \(innermostError())")
        }

        // Read back from a read-only handle.
        let file = H5Fopen(path, curv_h5_acc_rdonly(), curv_h5_p_default())
        try #require(file >= 0, "H5Fopen: \(innermostError())")
        defer { H5Fclose(file) }
        let dataset = H5Dopen2(file, "values", curv_h5_p_default())
        try #require(dataset >= 0, "H5Dopen2: \(innermostError())")
        defer { H5Dclose(dataset) }

        let space = H5Dget_space(dataset)
        defer { H5Sclose(space) }
        var readDims: [hsize_t] = [0, 0]
        #expect(H5Sget_simple_extent_ndims(space) == 2)
        #expect(H5Sget_simple_extent_dims(space, &readDims, nil) == 2)
        #expect(readDims == dims)

        var readValues = [Double](repeating: .nan, count: values.count)
        let read = readValues.withUnsafeMutableBufferPointer {
            H5Dread(dataset, curv_h5_native_double(), curv_h5_s_all(), curv_h5_s_all(),
                    curv_h5_p_default(), $0.baseAddress)
        }
        #expect(read >= 0)
        #expect(readValues == values)

        let attribute = H5Aopen(dataset, "note", curv_h5_p_default())
        try #require(attribute >= 0, "H5Aopen: \(innermostError())")
        defer { H5Aclose(attribute) }
        let fileType = H5Aget_type(attribute)
        defer { H5Tclose(fileType) }
        #expect(H5Tis_variable_str(fileType) > 0)
        #expect(H5Tget_cset(fileType) == curv_h5_cset_utf8())

        let memoryType = H5Tcopy(curv_h5_c_s1())
        defer { H5Tclose(memoryType) }
        _ = H5Tset_size(memoryType, curv_h5_variable())
        _ = H5Tset_cset(memoryType, curv_h5_cset_utf8())
        var text: UnsafeMutablePointer<CChar>? = nil
        #expect(H5Aread(attribute, memoryType, &text) >= 0)
        let readNote = try #require(text)
        #expect(String(cString: readNote) == note)
        H5free_memory(readNote)  // HDF5 allocated the string; it must free it too
    }

    @Test("opening a file that is not HDF5 fails quietly with a negative id and a message")
    func notHDF5() throws {
        _ = curv_h5_silence_errors()
        let path = temporaryPath(".txt")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "this is not an HDF5 file\n".write(toFile: path, atomically: true, encoding: .utf8)

        let file = H5Fopen(path, curv_h5_acc_rdonly(), curv_h5_p_default())
        #expect(file < 0)
        if file >= 0 { H5Fclose(file) }
        #expect(innermostError() == "file signature not found")

        let missing = H5Fopen(path + ".missing", curv_h5_acc_rdonly(), curv_h5_p_default())
        #expect(missing < 0)
        #expect(innermostError().contains("No such file or directory"))

        // A truncated copy of the message still reports the full length.
        _ = H5Fopen(path, curv_h5_acc_rdonly(), curv_h5_p_default())
        var small = [CChar](repeating: 0, count: 5)
        #expect(curv_h5_innermost_error(&small, small.count) == "file signature not found".utf8.count)
        #expect(String(cString: small) == "file")

        // An empty stack gives 0 and an empty string.
        _ = H5Eclear2(curv_h5_e_default())
        #expect(innermostError() == "")
    }
}
