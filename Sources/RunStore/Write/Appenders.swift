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
        try group.createDataset(Schema.Metrics.step, fileType: Int64.fileType, shape: [0],
                                options: H5DatasetOptions(extendible: true, chunk: [RunFormat.appendChunk], fillInt: -1))
    }

    /// Appends rows; each row's missing metrics stay NaN.
    func append(_ batch: [(step: Int, values: [String: Double])]) throws {
        guard let step, !batch.isEmpty else { return }
        let names = Set(batch.flatMap { $0.values.keys })
        for name in names {
            try validateName(name, what: "metric", file: group.location.file)
            guard name != Schema.Metrics.step else {
                throw RunStoreError(.invalidArgument, file: group.location.file, object: group.location.object,
                                    detail: "'step' is the metrics index, not a metric name")
            }
        }
        for name in names.sorted() where columns[name] == nil {
            let column = try group.createDataset(name, fileType: Double.fileType, shape: [rows],
                                                 options: H5DatasetOptions(extendible: true, chunk: [RunFormat.appendChunk],
                                                                           fillDouble: .nan))
            columns[name] = column
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
        try step.resize(to: newRows)
        try step.write(batch.map { Int64($0.step) }, at: rows)
        rows = newRows
    }

    func release() {
        step = nil
        columns = [:]
    }
}

final class EventAppender {
    let group: H5Group
    private var datasets: (step: H5Dataset, kind: H5Dataset, detail: H5Dataset)?

    init(group: H5Group) throws {
        self.group = group
        datasets = (try group.dataset(Schema.Events.step), try group.dataset(Schema.Events.kind),
                    try group.dataset(Schema.Events.detail))
    }

    static func createDatasets(in group: H5Group) throws {
        _ = try group.createDataset(Schema.Events.step, fileType: Int64.fileType, shape: [0],
                                    options: H5DatasetOptions(extendible: true, chunk: [256], fillInt: -1))
        _ = try group.createExtendibleStringDataset(Schema.Events.kind)
        _ = try group.createExtendibleStringDataset(Schema.Events.detail)
    }

    func append(_ events: [RunEvent]) throws {
        guard let datasets, !events.isEmpty else { return }
        for event in events where event.kind.isEmpty {
            throw RunStoreError(.invalidArgument, file: group.location.file, object: group.location.object,
                                detail: "event at step \(event.step) has an empty kind")
        }
        // Strings first, the step index last (readers take the shortest length).
        try datasets.kind.appendStrings(events.map(\.kind))
        try datasets.detail.appendStrings(events.map(\.detail))
        try datasets.step.append(events.map { Int64($0.step) })
    }

    func release() { datasets = nil }
}
