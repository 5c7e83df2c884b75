// Typed errors of the RunStore module. Every failure names the file, the object inside it (an
// HDF5 path such as `/checkpoints/200/weights/w0`) and, when HDF5 itself failed, HDF5's own
// innermost message, so the text tells a person what went wrong and where.

/// A failure reading or writing a run file.
public struct RunStoreError: Error, CustomStringConvertible, Equatable {
    /// What kind of failure this is; tests and callers switch on it.
    public enum Kind: Equatable, Sendable {
        /// No file exists at the path.
        case fileNotFound
        /// The file exists but is not an HDF5 file (wrong signature).
        case notHDF5
        /// The file is HDF5 but shorter than its superblock says (copy cut short, disk full).
        case truncated
        /// The file is HDF5 but has no `format_version` attribute: it is not a Curvature run.
        case notARun
        /// The file's major format version is not one this build reads.
        case unsupportedVersion(found: String, supported: [String])
        /// A file exists where `create` was asked not to overwrite.
        case alreadyExists
        /// A requested record (checkpoint step, tensor, spectrum, analysis) is not in the file.
        case notFound(what: String, available: [String])
        /// The caller passed values that cannot be stored (shape mismatch, bad name, ...).
        case invalidArgument
        /// The file's content breaks the schema (wrong dtype, rank, missing dataset).
        case malformed
        /// An HDF5 call failed; `operation` names it.
        case hdf5(operation: String)
        /// A system call (rename, link) failed.
        case system(operation: String, errno: Int32)
        /// Another process is writing the run file (its lock file names it).
        case locked(pid: Int32, host: String)
        /// The output path is one of the command's inputs (same file).
        case inputIsOutput(input: String)
        /// The file system is full; the file holds every record written before.
        case diskFull
    }

    public var kind: Kind
    /// The run file's path as given by the caller.
    public var file: String
    /// The HDF5 object path concerned ("/" for the file itself).
    public var object: String
    /// A sentence for a person: what happened and, when possible, what to do.
    public var detail: String
    /// HDF5's innermost error message, when HDF5 reported one.
    public var hdf5Message: String?

    public init(_ kind: Kind, file: String, object: String = "/", detail: String, hdf5Message: String? = nil) {
        self.kind = kind
        self.file = file
        self.object = object
        self.detail = detail
        self.hdf5Message = (hdf5Message?.isEmpty ?? true) ? nil : hdf5Message
    }

    public var description: String {
        var text = "\(file)"
        if object != "/" { text += " (\(object))" }
        text += ": \(detail)"
        if let hdf5Message { text += " [HDF5: \(hdf5Message)]" }
        return text
    }
}
