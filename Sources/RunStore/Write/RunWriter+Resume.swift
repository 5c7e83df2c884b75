// Resuming an interrupted recording (`curv-record --resume RUN.h5`). The run file itself is never
// opened for writing: it is copied beside itself (`.NAME.partial`), the copy loses every record at
// or after the step the recording restarts from (checkpoints, spectra, metrics rows, events), and
// the recorder appends to the copy, which `close()` renames over the run. A kill at any moment
// leaves the run as it was (the copy is removed by the next writer of that path).

import Foundation

extension RunWriter {
    /// Opens a copy of the run at `path` holding only what was recorded before `step`, for the
    /// recorder to continue from `step`; `close()` puts it in place (also after an interruption:
    /// the resumed steps are kept), `abandon()` removes it. Takes the run's lock. Throws when the
    /// file has analyses of steps at or after `step` (they would describe checkpoints the resumed
    /// run rewrites) or was written before format 1.5 (no event operators to append to).
    public static func resume(at path: String, from step: Int, tool: String = ProcessInfo.processInfo.processName) throws -> RunWriter {
        H5.prepareThread()
        let reader = try RunReader.open(path)
        let version = reader.formatVersion.split(separator: ".").compactMap { Int($0) }
        let later = try reader.analyses().filter { $0.analysis.step >= step }
        reader.close()
        guard version.count == 2, (version[0], version[1]) >= (1, 5) else {
            throw RunStoreError(.invalidArgument, file: path,
                                detail: "recorded in format \(reader.formatVersion); resuming needs format 1.5 or later (record the run again); the run file is unchanged")
        }
        guard later.isEmpty else {
            throw RunStoreError(.invalidArgument, file: path,
                                detail: "analyses \(later.map(\.id).joined(separator: ", ")) are of steps at or after \(step), which resuming records again; copy the file and resume the copy, or re-analyse after; the run file is unchanged")
        }
        let lock = try WriterLock.acquire(for: path, tool: tool)
        let target = resolvedPath(path)
        let temporary = hiddenSibling(of: target, suffix: ".partial")
        unlink(temporary)   // a killed writer's leftover; the lock says nobody uses it now
        do {
            try copyFile(target, to: temporary, shownAs: path)
            let file = try H5File.open(temporary, writable: true)
            file.path = path
            do {
                let root = try file.root()
                try truncate(root, before: step)
                try file.flush()
                return try RunWriter(path: path, options: Options(overwrite: true, tool: tool), file: file, root: try file.root(),
                                     lock: lock, temporary: temporary)
            } catch {
                file.fence()
                try? file.close()
                throw error
            }
        } catch {
            unlink(temporary)
            lock.release()
            var failure = classify(error, path: path)
            failure.file = path
            if !failure.detail.contains("unchanged") { failure.detail += "; the run file is unchanged" }
            throw failure
        }
    }

    /// Removes every record of a step at or after `step`: checkpoint and spectrum groups, metrics
    /// rows (the table is in step order) and events.
    private static func truncate(_ root: H5Group, before step: Int) throws {
        for groupName in [Schema.Checkpoint.group, Schema.Spectrum.group] {
            let group = try root.group(groupName)
            for name in try group.memberNames() where (Int(name) ?? Int.max) >= step { try group.unlink(name) }
        }
        let metrics = try root.group(Schema.Metrics.group)
        let steps: [Int64] = try metrics.dataset(Schema.Metrics.step).read()
        let rows = steps.firstIndex { $0 < 0 || $0 >= Int64(step) } ?? steps.count
        for name in try metrics.memberNames() { try metrics.dataset(name).resize(to: rows) }
        let events = try root.group(Schema.Events.group)
        let eventSteps: [Int64] = try events.dataset(Schema.Events.step).read()
        let kept = eventSteps.firstIndex { $0 < 0 || $0 >= Int64(step) } ?? eventSteps.count
        for name in try events.memberNames() { try events.dataset(name).resize(to: kept) }
    }
}
