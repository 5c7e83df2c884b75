// Reading a run file: open and validate, then the header strings and every record kind.
// Opening never modifies the file (read-only), and every failure is a RunStoreError naming the
// file and the object.

import Foundation

/// Read access to one run file. Not thread-safe: use from one thread at a time.
public final class RunReader {
    /// The path as given to `open`.
    public let path: String
    /// The file's `format_version` ("MAJOR.MINOR").
    public let formatVersion: String
    /// The `software` that created the file.
    public let software: String
    /// ISO 8601 UTC creation time.
    public let created: String
    /// The processes that recorded the run (`mpirun -np N`): 1 when the file does not say.
    public let processes: Int
    let file: H5File
    let root: H5Group

    /// Opens `path` read-only and checks that it is a run file of a supported major version.
    public static func open(_ path: String) throws -> RunReader {
        try RunReader(file: H5File.open(path, writable: false))
    }

    init(file: H5File) throws {
        H5.prepareThread()
        self.file = file
        path = file.path
        root = try file.root()
        guard root.hasAttribute(Schema.Root.formatVersion) else {
            throw RunStoreError(.notARun, file: path,
                                detail: "an HDF5 file but not a Curvature run (no '\(Schema.Root.formatVersion)' attribute at the root)")
        }
        formatVersion = try root.stringAttribute(Schema.Root.formatVersion)
        let major = formatVersion.split(separator: ".").first.flatMap { Int($0) }
        guard let major, RunFormat.supportedMajorVersions.contains(major) else {
            let supported = RunFormat.supportedMajorVersions.map { "\($0).x" }
            throw RunStoreError(.unsupportedVersion(found: formatVersion, supported: supported), file: path,
                                detail: "run format version \(formatVersion) is not supported by this build (reads \(supported.joined(separator: ", "))); upgrade curvature to read it")
        }
        software = (try? root.stringAttribute(Schema.Root.software)) ?? ""
        created = (try? root.stringAttribute(Schema.Root.created)) ?? ""
        processes = max(1, Int((try? root.intAttribute(Schema.Root.processes)) ?? 1))
        // /analyses is read leniently (an unreadable one reads as empty, and the next append
        // replaces it), so a damaged one does not lock the whole run away.
        for name in Schema.requiredGroups where name != Schema.Analysis.group && !root.isGroup(name) {
            throw RunStoreError(.malformed, file: path, object: "/" + name,
                                detail: "the run file lacks its '\(name)' group; it was not written by curv-record or is damaged")
        }
    }

    /// Throws what opening `path` for writing would report about the file system (read-only,
    /// permissions), without opening or touching it: a tool that appends results checks this
    /// before its work.
    public static func checkWritable(_ path: String) throws {
        if let problem = H5File.writeProblem(path) { throw problem }
    }

    /// Closes the file now (also done when the reader is released).
    public func close() {
        root.handle.close()
        try? file.close()
    }

    // MARK: Header

    /// The resolved configuration as TOML text.
    public func configTOML() throws -> String {
        H5.prepareThread()
        return try root.group(Schema.Config.group).dataset(Schema.Config.toml).readStrings().first ?? ""
    }

    /// The resolved configuration as a JSON object's text, when the recorder stored it.
    public func configJSON() throws -> String? {
        H5.prepareThread()
        let config = try root.group(Schema.Config.group)
        guard config.contains(Schema.Config.json) else { return nil }
        return try config.dataset(Schema.Config.json).readStrings().first
    }

    /// The model spec (JSON text defined by the Models layer).
    public func modelSpec() throws -> String {
        H5.prepareThread()
        return try root.group(Schema.Model.group).dataset(Schema.Model.spec).readStrings().first ?? ""
    }

    /// Number of scalar trainable parameters.
    public func parameterCount() throws -> Int {
        H5.prepareThread()
        return Int(try root.group(Schema.Model.group).intAttribute(Schema.Model.parameterCount))
    }

    /// Config, model spec, parameter count and data provenance together.
    public func header() throws -> RunHeader {
        RunHeader(configTOML: try configTOML(), configJSON: try configJSON(), modelSpec: try modelSpec(),
                  parameterCount: try parameterCount(), data: try dataProvenance())
    }

    /// Where the training data came from (and, for text data, the byte of each token id).
    public func dataProvenance() throws -> DataProvenance {
        H5.prepareThread()
        let data = try root.group(Schema.Data.group)
        var provenance = DataProvenance(name: try data.stringAttribute(Schema.Data.name),
                                        path: try data.stringAttribute(Schema.Data.path),
                                        sha256: try data.stringAttribute(Schema.Data.sha256))
        if data.hasAttribute(Schema.Data.bytes) { provenance.bytes = Int(try data.intAttribute(Schema.Data.bytes)) }
        if data.contains(Schema.Data.vocabulary) {
            let dataset = try data.dataset(Schema.Data.vocabulary)
            guard try dataset.storesBytes(), try dataset.shape().count == 1 else {
                throw dataset.location.malformed("expected a 1-D array of bytes (uint8), the byte of each token id")
            }
            provenance.vocabulary = try dataset.read(UInt8.self)
        }
        return provenance
    }

    /// Whether the Hessian batch was stored.
    public func hasHessianBatch() throws -> Bool {
        H5.prepareThread()
        return try root.group(Schema.Data.group).contains(Schema.Data.hessianGroup)
    }

    /// The Hessian batch, converted to `T` (nil when it was not stored).
    public func hessianBatch<T: StoredFloat>(as type: T.Type) throws -> HessianBatch<T>? {
        H5.prepareThread()
        let data = try root.group(Schema.Data.group)
        guard data.contains(Schema.Data.hessianGroup) else { return nil }
        let group = try data.group(Schema.Data.hessianGroup)
        var batch = HessianBatch<T>(indices: try group.dataset(Schema.Data.indices).read())
        batch.positions = try positiveAttribute(Schema.Data.positions, of: group)
        batch.classes = try positiveAttribute(Schema.Data.classes, of: group)
        if group.contains(Schema.Data.inputs) { batch.inputs = try group.readArray(Schema.Data.inputs, as: T.self) }
        if group.contains(Schema.Data.labels) {
            let labels = try group.dataset(Schema.Data.labels)
            // Sequence data (format 1.3): [n, positions]; one label per example: [n].
            let shape = try labels.shape()
            if shape.count == 2 && batch.positions == nil { batch.positions = shape[1] }
            if let positions = batch.positions, shape != [batch.indices.count, positions] {
                throw labels.location.malformed("labels have shape \(shape), expected [\(batch.indices.count), \(positions)] for \(batch.indices.count) examples of \(positions) positions; the file was damaged or edited")
            }
            batch.labels = try labels.read()
        }
        if group.contains(Schema.Data.targets) { batch.targets = try group.readArray(Schema.Data.targets, as: T.self) }
        return batch
    }

    /// An optional count attribute of `group` (nil when absent); anything but a whole number
    /// from 1 is damage.
    private func positiveAttribute(_ name: String, of group: H5Group) throws -> Int? {
        guard group.hasAttribute(name) else { return nil }
        let value = try group.intAttribute(name)
        guard value >= 1 else {
            throw group.location.malformed("attribute '\(name)' is \(value); it counts label positions or classes, from 1")
        }
        return Int(value)
    }

    /// /learned_init (format 1.5): nil when the run drew its initialization without a search.
    public func learnedInit() throws -> LearnedInitRecord? {
        H5.prepareThread()
        return try LearnedInitStorage.read(root)
    }

    /// /imported (format 1.7): nil unless `curv-import` made the run from weights trained elsewhere.
    public func imported() throws -> ImportRecord? {
        H5.prepareThread()
        return try ImportStorage.read(root)
    }

    // MARK: Metrics and events

    /// All metrics rows. Rows are cut to the shortest dataset, and trailing rows whose step was
    /// never written (a recorder killed mid-flush) are dropped, as are columns and chunks that
    /// only that unfinished flush created (see `readAppended`).
    public func metrics() throws -> MetricsTable {
        H5.prepareThread()
        let group = try root.group(Schema.Metrics.group)
        var steps: [Int64] = try readAppended(group.dataset(Schema.Metrics.step)) { try $0.read(limit: $1) }
        var columns: [String: [Double]] = [:]
        for name in try group.memberNames() where name != Schema.Metrics.step {
            // A column first created by a flush the recorder did not live to finish can be linked
            // but not yet openable; it holds only that unacknowledged row, so it is left out.
            guard let column = try? group.dataset(name) else { continue }
            columns[name] = try readAppended(column) { try $0.read(limit: $1) }
        }
        var rows = ([steps.count] + columns.values.map(\.count)).min() ?? 0
        while rows > 0 && steps[rows - 1] < 0 { rows -= 1 }
        steps = Array(steps.prefix(rows))
        return MetricsTable(steps: steps.map { Int($0) }, columns: columns.mapValues { Array($0.prefix(rows)) })
    }

    /// All events, in the order recorded.
    public func events() throws -> [RunEvent] {
        H5.prepareThread()
        let group = try root.group(Schema.Events.group)
        // The step index first: a row counts once its step is written, which the writer does only
        // after the row's strings are on disk; strings past it may belong to an unfinished write.
        let steps: [Int64] = try readAppended(group.dataset(Schema.Events.step)) { try $0.read(limit: $1) }
        var rows = steps.count
        while rows > 0 && steps[rows - 1] < 0 { rows -= 1 }
        let kinds = try readAppended(group.dataset(Schema.Events.kind)) { try $0.readStrings(limit: min($1 ?? rows, rows)) }
        let details = try readAppended(group.dataset(Schema.Events.detail)) { try $0.readStrings(limit: min($1 ?? rows, rows)) }
        // Format 1.5: the operator of each threshold crossing ("" for other events).
        var operators: [SpectralOperator?]?
        if group.contains(Schema.Events.operator) {
            let dataset = try group.dataset(Schema.Events.operator)
            operators = try readAppended(dataset) { try $0.readStrings(limit: min($1 ?? rows, rows)) }.map { name in
                guard !name.isEmpty else { return nil }
                guard let op = SpectralOperator(rawValue: name) else {
                    throw dataset.location.malformed("'\(name)' is no operator (hessian, preconditioned or empty); the file was damaged or edited")
                }
                return op
            }
            rows = min(rows, operators!.count)
        }
        rows = min(rows, kinds.count, details.count)
        return (0..<rows).map { RunEvent(step: Int(steps[$0]), kind: kinds[$0], detail: details[$0], operator: operators?[$0] ?? nil) }
    }
}

/// Reads an appended-to 1-D dataset. When a recorder was killed while flushing a row that opened
/// a new chunk, the chunk's index entry can point past the end of the file; only rows of that
/// unacknowledged flush live in it, so the read falls back to the rows before the first chunk that
/// does not read (down to none). Those chunks are the last ones, so a prefix reads exactly when it
/// stops before them, and the longest such prefix is found by bisection over chunk boundaries: a
/// few reads, where stepping back one chunk at a time took as many reads as the extent has chunks
/// (an extent damaged to 2^50 rows hung the reader). A schema error (an implausible extent, a
/// wrong type) is thrown as it is: fewer rows would not make the dataset readable.
func readAppended<T>(_ dataset: H5Dataset, _ read: (H5Dataset, Int?) throws -> [T]) throws -> [T] {
    do { return try read(dataset, nil) } catch let error as RunStoreError where error.kind == .malformed {
        throw error
    } catch {
        let chunk = RunFormat.appendChunk
        // Prefixes of `readable` whole chunks read; of `unreadable` chunks (the whole extent) do not.
        var readable = 0, unreadable = (try dataset.elementCount() - 1) / chunk + 1
        while unreadable - readable > 1 {
            let middle = readable + (unreadable - readable) / 2
            if (try? read(dataset, middle * chunk)) != nil { readable = middle } else { unreadable = middle }
        }
        if let values = try? read(dataset, readable * chunk) { return values }
        throw error
    }
}

/// Step-named members of `group` (steps), ascending; names that are not numbers are ignored.
/// A name that reads as a number but not as a step (negative, signed, leading zeros: "-5",
/// "+3", "007") is damage or tampering, and an error naming it.
func numericMembers(_ group: H5Group) throws -> [Int] {
    try group.memberNames().compactMap { name in
        guard let value = Int(name) else { return nil }
        guard value >= 0, String(value) == name else {
            throw group.location.child(name).malformed("'\(name)' is not a step (steps are whole numbers from 0, written without sign or leading zeros); the file was damaged or edited")
        }
        return value
    }.sorted()
}

/// Checks a stored Lanczos tridiagonal set: alpha [probes][m] and beta [probes][m - 1]. A tampered
/// file otherwise reaches the eigensolver with mismatched lengths.
func checkTridiagonals(alpha: [[Double]], beta: [[Double]], at location: H5Location) throws {
    let m = alpha.first?.count ?? 0
    guard alpha.allSatisfy({ $0.count == m }), beta.count == alpha.count, beta.allSatisfy({ $0.count == max(m - 1, 0) }) else {
        let shape = { (rows: [[Double]]) in rows.isEmpty ? "[]" : "[\(rows.count)][\(Set(rows.map(\.count)).sorted().map(String.init).joined(separator: "|"))]" }
        throw location.malformed("the Lanczos tridiagonals do not match: alpha \(shape(alpha)) and beta \(shape(beta)) (beta needs one entry fewer per probe than alpha)")
    }
}

/// Like `numericMembers`, but a group that cannot be listed reads as empty. A recorder killed
/// while linking a group's first member can leave the group's B-tree pointing at a leaf that
/// never reached the disk; nothing in it was acknowledged (it had no member before), and only
/// B-tree splits (past 1024 members) could do the same to a group with members.
func listableNumericMembers(_ group: H5Group) -> [Int] {
    (try? numericMembers(group)) ?? []
}
