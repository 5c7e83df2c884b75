// The recorder's side of a run file: create it, append metrics and events, write checkpoints and
// spectra, flush, close. Every record method commits the record when `flushEachRecord` is on (the
// default): its bytes are flushed first, under no name, and only then linked under its name and
// flushed again, so a recorder killed at any moment leaves a file holding every record whose
// method returned and no name that leads to a half-written one (see docs/run-format.md, "Crash
// safety").

import Foundation

/// Writes one run file. Not thread-safe: use it from one thread (or serialize calls).
public final class RunWriter {
    /// Creation options.
    public struct Options: Sendable {
        /// Replace an existing file at the path. The new file is written beside it under a
        /// temporary name and moved into place by `close()`; until then (and when the writer is
        /// killed, or `abandon()`ed) the old file stays as it was. Without this flag an existing
        /// file is an error.
        public var overwrite: Bool
        /// Compression of large arrays (checkpoint tensors, Hessian-batch examples).
        public var compression: Compression
        /// Commit after every record (metrics row, checkpoint, spectrum, event). Turn off only when
        /// batching records yourself and calling `flush()`; crash safety then covers only what was
        /// flushed.
        public var flushEachRecord: Bool
        /// Files the run is made from (the config): writing over one of them is refused.
        public var inputs: [String]
        /// The program named in the lock file while writing (default: this process's name).
        public var tool: String

        public init(overwrite: Bool = false, compression: Compression = .standard, flushEachRecord: Bool = true,
                    inputs: [String] = [], tool: String = ProcessInfo.processInfo.processName) {
            self.overwrite = overwrite
            self.compression = compression
            self.flushEachRecord = flushEachRecord
            self.inputs = inputs
            self.tool = tool
        }
    }

    /// The final path of the run file.
    public let path: String
    public let options: Options
    let file: H5File
    let root: H5Group
    let metrics: MetricsAppender
    let events: EventAppender
    private let lock: WriterLock
    /// Where the file is written until `close()` moves it to `path` (overwrite), or nil when it
    /// is already at `path`.
    private let temporary: String?
    private var wroteHessianBatch = false
    /// Root groups written once per run (`/learned_init`, `/imported`) already written.
    private var writtenOnce: Set<String> = []
    private var closed = false
    /// Records built but not yet linked: (parent group, name, record).
    private var pending: [(parent: H5Group, name: String, record: H5Object)] = []
    /// Spectrum step groups built in this batch, by step (a second operator goes inside).
    private var pendingSpectrumSteps: [Int: H5Group] = [:]
    /// The first failed write; afterwards the file is fenced off and every call fails.
    private var failure: RunStoreError?

    init(path: String, options: Options, file: H5File, root: H5Group, lock: WriterLock, temporary: String?) throws {
        self.path = path
        self.options = options
        self.file = file
        self.root = root
        self.lock = lock
        self.temporary = temporary
        metrics = try MetricsAppender(group: root.group(Schema.Metrics.group))
        events = try EventAppender(group: root.group(Schema.Events.group))
    }

    /// Creates a run file at `path` holding `header` and the empty groups of the format.
    ///
    /// Takes the run file's lock (`.NAME.lock` beside it; another live writer is an error), then
    /// writes the file beside `path` under a temporary name. Without `overwrite` it is linked into
    /// place once its header is flushed (`link`: an existing file is never touched); with
    /// `overwrite` it stays at the temporary name until `close()` renames it over the old file.
    public static func create(at path: String, header: RunHeader, options: Options = Options()) throws -> RunWriter {
        H5.prepareThread()
        try validateHeader(header, path: path)
        try OutputGuard.refuseInputAsOutput(path, inputs: options.inputs)
        let lock = try WriterLock.acquire(for: path, tool: options.tool)
        do {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                if isDirectory.boolValue {
                    throw RunStoreError(.invalidArgument, file: path, detail: "this is a directory; give a file path")
                }
                if !options.overwrite {
                    throw RunStoreError(.alreadyExists, file: path,
                                        detail: "a file already exists here; choose another path or pass --overwrite")
                }
            }
            let resolved = resolvedPath(path)
            let temporary = hiddenSibling(of: resolved, suffix: ".partial")
            unlink(temporary)   // a killed writer's leftover; the lock says nobody uses it now
            let file: H5File
            do { file = try H5File.create(temporary, exclusive: true) } catch { throw userFacing(error, temporary: temporary, path: path) }
            do {
                let root = try file.root()
                try writeSkeleton(root: root, header: header)
                try file.flush()
                if !options.overwrite { try linkIntoPlace(temporary, resolved, shownAs: path) }
                // From here on errors name the file by the user's path (with --overwrite it moves
                // there at close).
                file.path = path
                return try RunWriter(path: path, options: options, file: file, root: try file.root(), lock: lock,
                                     temporary: options.overwrite ? temporary : nil)
            } catch {
                file.fence()
                try? file.close()
                unlink(temporary)
                throw userFacing(classify(error, path: path), temporary: temporary, path: path)
            }
        } catch {
            lock.release()
            throw error
        }
    }

    /// `error` with the temporary file's name replaced by the user's `path`; a failure to create
    /// the file says why when the directory tells (missing, not writable, read-only file system).
    private static func userFacing(_ error: Error, temporary: String, path: String) -> Error {
        guard var error = error as? RunStoreError, error.file == temporary else { return error }
        error.file = path
        error.hdf5Message = error.hdf5Message?.replacingOccurrences(of: temporary, with: path)
        guard case .hdf5(operation: "H5Fcreate") = error.kind else { return error }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if access(directory, W_OK) != 0 { return cannotCreate(path, errno: errno) }
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
        if header.processes > 1 { try root.setAttribute(Schema.Root.processes, header.processes) }

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
        if let bytes = header.data.bytes { try data.setAttribute(Schema.Data.bytes, bytes) }
        if let vocabulary = header.data.vocabulary { try data.writeVector(Schema.Data.vocabulary, vocabulary) }

        let metrics = try root.createGroup(Schema.Metrics.group, growing: true)
        _ = try MetricsAppender.createStep(in: metrics)
        let events = try root.createGroup(Schema.Events.group)
        try EventAppender.createDatasets(in: events)
        for name in [Schema.Checkpoint.group, Schema.Spectrum.group, Schema.Analysis.group] {
            _ = try root.createGroup(name, growing: true)
        }
    }

    /// Hard-links the finished header file at `path` (fails when a file exists there), then drops
    /// the temporary name.
    private static func linkIntoPlace(_ temporary: String, _ path: String, shownAs shown: String) throws {
        guard link(temporary, path) == 0 else {
            let code = errno
            if code == EEXIST {
                throw RunStoreError(.alreadyExists, file: shown,
                                    detail: "a file already exists here; choose another path or pass --overwrite")
            }
            throw RunStoreError(.system(operation: "link", errno: code), file: shown,
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
        try guarded {
            let data = try root.group(Schema.Data.group)
            let group = try HessianBatchStorage.build(batch, in: data, file: file, compression: options.compression)
            pending.append((data, Schema.Data.hessianGroup, group))
        }
        wroteHessianBatch = true
        try commitIfAsked()
    }

    /// Stores what a learned initialization found (once per run, before step 0's records).
    public func writeLearnedInit(_ record: LearnedInitRecord) throws {
        try writeRootGroupOnce(Schema.LearnedInit.group, what: "the learned initialization") { try LearnedInitStorage.build(record, in: root, file: file) }
    }

    /// Writes /imported: where the step-0 weights came from (`curv-import`); once.
    public func writeImport(_ record: ImportRecord) throws {
        try writeRootGroupOnce(Schema.Imported.group, what: "the import record") { try ImportStorage.build(record, in: root, file: file) }
    }

    /// Builds a group that a run holds at most once and links it at the root on the next commit.
    private func writeRootGroupOnce(_ name: String, what: String, _ build: () throws -> H5Group) throws {
        try prepare()
        guard !writtenOnce.contains(name) else {
            throw RunStoreError(.invalidArgument, file: path, object: "/\(name)", detail: "\(what) was already written")
        }
        try guarded { pending.append((root, name, try build())) }
        writtenOnce.insert(name)
        try commitIfAsked()
    }

    /// Appends one row of metrics at `step` (e.g. ["loss": 0.7, "lr": 0.1]); metrics absent from
    /// `values` read as NaN in this row. A metric seen for the first time reads NaN in earlier rows.
    public func appendMetrics(step: Int, _ values: [String: Double]) throws {
        try appendMetrics([(step, values)])
    }

    /// Appends several rows of metrics at once (one commit).
    public func appendMetrics(_ rows: [(step: Int, values: [String: Double])]) throws {
        try prepare()
        try guarded { try metrics.append(rows, barrier: { try self.commit() }) }
        try commitIfAsked()
    }

    /// Writes a checkpoint under /checkpoints/<step>; a step can be written once.
    public func writeCheckpoint<T: StoredFloat>(_ checkpoint: Checkpoint<T>) throws {
        try prepare()
        let checkpoints = try root.group(Schema.Checkpoint.group)
        let record = try guarded {
            try CheckpointStorage.build(checkpoint, in: checkpoints, file: file, compression: options.compression,
                                        taken: { name in checkpoints.contains(name) || self.isPending(checkpoints, name) })
        }
        pending.append((checkpoints, String(checkpoint.step), record))
        try commitIfAsked()
    }

    /// Writes a spectrum under /spectra/<step>/<operator>; each pair can be written once.
    public func writeSpectrum(_ spectrum: Spectrum) throws {
        try prepare()
        let spectra = try root.group(Schema.Spectrum.group)
        try SpectrumStorage.validate(spectrum, file: path)
        let stepName = String(spectrum.step), name = spectrum.operator.rawValue
        try guarded {
            if let stepGroup = pendingSpectrumSteps[spectrum.step] {
                // Built in this batch and not yet linked: the operator goes straight inside.
                try refuseSecondSpectrum(stepGroup.contains(name), spectrum)
                try SpectrumStorage.fill(stepGroup.createGroup(name), with: spectrum)
            } else if spectra.isGroup(stepName) {
                let stepGroup = try spectra.group(stepName)
                try refuseSecondSpectrum(stepGroup.contains(name) || isPending(stepGroup, name), spectrum)
                let group = try H5Group.createAnonymous(in: file, location: stepGroup.location.child(name))
                try SpectrumStorage.fill(group, with: spectrum)
                pending.append((stepGroup, name, group))
            } else {
                let stepGroup = try H5Group.createAnonymous(in: file, location: spectra.location.child(stepName))
                try SpectrumStorage.fill(stepGroup.createGroup(name), with: spectrum)
                pending.append((spectra, stepName, stepGroup))
                pendingSpectrumSteps[spectrum.step] = stepGroup
            }
        }
        try commitIfAsked()
    }

    private func refuseSecondSpectrum(_ exists: Bool, _ spectrum: Spectrum) throws {
        guard exists else { return }
        throw RunStoreError(.invalidArgument, file: path, object: "/spectra/\(spectrum.step)/\(spectrum.operator.rawValue)",
                            detail: "a \(spectrum.operator.rawValue) spectrum at step \(spectrum.step) was already written")
    }

    /// Appends an event.
    public func appendEvent(_ event: RunEvent) throws {
        try prepare()
        try guarded { try events.append([event], barrier: { try self.commit() }) }
        try commitIfAsked()
    }

    /// Commits everything written so far: hands it to the operating system, then links the
    /// records built since the last commit under their names and hands that over too.
    public func flush() throws {
        try prepare()
        try commit()
    }

    /// Commits, closes the file and, with `overwrite`, moves it over the old file. Further calls
    /// fail; closing twice does nothing. After a failed write the file is left as it was (every
    /// record committed before the failure) and the failure is thrown again.
    public func close() throws {
        try finish(publish: true)
    }

    /// Closes without putting the new file in place: with `overwrite`, the temporary file is
    /// deleted and the old file stays as it was (an interrupted recording); without, the same as
    /// `close()` (the file already is in place, holding every committed record).
    public func abandon() throws {
        try finish(publish: false)
    }

    deinit { try? finish(publish: false) }

    private func finish(publish: Bool) throws {
        guard !closed else { return }
        H5.prepareThread()
        closed = true
        defer { lock.release() }
        if failure == nil && (publish || temporary == nil) { try? guarded { try commit() } }
        metrics.release()
        events.release()
        pending.removeAll()
        pendingSpectrumSteps.removeAll()
        root.handle.close()
        if failure != nil { file.fence() }
        let closeError: Error? = { do { try file.close(); return nil } catch { return error } }()
        if let failure {
            if let temporary { unlink(temporary) }
            throw failure
        }
        if let temporary {
            guard publish, closeError == nil else {
                unlink(temporary)
                if let closeError { throw closeError }
                return
            }
            try OutputGuard.refuseInputAsOutput(path, inputs: options.inputs)
            guard rename(temporary, resolvedPath(path)) == 0 else {
                let code = errno
                unlink(temporary)
                throw RunStoreError(.system(operation: "rename", errno: code), file: path,
                                    detail: "cannot move the new file into place: \(String(cString: strerror(code))); the old file is unchanged")
            }
        }
        if let closeError { throw closeError }
    }

    private func prepare() throws {
        H5.prepareThread()
        if closed { throw RunStoreError(.invalidArgument, file: path, detail: "the run file was already closed") }
        if let failure {
            throw RunStoreError(failure.kind, file: path, object: failure.object,
                                detail: "an earlier write failed (\(failure.detail)); nothing more is written to this file")
        }
    }

    private func isPending(_ parent: H5Group, _ name: String) -> Bool {
        pending.contains { $0.parent.location.object == parent.location.object && $0.name == name }
    }

    private func commitIfAsked() throws {
        if options.flushEachRecord { try commit() }
    }

    /// Phase 1 flushes the records' bytes (reachable by no name yet); phase 2 links them and
    /// flushes the names. A kill during phase 1 leaves unreachable bytes; during phase 2, names
    /// that lead to complete records.
    private func commit() throws {
        try guarded {
            try file.flush()
            guard !pending.isEmpty else { return }
            for item in pending { try item.parent.link(item.record, as: item.name) }
            pending.removeAll()
            pendingSpectrumSteps.removeAll()
            try file.flush()
        }
    }

    /// Runs a write; on failure fences the file off (nothing more reaches it, so it stays as the
    /// failed write left it: what a kill at that moment leaves) and remembers the failure.
    @discardableResult
    private func guarded<R>(_ body: () throws -> R) throws -> R {
        if let failure { throw failure }
        do { return try body() } catch let error as RunStoreError where error.kind == .invalidArgument {
            throw error
        } catch {
            let classified = RunWriter.classify(error, path: path)
            failure = classified
            file.fence()
            throw classified
        }
    }

    /// A disk-full failure becomes `.diskFull` with a sentence saying what is kept.
    static func classify(_ error: Error, path: String) -> RunStoreError {
        guard let error = error as? RunStoreError else {
            return RunStoreError(.hdf5(operation: "write"), file: path, detail: "\(error)")
        }
        let message = (error.hdf5Message ?? "") + " " + error.detail
        if message.contains("No space left") || message.contains("errno = 28") || message.contains("Disk quota") {
            return RunStoreError(.diskFull, file: path, object: error.object,
                                 detail: "the disk is full; the file keeps every record written before this one (free some space and record again)",
                                 hdf5Message: error.hdf5Message)
        }
        return error
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
