// The one place that talks to HDF5's error machinery, plus the handle type that closes HDF5
// identifiers deterministically. Everything under HDF5/ is internal: the rest of RunStore works
// with H5File, H5Group, H5Dataset and never sees a raw C call.

import CHDF5

/// Library-wide helpers: error silencing and error-message retrieval.
enum H5 {
    /// Turns off HDF5's printing of error stacks on the calling thread. The thread-safe build
    /// keeps this setting per thread, so every public entry point calls it (it is cheap).
    static func prepareThread() {
        _ = noExitHandler
        _ = curv_h5_silence_errors()
    }

    /// HDF5 closes every open file from an atexit handler. After a failed write (disk full)
    /// HDF5 1.10 cannot close a file ("slist already enabled?") and that handler then crashes
    /// the process (SIGSEGV instead of the tool's exit status). Run files are committed record by
    /// record and closed explicitly, so the handler is switched off before the library starts.
    private static let noExitHandler: Void = { _ = H5dont_atexit() }()

    /// HDF5's innermost error message on this thread, or "" when there is none.
    /// Must be called right after the failing call: the next HDF5 call clears the stack.
    static func innermostMessage() -> String {
        var buffer = [CChar](repeating: 0, count: 1024)
        let length = curv_h5_innermost_error(&buffer, buffer.count)
        guard length > 0 else { return "" }
        return String(cString: buffer)
    }

    static let defaultPlist: hid_t = curv_h5_p_default()
}

/// Where an HDF5 object lives: the file's path (as the caller gave it) and the object's path.
struct H5Location: Sendable {
    var file: String
    var object: String

    /// The location of a child object called `name`.
    func child(_ name: String) -> H5Location {
        H5Location(file: file, object: object == "/" ? "/" + name : object + "/" + name)
    }

    /// An error for a failed HDF5 call, with HDF5's innermost message.
    func failure(_ operation: String, _ detail: String) -> RunStoreError {
        let message = H5.innermostMessage()
        return RunStoreError(.hdf5(operation: operation), file: file, object: object,
                             detail: detail, hdf5Message: message)
    }

    /// A schema error: the file does not hold what the format says it should.
    func malformed(_ detail: String) -> RunStoreError {
        RunStoreError(.malformed, file: file, object: object, detail: detail)
    }

    /// Throws `failure` when an HDF5 status is negative.
    func check(_ status: herr_t, _ operation: String, _ detail: @autoclosure () -> String) throws {
        if status < 0 { throw failure(operation, detail()) }
    }

    /// Returns `id` when it is a valid identifier, else throws `failure`.
    func checkID(_ id: hid_t, _ operation: String, _ detail: @autoclosure () -> String) throws -> hid_t {
        if id < 0 { throw failure(operation, detail()) }
        return id
    }
}

/// Owns one HDF5 identifier and closes it exactly once, when `close()` is called or the handle
/// is released, whichever comes first.
final class H5Handle {
    private(set) var id: hid_t
    private let closer: (hid_t) -> herr_t

    init(_ id: hid_t, closer: @escaping (hid_t) -> herr_t) {
        self.id = id
        self.closer = closer
    }

    /// Closes the identifier now; later calls do nothing. Returns HDF5's status.
    @discardableResult
    func close() -> herr_t {
        guard id >= 0 else { return 0 }
        let status = closer(id)
        id = -1
        return status
    }

    deinit { close() }

    static func dataspace(_ id: hid_t) -> H5Handle { H5Handle(id, closer: H5Sclose) }
    static func datatype(_ id: hid_t) -> H5Handle { H5Handle(id, closer: H5Tclose) }
    static func plist(_ id: hid_t) -> H5Handle { H5Handle(id, closer: H5Pclose) }
}
