// Edits to a finished run file, made through the HDF5 library (so the file stays well-formed
// HDF5): what a damaged or hand-edited file presents to the readers. The only C calls of the
// harness are here.

import CHDF5
import Foundation
import RunStore

/// Edits decoded from the input, each on an object or attribute of the file picked by its place
/// in the file's manifest.
enum RunFileEdits {
    /// Lets HDF5 keep the blocks it frees on its free lists for reuse instead of returning them to
    /// malloc: it allocates a large B-tree node per group at every open, which AddressSanitizer
    /// makes costly (measured: the runplan target ran 1.4 times faster with this).
    static let keepFreedBlocks: Void = { _ = H5set_free_list_limits(-1, -1, -1, -1, -1, -1) }()

    static func apply(_ input: inout FuzzInput, count: Int, to path: String) {
        guard count > 0, let entries = try? RunManifest.entries(of: path), !entries.isEmpty else { return }
        _ = curv_h5_silence_errors()
        let file = H5Fopen(path, curv_h5_acc_rdwr(), curv_h5_p_default())
        guard file >= 0 else { return }
        defer { H5Fclose(file) }
        let groups = entries.filter { $0.kind == .group }.map(\.path)
        for _ in 0..<count {
            let entry = entries[Int(input.byte()) % entries.count]
            let (object, attribute) = split(entry)
            let destination = { (input: inout FuzzInput) -> String in
                let parent = groups[Int(input.byte()) % groups.count]
                return (parent == "/" ? "" : parent) + "/" + input.name("extra")
            }
            switch input.count(8) {
            case 0:
                if let attribute { H5Adelete_by_name(file, object, attribute, lapl) } else { H5Ldelete(file, object, lapl) }
            case 1:
                if let attribute {
                    H5Adelete_by_name(file, object, attribute, lapl)
                    writeValue(&input, file: file, object: object, attribute: attribute)
                } else {
                    H5Ldelete(file, object, lapl)
                    writeValue(&input, file: file, object: object, attribute: nil)
                }
            case 2: writeValue(&input, file: file, object: destination(&input), attribute: nil)
            case 3: H5Gclose(H5Gcreate2(file, destination(&input), lapl, lapl, lapl))
            case 4: writeValue(&input, file: file, object: object, attribute: input.name("step"))
            case 5: H5Lcreate_hard(file, object, file, destination(&input), lapl, lapl)
            case 6: H5Lcreate_soft(input.pick([object, "/nowhere", ".", "/"]), file, destination(&input), lapl, lapl)
            case 7: H5Lmove(file, object, file, destination(&input), lapl, lapl)
            default: resize(&input, file: file, object: object)
            }
        }
    }

    private static var lapl: hid_t { curv_h5_p_default() }

    /// "/a/b" or ("/a/b", "name") for "/a/b@name".
    private static func split(_ entry: ManifestEntry) -> (object: String, attribute: String?) {
        guard entry.kind == .attribute, let at = entry.path.lastIndex(of: "@") else { return (entry.path, nil) }
        return (String(entry.path[..<at]), String(entry.path[entry.path.index(after: at)...]))
    }

    /// A new dataset at `object`, or attribute `attribute` of `object`: one of the element types a
    /// run file uses and some it does not, scalar or of rank 1 to 3, values from the input.
    private static func writeValue(_ input: inout FuzzInput, file: hid_t, object: String, attribute: String?) {
        let shape: [Int] = input.pick([[], [input.count(4)], [input.count(4), input.count(4)], [0], [1, 1, input.count(3)]])
        let count = shape.reduce(1, *)
        var dims = shape.map { hsize_t($0) }
        let space = shape.isEmpty ? H5Screate(H5S_SCALAR) : H5Screate_simple(Int32(shape.count), &dims, nil)
        defer { H5Sclose(space) }
        let kind = input.count(8)
        let type: hid_t
        switch kind {
        case 0: type = H5Tcopy(curv_h5_native_double())
        case 1: type = H5Tcopy(curv_h5_native_float())
        case 2: type = H5Tcopy(curv_h5_native_int64())
        case 3: type = H5Tcopy(curv_h5_native_int32())
        case 4: type = H5Tcopy(curv_h5_native_uint8())
        case 5: type = H5Tcopy(curv_h5_native_uint64())
        case 6, 7:
            type = H5Tcopy(curv_h5_c_s1())
            H5Tset_size(type, kind == 6 ? curv_h5_variable() : 1 + input.count(15))
            H5Tset_cset(type, curv_h5_cset_utf8())
        default: type = H5Tcopy(curv_h5_native_int8())
        }
        defer { H5Tclose(type) }
        let target: hid_t, close: (hid_t) -> herr_t
        if let attribute {
            target = H5Acreate_by_name(file, object, attribute, type, space, lapl, lapl, lapl)
            close = H5Aclose
        } else {
            target = H5Dcreate2(file, object, type, space, lapl, lapl, lapl)
            close = H5Dclose
        }
        guard target >= 0 else { return }
        defer { _ = close(target) }
        guard count > 0 else { return }
        let write = { (buffer: UnsafeRawPointer) -> Void in
            if attribute != nil {
                H5Awrite(target, type, buffer)
            } else {
                H5Dwrite(target, type, curv_h5_s_all(), curv_h5_s_all(), lapl, buffer)
            }
        }
        switch kind {
        case 0: input.numbers(count) { _ in 1 }.withUnsafeBytes { write($0.baseAddress!) }
        case 1: input.numbers(count) { _ in 1 }.map { Float($0) }.withUnsafeBytes { write($0.baseAddress!) }
        case 2, 5: (0..<count).map { _ in Int64(input.integer(10)) }.withUnsafeBytes { write($0.baseAddress!) }
        case 3: (0..<count).map { _ in Int32(truncatingIfNeeded: input.integer(10)) }.withUnsafeBytes { write($0.baseAddress!) }
        case 4, 8: (0..<count).map { _ in UInt8(truncatingIfNeeded: input.integer(1)) }.withUnsafeBytes { write($0.baseAddress!) }
        case 6:
            let texts = (0..<count).map { _ in strdup(input.text("1.1")) }
            defer { texts.forEach { free($0) } }
            texts.map { UnsafePointer($0) }.withUnsafeBytes { write($0.baseAddress!) }
        default:
            let size = H5Tget_size(type)
            var bytes = [UInt8](repeating: 0, count: count * size)
            for i in 0..<count {
                for (j, byte) in input.text("1.1").utf8.prefix(size).enumerated() { bytes[i * size + j] = byte }
            }
            bytes.withUnsafeBytes { write($0.baseAddress!) }
        }
    }

    /// Sets the extent of a chunked (extendible) dataset: metrics and events columns shrink or grow,
    /// up to 2^40 elements (new elements read as the fill value; chunks never written take no space).
    private static func resize(_ input: inout FuzzInput, file: hid_t, object: String) {
        let dataset = H5Dopen2(file, object, lapl)
        guard dataset >= 0 else { return }
        defer { H5Dclose(dataset) }
        var dims = [hsize_t(input.pick([0, 1, 1025, 2048, 3, 1 << 20, 1 << 40]))]
        // Shrinking a dataset an earlier edit grew to 2^40 makes HDF5 look up every chunk past the
        // new end (H5D__chunk_prune_by_extent): minutes inside this edit, before any reader runs
        // (a libFuzzer timeout after 18 940 inputs). Such a shrink is skipped.
        let space = H5Dget_space(dataset)
        guard space >= 0 else { return }
        defer { H5Sclose(space) }
        var current = [hsize_t](repeating: 0, count: 8)
        guard H5Sget_simple_extent_ndims(space) == 1, H5Sget_simple_extent_dims(space, &current, nil) == 1 else { return }
        if current[0] > 1 << 24 && dims[0] < current[0] { return }
        H5Dset_extent(dataset, &dims)
    }
}
