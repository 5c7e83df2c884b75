import RunStore

/// Where a recording's records go: the run file, or nowhere.
///
/// In a distributed recording every rank computes every record (the all-reduced sums make them
/// equal); rank 0 writes them to the run file and the other ranks drop them (`DroppedRecords`),
/// so the recorder's steps are the same code on every rank.
protocol RecordSink: AnyObject {
    func writeHessianBatch<T: StoredFloat>(_ batch: HessianBatch<T>) throws
    func writeLearnedInit(_ record: LearnedInitRecord) throws
    func writeImport(_ record: ImportRecord) throws
    func appendMetrics(step: Int, _ values: [String: Double]) throws
    func writeCheckpoint<T: StoredFloat>(_ checkpoint: Checkpoint<T>) throws
    func writeSpectrum(_ spectrum: Spectrum) throws
    func appendEvent(_ event: RunEvent) throws
    /// Completes the file (a recording that ended, or a resumed one even when interrupted).
    func close() throws
    /// Ends without completing: a new file is removed, an old one left as it was.
    func abandon() throws
}

extension RunWriter: RecordSink {}

/// The records of a rank other than 0 in a distributed recording: computed, then dropped.
final class DroppedRecords: RecordSink {
    func writeHessianBatch<T: StoredFloat>(_ batch: HessianBatch<T>) throws {}
    func writeLearnedInit(_ record: LearnedInitRecord) throws {}
    func writeImport(_ record: ImportRecord) throws {}
    func appendMetrics(step: Int, _ values: [String: Double]) throws {}
    func writeCheckpoint<T: StoredFloat>(_ checkpoint: Checkpoint<T>) throws {}
    func writeSpectrum(_ spectrum: Spectrum) throws {}
    func appendEvent(_ event: RunEvent) throws {}
    func close() throws {}
    func abandon() throws {}
}
