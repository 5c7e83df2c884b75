/// /imported (format 1.7): attributes `source`, `format`, `sha256`, `bytes`, `convention`,
/// `exporter`, `check_examples`, `check_mode`, `exporter_loss`, `loss`; string datasets `tensors`,
/// `source_names`, `conversions` [k].
enum ImportStorage {
    /// Builds the record in a new anonymous group, to be linked as /imported once flushed.
    static func build(_ record: ImportRecord, in root: H5Group, file: H5File) throws -> H5Group {
        let k = record.tensors.count
        guard record.sourceNames.count == k, record.conversions.count == k else {
            throw RunStoreError(.invalidArgument, file: root.location.file, object: "/\(Schema.Imported.group)",
                                detail: "\(record.sourceNames.count) source names and \(record.conversions.count) conversions for \(k) tensors")
        }
        let group = try H5Group.createAnonymous(in: file, location: root.location.child(Schema.Imported.group))
        try group.setAttribute(Schema.Imported.source, record.source)
        try group.setAttribute(Schema.Imported.format, record.format)
        try group.setAttribute(Schema.Imported.sha256, record.sha256)
        try group.setAttribute(Schema.Imported.bytes, Int64(record.bytes))
        try group.setAttribute(Schema.Imported.convention, record.convention)
        try group.setAttribute(Schema.Imported.exporter, record.exporter)
        try group.setAttribute(Schema.Imported.checkExamples, Int64(record.checkExamples))
        try group.setAttribute(Schema.Imported.checkMode, record.checkMode)
        try group.setAttribute(Schema.Imported.exporterLoss, record.exporterLoss)
        try group.setAttribute(Schema.Imported.loss, record.loss)
        _ = try group.createStringArray(Schema.Imported.tensors, record.tensors)
        _ = try group.createStringArray(Schema.Imported.sourceNames, record.sourceNames)
        _ = try group.createStringArray(Schema.Imported.conversions, record.conversions)
        return group
    }

    static func read(_ root: H5Group) throws -> ImportRecord? {
        guard root.contains(Schema.Imported.group) else { return nil }
        let group = try root.group(Schema.Imported.group)
        let tensors = try group.dataset(Schema.Imported.tensors).readStrings()
        let sources = try group.dataset(Schema.Imported.sourceNames).readStrings()
        let conversions = try group.dataset(Schema.Imported.conversions).readStrings()
        guard sources.count == tensors.count, conversions.count == tensors.count else {
            throw group.location.malformed("\(sources.count) source names and \(conversions.count) conversions for \(tensors.count) tensors; the file was damaged or edited")
        }
        return ImportRecord(source: try group.stringAttribute(Schema.Imported.source), format: try group.stringAttribute(Schema.Imported.format),
                            sha256: try group.stringAttribute(Schema.Imported.sha256), bytes: Int(try group.intAttribute(Schema.Imported.bytes)),
                            convention: try group.stringAttribute(Schema.Imported.convention), exporter: try group.stringAttribute(Schema.Imported.exporter),
                            checkExamples: Int(try group.intAttribute(Schema.Imported.checkExamples)),
                            checkMode: try group.stringAttribute(Schema.Imported.checkMode),
                            exporterLoss: try group.doubleAttribute(Schema.Imported.exporterLoss), loss: try group.doubleAttribute(Schema.Imported.loss),
                            tensors: tensors, sourceNames: sources, conversions: conversions)
    }
}
