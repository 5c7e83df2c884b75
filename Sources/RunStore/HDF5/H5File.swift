// HDF5 files: create, open, flush, close. Files are written with the earliest library-version
// bounds (so the superblock carries no "open for writing" flag that would stop readers after a
// crash), no reuse of freed file space (so bytes a flushed record points at are never
// overwritten before the next flush) and a metadata cache that never evicts between flushes
// (so nothing half-written reaches the disk except at a flush). See docs/run-format.md,
// "Crash safety".

import CHDF5
import Foundation

final class H5File {
    let handle: H5Handle
    /// The path as the caller gave it (used in error messages; a writer renames its temporary file
    /// and then names the file by its final path).
    var path: String
    let writable: Bool

    private init(handle: H5Handle, path: String, writable: Bool) {
        self.handle = handle
        self.path = path
        self.writable = writable
    }

    /// The root group "/".
    func root() throws -> H5Group {
        try H5Group.open(in: self, parent: handle.id, name: "/", location: H5Location(file: path, object: "/"))
    }

    /// Creates a new file at `path`. With `exclusive` the call fails when a file exists there.
    static func create(_ path: String, exclusive: Bool) throws -> H5File {
        H5.prepareThread()
        let location = H5Location(file: path, object: "/")
        let fcpl = H5Handle.plist(H5Pcreate(curv_h5_plist_file_create()))
        // Never hand out freed space again while the file is open: a flushed record's bytes stay put.
        try location.check(H5Pset_file_space_strategy(fcpl.id, H5F_FSPACE_STRATEGY_NONE, false, 1),
                           "H5Pset_file_space_strategy", "cannot configure file space handling")
        // Large B-tree nodes: a group's symbol node holds up to 2 x 512 links and a chunk index node
        // 2 x 512 chunks before splitting, so appending a record rewrites existing nodes at their
        // own addresses (one write each, old entries byte-identical) instead of splitting and
        // re-linking them: a kill between two writes of a flush cannot detach older records.
        try location.check(H5Pset_sym_k(fcpl.id, 16, 512), "H5Pset_sym_k", "cannot configure group B-trees")
        try location.check(H5Pset_istore_k(fcpl.id, 512), "H5Pset_istore_k", "cannot configure chunk B-trees")
        let fapl = try writerAccessList(location)
        let flags = exclusive ? curv_h5_acc_excl() : curv_h5_acc_trunc()
        // Opened and marked close-on-exec with no child starting in between (ChildProcesses).
        let id = ChildProcesses.opening { () -> hid_t in
            let id = H5Fcreate(path, flags, fcpl.id, fapl.id)
            if id >= 0 { closeOnExec(id) }
            return id
        }
        if id < 0 {
            let message = H5.innermostMessage()
            if exclusive && FileManager.default.fileExists(atPath: path) {
                throw RunStoreError(.alreadyExists, file: path,
                                    detail: "a file already exists here; pass overwrite to replace it")
            }
            throw RunStoreError(.hdf5(operation: "H5Fcreate"), file: path,
                                detail: "cannot create the file (check the directory exists and is writable)",
                                hdf5Message: message)
        }
        return H5File(handle: H5Handle(id, closer: H5Fclose), path: path, writable: true)
    }

    /// Opens an existing file, classifying failures: missing, not HDF5, truncated, locked.
    static func open(_ path: String, writable: Bool) throws -> H5File {
        H5.prepareThread()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw RunStoreError(.fileNotFound, file: path, detail: "no such file")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw RunStoreError(.system(operation: "open", errno: EACCES), file: path,
                                detail: "permission denied: the file is not readable (check its permissions)")
        }
        // Said as what it is, before HDF5 reports it as a file it cannot open.
        if writable, let problem = writeProblem(path) { throw problem }
        let signature = H5Fis_hdf5(path)
        if signature == 0 {
            throw RunStoreError(.notHDF5, file: path,
                                detail: "not an HDF5 file (no HDF5 signature); expected a run file written by curv-record")
        }
        let fapl = writable ? try writerAccessList(H5Location(file: path, object: "/"))
                            : H5Handle.plist(H5Pcreate(curv_h5_plist_file_access()))
        let flags = writable ? curv_h5_acc_rdwr() : curv_h5_acc_rdonly()
        let id = ChildProcesses.opening { () -> hid_t in
            let id = H5Fopen(path, flags, fapl.id)
            if id >= 0 { closeOnExec(id) }
            return id
        }
        if id < 0 {
            let message = H5.innermostMessage()
            if message.contains("truncated") {
                throw RunStoreError(.truncated, file: path,
                                    detail: "the file is truncated (shorter than its header says); it was cut short while copying or writing",
                                    hdf5Message: message)
            }
            if message.contains("lock") {
                throw RunStoreError(.hdf5(operation: "H5Fopen"), file: path,
                                    detail: writable ? "the file is locked: another process has it open; wait for it to finish" : "the file is locked: another process has it open for writing; wait for it to finish",
                                    hdf5Message: message)
            }
            throw RunStoreError(.hdf5(operation: "H5Fopen"), file: path,
                                detail: "HDF5 cannot open the file (damaged or unreadable)", hdf5Message: message)
        }
        return H5File(handle: H5Handle(id, closer: H5Fclose), path: path, writable: writable)
    }

    /// Why `path` cannot be opened for writing (read-only file system, permissions), without
    /// opening it; nil when the system allows it.
    static func writeProblem(_ path: String) -> RunStoreError? {
        guard access(path, W_OK) != 0 else { return nil }
        let code = errno
        let detail: String
        switch code {
        case ENOENT: return RunStoreError(.fileNotFound, file: path, detail: "no such file")
        case EROFS: detail = "the file is on a read-only file system and cannot be opened for writing; copy it somewhere writable"
        case EACCES, EPERM: detail = "permission denied: the file is not writable (check its permissions)"
        default: detail = "cannot open the file for writing: \(String(cString: strerror(code)))"
        }
        return RunStoreError(.system(operation: "open", errno: code), file: path, detail: detail)
    }

    /// Marks the file's descriptor close-on-exec. HDF5 locks files with flock, whose lock belongs
    /// to the open file description: a child process started while the file is open (h5dump, a
    /// plotting script, a test's helper) would otherwise inherit the descriptor and keep the
    /// file locked against every other opener until it exits.
    private static func closeOnExec(_ id: hid_t) {
        var handle: UnsafeMutableRawPointer? = nil
        guard H5Fget_vfd_handle(id, curv_h5_p_default(), &handle) >= 0, let handle else { return }
        let fd = handle.load(as: Int32.self)
        let flags = fcntl(fd, F_GETFD)
        if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
    }

    /// Makes every later allocation land past the file's current end. A writer killed in the
    /// middle of a flush can leave blocks written past the end-of-allocation the superblock
    /// records, and objects pointing at them; without this, the next writer would hand that
    /// space out again and such a pointer would lead into the new record (one record read as
    /// another). Call right after opening a file for writing.
    ///
    /// The margin covers a block allocated at the old end whose bytes never reached the disk (the
    /// first 40 KB B-tree leaf of a group, linked by the killed flush): its address can equal the
    /// end of the file, so without a margin the next write would land exactly there.
    func protectLeftovers() throws {
        H5.prepareThread()
        try H5Location(file: path, object: "/").check(H5Fincrement_filesize(handle.id, H5File.leftoverMargin),
                                                     "H5Fincrement_filesize", "cannot protect the end of the file")
    }

    /// Larger than any block a commit's second flush can allocate (a group's first B-tree leaf,
    /// 40,968 bytes with our settings).
    static let leftoverMargin: hsize_t = 64 * 1024

    /// After a failed write (disk full, I/O error): points HDF5's descriptor at /dev/null, so
    /// nothing HDF5 does from now on (retrying the flush at close, its exit handler) can touch
    /// the file. The file stays as the failed flush left it, which is what a kill at that moment
    /// leaves, and crash safety covers that. Safe because the writer's metadata cache never
    /// evicts: HDF5 never needs to read the file back.
    func fence() {
        var handle: UnsafeMutableRawPointer? = nil
        guard H5Fget_vfd_handle(self.handle.id, curv_h5_p_default(), &handle) >= 0, let handle else { return }
        let fd = handle.load(as: Int32.self)
        // An in-memory file (memfd) takes HDF5's remaining writes, reads and truncation without
        // failing, so HDF5 closes the file cleanly; /dev/null refuses ftruncate, and a failed
        // close left HDF5 to crash in its exit handler.
        var null: Int32 = -1
        if let create = memfdCreate { null = create("curv-fenced-run", 1 /* MFD_CLOEXEC */) }
        if null < 0 { null = Glibc.open("/dev/null", O_RDWR | O_CLOEXEC) }
        guard null >= 0 else { return }
        _ = dup2(null, fd)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        Foundation.close(null)
    }

    /// Writes every buffered change of the whole file to the operating system.
    func flush() throws {
        H5.prepareThread()
        try H5Location(file: path, object: "/").check(H5Fflush(handle.id, H5F_SCOPE_GLOBAL), "H5Fflush",
                                                     "cannot flush the file to disk")
    }

    /// Closes the file. Objects still open inside it stay valid until released (HDF5 keeps the
    /// file open until its last object closes).
    func close() throws {
        H5.prepareThread()
        try H5Location(file: path, object: "/").check(handle.close(), "H5Fclose", "cannot close the file")
    }

    /// File-access list for writers: a metadata cache that does not evict (and so does not write)
    /// between flushes.
    private static func writerAccessList(_ location: H5Location) throws -> H5Handle {
        let fapl = H5Handle.plist(H5Pcreate(curv_h5_plist_file_access()))
        var config = H5AC_cache_config_t()
        config.version = H5AC__CURR_CACHE_CONFIG_VERSION
        try location.check(H5Pget_mdc_config(fapl.id, &config), "H5Pget_mdc_config", "cannot read cache settings")
        config.evictions_enabled = false
        config.incr_mode = H5C_incr__off
        config.flash_incr_mode = H5C_flash_incr__off
        config.decr_mode = H5C_decr__off
        try location.check(H5Pset_mdc_config(fapl.id, &config), "H5Pset_mdc_config", "cannot configure the metadata cache")
        return fapl
    }
}

/// glibc's memfd_create(2) (not in Swift's Glibc module: it needs _GNU_SOURCE).
private let memfdCreate: (@convention(c) (UnsafePointer<CChar>, UInt32) -> Int32)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "memfd_create") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (UnsafePointer<CChar>, UInt32) -> Int32).self)
}()
