/// /learned_init (format 1.5): attribute `method`; `tensors` (strings) [k], `scales` float64 [k],
/// `scale_history` float64 [iterations + 1, k], and one float64 vector per series under `history/`.
enum LearnedInitStorage {
    /// Builds the record in a new anonymous group, to be linked as /learned_init once flushed.
    static func build(_ record: LearnedInitRecord, in root: H5Group, file: H5File) throws -> H5Group {
        let k = record.tensors.count
        guard record.scales.count == k, record.scaleHistory.allSatisfy({ $0.count == k }), Set(record.series.map(\.name)).count == record.series.count,
              record.series.allSatisfy({ !$0.name.isEmpty && !$0.name.contains("/") && !$0.name.hasPrefix(".") }) else {
            throw RunStoreError(.invalidArgument, file: root.location.file, object: "/\(Schema.LearnedInit.group)",
                                detail: "\(record.scales.count) scales and history rows of \(Set(record.scaleHistory.map(\.count)).sorted()) for \(k) tensors, or series names that are empty, repeated or hold '/'")
        }
        let group = try H5Group.createAnonymous(in: file, location: root.location.child(Schema.LearnedInit.group))
        try group.setAttribute(Schema.LearnedInit.method, record.method)
        _ = try group.createStringArray(Schema.LearnedInit.tensors, record.tensors)
        _ = try group.writeVector(Schema.LearnedInit.scales, record.scales)
        try group.writeMatrix(Schema.LearnedInit.scaleHistory, rows: record.scaleHistory)
        let history = try group.createGroup(Schema.LearnedInit.history)
        for s in record.series { _ = try history.writeVector(s.name, s.values) }
        return group
    }

    static func read(_ root: H5Group) throws -> LearnedInitRecord? {
        guard root.contains(Schema.LearnedInit.group) else { return nil }
        let group = try root.group(Schema.LearnedInit.group)
        let tensors = try group.dataset(Schema.LearnedInit.tensors).readStrings()
        let scales = try group.readDoubles(Schema.LearnedInit.scales)
        let history = try group.readMatrix(Schema.LearnedInit.scaleHistory)
        guard scales.count == tensors.count, history.allSatisfy({ $0.count == tensors.count }) else {
            throw group.location.malformed("\(scales.count) scales and history rows of \(Set(history.map(\.count)).sorted()) values for \(tensors.count) tensors; the file was damaged or edited")
        }
        var series: [(name: String, values: [Double])] = []
        if group.contains(Schema.LearnedInit.history) {
            let h = try group.group(Schema.LearnedInit.history)
            for name in try h.memberNames().sorted() { series.append((name, try h.readDoubles(name))) }
        }
        return LearnedInitRecord(method: try group.stringAttribute(Schema.LearnedInit.method), tensors: tensors, scales: scales,
                                 scaleHistory: history, series: series)
    }
}
