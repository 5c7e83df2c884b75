// The extendible 1-D datasets of /metrics and /events, kept open by the writer and grown one
// batch of rows at a time.
//
// Metrics: /metrics/step (int64) and one Float64 dataset per metric name, all the same length,
// chunked (RunFormat.appendChunk elements) and unfiltered so that growing a chunk rewrites it in
// place. Unwritten elements read as the fill value: NaN for metrics, -1 for steps.

import Foundation

final class MetricsAppender {
    let group: H5Group
    private var step: H5Dataset?
    private var columns: [String: H5Dataset] = [:]
    private var rows: Int

    init(group: H5Group) throws {
        self.group = group
        let step = try group.dataset(Schema.Metrics.step)
        self.step = step
        rows = try step.elementCount()
        for name in try group.memberNames() where name != Schema.Metrics.step {
            columns[name] = try group.dataset(name)
        }
    }

    static func createStep(in group: H5Group) throws -> H5Dataset {
        let step = try group.createDataset(Schema.Metrics.step, fileType: Int64.fileType, shape: [0],
                                           options: H5DatasetOptions(extendible: true, chunk: [RunFormat.appendChunk], fillInt: -1))
        try describe(step, as: Schema.Metrics.step)
        // Every column's dimension is `step`, so xarray and pandas index rows by it.
        try step.makeDimensionScale(named: Schema.Metrics.step)
        return step
    }

    /// Writes the column's `units` and `description` attributes (MetricCatalog) while the column
    /// is still unnamed, so they are part of the record that the link makes visible (its
    /// DIMENSION_LIST too, written by `append`). A name the
    /// catalog does not know (written through the RunWriter API) gets none.
    static func describe(_ column: H5Dataset, as name: String) throws {
        guard let entry = MetricCatalog.entry(for: name) else { return }
        try column.setAttribute(Schema.Metrics.units, entry.units)
        try column.setAttribute(Schema.Metrics.description, entry.description)
    }

    /// Appends rows; each row's missing metrics stay NaN. `barrier` commits what was written so
    /// far (the writer's flush); it separates a new metric column's bytes from its name, and its
    /// name from the first row that counts it.
    func append(_ batch: [(step: Int, values: [String: Double])], barrier: () throws -> Void) throws {
        guard let step, !batch.isEmpty else { return }
        let names = Set(batch.flatMap { $0.values.keys })
        for name in names {
            try validateName(name, what: "metric", file: group.location.file)
            guard name != Schema.Metrics.step else {
                throw RunStoreError(.invalidArgument, file: group.location.file, object: group.location.object,
                                    detail: "'step' is the metrics index, not a metric name")
            }
        }
        var created: [(name: String, column: H5Dataset)] = []
        for name in names.sorted() where columns[name] == nil {
            let column = try group.createDataset(name, fileType: Double.fileType, shape: [rows],
                                                 options: H5DatasetOptions(extendible: true, chunk: [RunFormat.appendChunk],
                                                                           fillDouble: .nan),
                                                 anonymous: true)
            try Self.describe(column, as: name)
            try column.attachDimensionScale(Schema.Metrics.step, in: group)
            columns[name] = column
            created.append((name, column))
        }
        let newRows = rows + batch.count
        // Values first, the step index last: a reader takes the shortest length, so a row counts
        // only once all of it is there.
        for (name, column) in columns where names.contains(name) {
            try column.resize(to: newRows)
            try column.write(batch.map { $0.values[name] ?? .nan }, at: rows)
        }
        for (name, column) in columns where !names.contains(name) {
            try column.resize(to: newRows)
        }
        if !created.isEmpty {
            // A new column is built unnamed, committed, then named and committed, and only then
            // does the step index count the row: a reader never meets a name leading to a
            // half-written column, nor a row missing one of its values.
            try barrier()
            for (name, column) in created { try group.link(column, as: name) }
            try barrier()
        }
        try step.resize(to: newRows)
        try step.write(batch.map { Int64($0.step) }, at: rows)
        rows = newRows
    }

    /// Closes every handle (the file can close only once nothing in it is open).
    func release() {
        step = nil
        columns = [:]
        group.handle.close()
    }
}

final class EventAppender {
    let group: H5Group
    private var datasets: (step: H5Dataset, kind: H5Dataset, detail: H5Dataset, operator: H5Dataset)?

    init(group: H5Group) throws {
        self.group = group
        datasets = (try group.dataset(Schema.Events.step), try group.dataset(Schema.Events.kind),
                    try group.dataset(Schema.Events.detail), try group.dataset(Schema.Events.operator))
    }

    static func createDatasets(in group: H5Group) throws {
        _ = try group.createDataset(Schema.Events.step, fileType: Int64.fileType, shape: [0],
                                    options: H5DatasetOptions(extendible: true, chunk: [256], fillInt: -1))
        _ = try group.createExtendibleStringDataset(Schema.Events.kind)
        _ = try group.createExtendibleStringDataset(Schema.Events.detail)
        _ = try group.createExtendibleStringDataset(Schema.Events.operator)
    }

    /// Appends events; `barrier` (the writer's commit) separates the strings from the step index,
    /// so a row counts only once its strings (kept in HDF5's global heap) are on disk.
    func append(_ events: [RunEvent], barrier: () throws -> Void) throws {
        guard let datasets, !events.isEmpty else { return }
        for event in events where event.kind.isEmpty {
            throw RunStoreError(.invalidArgument, file: group.location.file, object: group.location.object,
                                detail: "event at step \(event.step) has an empty kind")
        }
        // Strings first, the step index last (readers take the shortest length).
        try datasets.kind.appendStrings(events.map(\.kind))
        try datasets.detail.appendStrings(events.map(\.detail))
        try datasets.operator.appendStrings(events.map { $0.operator?.rawValue ?? "" })
        try barrier()
        try datasets.step.append(events.map { Int64($0.step) })
    }

    func release() {
        datasets = nil
        group.handle.close()
    }
}
