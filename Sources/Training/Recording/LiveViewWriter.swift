import Foundation
import RunStore

/// Keeps a recording's live view (`LiveView.path(for:)`, docs/run-format.md "Live view") current:
/// the header, every metrics row and every event so far, written as a small run file under a
/// temporary name and renamed into place at most every `interval` seconds, and never more often
/// than 20 times its own writing time (a long run's view, rewritten whole, costs at most about 5%).
/// A failure to write it (a full disk) is reported once and ends the live view; the recording goes on.
final class LiveViewWriter {
    let path: String
    let header: RunHeader
    let interval: Double
    private(set) var rows: [(step: Int, values: [String: Double])] = []
    private(set) var events: [RunEvent] = []
    private var lastWrite: Double
    /// Seconds until the next rewrite: `interval`, or 20 times the last rewrite's duration if longer.
    private var wait: Double
    private var failed = false
    /// Seconds spent writing the live view, and how many times.
    private(set) var seconds = 0.0, writes = 0

    init(run: String, header: RunHeader, interval: Double, now: Double) {
        path = LiveView.path(for: run)
        self.header = header
        self.interval = interval
        wait = interval
        lastWrite = now
    }

    func append(step: Int, _ values: [String: Double]) { rows.append((step, values)) }
    func append(_ event: RunEvent) { events.append(event) }

    /// Writes the view when `interval` seconds have passed since the last write.
    func update(now: Double) {
        guard !failed, interval > 0, now - lastWrite >= wait else { return }
        write(now: now)
    }

    func write(now: Double) {
        let started = Date()
        do {
            let writer = try RunWriter.create(at: path, header: header, options: .init(overwrite: true, flushEachRecord: false,
                                                                                      tool: "curv-record (live view)"))
            do {
                try writer.appendMetrics(rows)
                for event in events { try writer.appendEvent(event) }
                try writer.close()
            } catch {
                try? writer.abandon()
                throw error
            }
            writes += 1
        } catch {
            failed = true
            FileHandle.standardError.write("curv-record: the live view \(path) could not be written (\(error)); the recording goes on without it\n".data(using: .utf8)!)
        }
        let took = Date().timeIntervalSince(started)
        seconds += took
        wait = max(interval, 20 * took)
        lastWrite = now
    }

    /// Removes the view (the recording ended: the run file is the record now).
    func remove() { unlink(path) }
}
