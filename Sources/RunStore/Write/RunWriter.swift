// The recorder's side of a run file: create it, append metrics and events, write checkpoints and
// spectra, flush, close. Every record method flushes the file when `flushEachRecord` is on (the
// default), so a recorder killed at any moment leaves a file holding every record whose method
// returned (see docs/run-format.md, "Crash safety").

import Foundation

/// Writes one run file. Not thread-safe: use it from one thread (or serialize calls).
public final class RunWriter {
    /// Creation options.
    public struct Options: Sendable {
        /// Replace an existing file at the path. The old file is replaced atomically only once the
        /// new file's header is complete; without this flag an existing file is an error.
        public var overwrite: Bool
        /// Compression of large arrays (checkpoint tensors, Hessian-batch examples).
        public var compression: Compression
        /// Flush after every record (metrics row, checkpoint, spectrum, event). Turn off only when
        /// batching records yourself and calling `flush()`; crash safety then covers only what was
        /// flushed.
        public var flushEachRecord: Bool

        public init(overwrite: Bool = false, compression: Compression = .standard, flushEachRecord: Bool = true) {
            self.overwrite = overwrite
            self.compression = compression
            self.flushEachRecord = flushEachRecord
        }
    }

    /// The final path of the run file.
    public let path: String
    public let options: Options
    let file: H5File
    let root: H5Group
    let metrics: MetricsAppender
    let events: EventAppender
    private var wroteHessianBatch = false
    private var closed = false

    private init(path: String, options: Options, file: H5File, root: H5Group) throws {
        self.path = path
        self.options = options
        self.file = file
        self.root = root
        metrics = try MetricsAppender(group: root.group(Schema.Metrics.group))
        events = try EventAppender(group: root.group(Schema.Events.group))
    }

    /// Creates a run file at `path` holding `header` and the empty groups of the format.
    ///
    /// The file is first written beside `path` under a temporary name and then moved into place
    /// (`link` when not overwriting, so an existing file is never touched; `rename` when
    /// overwriting, so the old file stays whole until the new one is ready).
    public static func create(at path: String, header: RunHeader, options: Options = Options()) throws -> RunWriter {
        H5.prepareThread()
        try validateHeader(header, path: path)
        if !options.overwrite && FileManager.default.fileExists(atPath: path) {
            throw RunStoreError(.alreadyExists, file: path,
                                detail: "a file already exists here; choose another path or pass --overwrite")
        }
        let temporary = temporaryPath(for: path)
        let file: H5File
        do { file = try H5File.create(temporary, exclusive: true) } catch { throw userFacing(error, temporary: temporary, path: path) }
        do {
            let root = try file.root()
            try writeSkeleton(root: root, header: header)
            try file.flush()
            try moveIntoPlace(temporary, path, overwrite: options.overwrite)
            // From here on, errors name the file by the user's path.
            file.path = path
            return try RunWriter(path: path, options: options, file: file, root: try file.root())
        } catch {
            try? file.close()
            try? FileManager.default.removeItem(atPath: temporary)
            throw userFacing(error, temporary: temporary, path: path)
        }
    }

    /// A hidden name beside `path`: ".NAME.partial-PID-RANDOM", with NAME shortened so that the
    /// whole name stays within NAME_MAX (255 bytes) when `path`'s own name is long.
    static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let suffix = ".partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        var name = url.lastPathComponent
        while 1 + name.utf8.count + suffix.utf8.count > 255 { name.removeLast() }
        return url.deletingLastPathComponent().appendingPathComponent("." + name + suffix).path
    }

    /// `error` with the temporary file's name replaced by the user's `path`; a failure to create
    /// the file says why when the directory tells (missing, not writable, read-only file system).
    private static func userFacing(_ error: Error, temporary: String, path: String) -> Error {
        guard var error = error as? RunStoreError, error.file == temporary else { return error }
        error.file = path
        error.hdf5Message = error.hdf5Message?.replacingOccurrences(of: temporary, with: path)
        guard case .hdf5(operation: "H5Fcreate") = error.kind else { return error }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if access(directory, W_OK) != 0 {
            let code = errno
            let reason: String
            switch code {
            case ENOENT, ENOTDIR: reason = "the directory \(directory) does not exist"
            case EACCES, EPERM: reason = "permission denied: the directory \(directory) is not writable"
            case EROFS: reason = "the directory \(directory) is on a read-only file system"
            default: reason = "cannot write in \(directory): \(String(cString: strerror(code)))"
            }
            return RunStoreError(.system(operation: "create", errno: code), file: path, detail: "cannot create the file: \(reason)")
        }
        return error
    }

    private static func validateHeader(_ header: RunHeader, path: String) throws {
        guard header.parameterCount >= 0 else {
            throw RunStoreError(.invalidArgument, file: path, detail: "parameter count \(header.parameterCount) is negative")
        }
        if let json = header.configJSON, !isJSONObject(json) {
            throw RunStoreError(.invalidArgument, file: path, detail: "the config JSON is not a JSON object")
        }
    }

    /// Root attributes, config, model, data provenance and the empty record groups.
    private static func writeSkeleton(root: H5Group, header: RunHeader) throws {
        try root.setAttribute(Schema.Root.formatVersion, RunFormat.version)
        try root.setAttribute(Schema.Root.software, RunFormat.software)
        try root.setAttribute(Schema.Root.created, isoTimestamp())

        let config = try root.createGroup(Schema.Config.group)
        try config.createStringDataset(Schema.Config.toml, text: header.configTOML)
        if let json = header.configJSON { try config.createStringDataset(Schema.Config.json, text: json) }

        let model = try root.createGroup(Schema.Model.group)
        try model.createStringDataset(Schema.Model.spec, text: header.modelSpec)
        try model.setAttribute(Schema.Model.parameterCount, header.parameterCount)

        let data = try root.createGroup(Schema.Data.group)
        try data.setAttribute(Schema.Data.name, header.data.name)
        try data.setAttribute(Schema.Data.path, header.data.path)
        try data.setAttribute(Schema.Data.sha256, header.data.sha256)

        let metrics = try root.createGroup(Schema.Metrics.group, growing: true)
        _ = try MetricsAppender.createStep(in: metrics)
        let events = try root.createGroup(Schema.Events.group)
        try EventAppender.createDatasets(in: events)
        for name in [Schema.Checkpoint.group, Schema.Spectrum.group, Schema.Analysis.group] {
            _ = try root.createGroup(name, growing: true)
        }
    }

    private static func moveIntoPlace(_ temporary: String, _ path: String, overwrite: Bool) throws {
        if overwrite {
            guard rename(temporary, path) == 0 else {
                let code = errno
                throw RunStoreError(.system(operation: "rename", errno: code), file: path,
                                    detail: "cannot move the new file into place: \(String(cString: strerror(code)))")
            }
            return
        }
        guard link(temporary, path) == 0 else {
            let code = errno
            if code == EEXIST {
                throw RunStoreError(.alreadyExists, file: path,
                                    detail: "a file already exists here; choose another path or pass --overwrite")
            }
            throw RunStoreError(.system(operation: "link", errno: code), file: path,
                                detail: "cannot create the file: \(String(cString: strerror(code)))")
        }
        unlink(temporary)
    }

    // MARK: Records

    /// Stores the fixed batch the Hessian is taken over (once per run).
    public func writeHessianBatch<T: StoredFloat>(_ batch: HessianBatch<T>) throws {
        try prepare()
        guard !wroteHessianBatch else {
            throw RunStoreError(.invalidArgument, file: path, object: "/data/hessian_batch",
                                detail: "the Hessian batch was already written")
        }
        try HessianBatchStorage.write(batch, in: root.group(Schema.Data.group), compression: options.compression)
        wroteHessianBatch = true
        try flushIfAsked()
    }

    /// Appends one row of metrics at `step` (e.g. ["loss": 0.7, "lr": 0.1]); metrics absent from
    /// `values` read as NaN in this row. A metric seen for the first time reads NaN in earlier rows.
    public func appendMetrics(step: Int, _ values: [String: Double]) throws {
        try appendMetrics([(step, values)])
    }

    /// Appends several rows of metrics at once (one flush).
    public func appendMetrics(_ rows: [(step: Int, values: [String: Double])]) throws {
        try prepare()
        try metrics.append(rows)
        try flushIfAsked()
    }

    /// Writes a checkpoint under /checkpoints/<step>; a step can be written once.
    public func writeCheckpoint<T: StoredFloat>(_ checkpoint: Checkpoint<T>) throws {
        try prepare()
        try CheckpointStorage.write(checkpoint, in: root.group(Schema.Checkpoint.group), compression: options.compression)
        try flushIfAsked()
    }

    /// Writes a spectrum under /spectra/<step>/<operator>; each pair can be written once.
    public func writeSpectrum(_ spectrum: Spectrum) throws {
        try prepare()
        try SpectrumStorage.write(spectrum, in: root.group(Schema.Spectrum.group))
        try flushIfAsked()
    }

    /// Appends an event.
    public func appendEvent(_ event: RunEvent) throws {
        try prepare()
        try events.append([event])
        try flushIfAsked()
    }

    /// Hands everything written so far to the operating system.
    public func flush() throws {
        try prepare()
        try file.flush()
    }

    /// Flushes and closes the file. Further calls fail; closing twice does nothing.
    public func close() throws {
        guard !closed else { return }
        H5.prepareThread()
        closed = true
        metrics.release()
        events.release()
        root.handle.close()
        try file.flush()
        try file.close()
    }

    deinit { try? close() }

    private func prepare() throws {
        H5.prepareThread()
        if closed { throw RunStoreError(.invalidArgument, file: path, detail: "the run file was already closed") }
    }

    private func flushIfAsked() throws {
        if options.flushEachRecord { try file.flush() }
    }
}

/// The current UTC time as ISO 8601 with seconds ("2025-01-31T12:00:00Z").
func isoTimestamp() -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: Date())
}

/// Whether `text` parses as a JSON object.
func isJSONObject(_ text: String) -> Bool {
    guard let data = text.data(using: .utf8),
          let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return false }
    return object is [String: Any]
}
