// The live view of a recording: `RUN.live.h5` beside the run file, a small complete run file
// (header, metrics, events; no checkpoints or spectra) that the recorder rewrites whole every few
// seconds and renames into place, so that h5py, curv-inspect and curv-plot can read a run while it
// is recorded. The run file itself stays locked by its writer (HDF5 1.10's SWMR cannot create
// groups, and reading a file between a writer's flushes is not safe); the recorder removes the
// live view when it ends.

import Foundation

public enum LiveView {
    /// `RUN.h5` -> `RUN.live.h5` (in the same folder, spelled as `run` is: relative stays relative).
    public static func path(for run: String) -> String {
        (run.hasSuffix(".h5") ? String(run.dropLast(3)) : run) + ".live.h5"
    }

    /// Opens the run at `path` for reading; when it cannot be opened because it is being recorded
    /// (locked, or still under its temporary name) and its live view exists, opens that instead
    /// and says so in `note` ("RUN.h5 is being recorded; reading its live view RUN.live.h5, written
    /// 2 s ago, steps 0-410").
    public static func open(_ path: String) throws -> (reader: RunReader, note: String?) {
        do {
            return (try RunReader.open(path), nil)
        } catch let error as RunStoreError {
            let live = Self.path(for: path)
            guard beingRecorded(error), FileManager.default.fileExists(atPath: live), let reader = try? RunReader.open(live) else { throw error }
            var note = "\(path) is being recorded; reading its live view \(live)"
            if let modified = (try? FileManager.default.attributesOfItem(atPath: live))?[.modificationDate] as? Date {
                note += String(format: ", written %.0f s ago", max(0, Date().timeIntervalSince(modified)))
            }
            if let steps = try? reader.metrics().steps, let last = steps.last { note += ", steps \(steps.first ?? 0)-\(last)" }
            return (reader, note)
        }
    }

    /// Whether `error` is what opening a run that a recorder is writing gives: HDF5's lock, or no
    /// file yet (with --overwrite the new file is under a temporary name until the end).
    static func beingRecorded(_ error: RunStoreError) -> Bool {
        if error.kind == .fileNotFound { return true }
        if case .hdf5 = error.kind { return error.detail.contains("locked") || (error.hdf5Message ?? "").contains("lock") }
        return error.detail.contains("locked")
    }
}
