import Foundation
import MessagePassing
import RunStore
import Training

/// Records a sweep's points into a folder, several at a time, each by its own `curv-record`
/// process (docs/sweeps.md):
///
///     DIR/index.json, DIR/index.csv    the points, their status and results (rewritten after each point)
///     DIR/sweep.toml                   the sweep file it was made from (a copy)
///     DIR/runs/NAME.toml               a point's full run config
///     DIR/runs/NAME.h5                 its run file: present only once complete (recorded as NAME.partial.h5, then renamed)
///     DIR/runs/NAME.log                curv-record's output for it
///
/// Resumable: a point whose run file exists is done and kept; anything else (never started,
/// interrupted, failed) is recorded again. Ctrl-C (SIGINT) stops starting points, lets the
/// running ones finish their step and close, removes their partial files, writes the index and
/// returns with `interrupted`: every point finished before it is kept.
///
/// In an MPI job (`ranks`), the points still to record are dealt out to the ranks in turn (the
/// k-th to rank k mod N), each rank recording its own `jobs` at a time; the folder must be one
/// all ranks see (a shared file system). Rank 0 holds the folder's lock and writes the index:
/// after each of its own points, and with every rank's outcomes once all have finished.
public final class SweepRunner {
    public struct Options {
        /// The sweep folder (created if missing).
        public var folder: String
        /// Points recorded at once (each curv-record runs BLAS on one thread).
        public var jobs: Int
        /// The curv-record executable.
        public var recorder: String
        /// Progress lines ("[ 3/12] lr=0.5, ...: stable ...").
        public var report: (String) -> Void = { _ in }
        /// Polled between points: true after Ctrl-C.
        public var shouldStop: () -> Bool = { false }
        /// How often finished children are looked for (seconds).
        public var pollInterval = 0.05
        /// The processes sharing the points (`mpirun`); `.single`: this one records them all.
        public var ranks: Communicator = .single

        public init(folder: String, jobs: Int, recorder: String) {
            self.folder = folder
            self.jobs = jobs
            self.recorder = recorder
        }
    }

    public struct Summary: Sendable {
        public var index: SweepIndex
        /// Points recorded by this call, and found already done.
        public var recorded: Int
        public var kept: Int
        public var interrupted: Bool
        public var seconds: Double
        public var failed: [SweepIndex.Point] { index.points.filter { $0.status == .failed } }
    }

    let plan: SweepPlan
    var options: Options
    var index: SweepIndex
    private var running: [pid_t: (point: Int, started: Date)] = [:]

    public init(plan: SweepPlan, options: Options) {
        self.plan = plan
        self.options = options
        let spec = plan.spec
        index = SweepIndex(sweep: spec.file, base: spec.base,
                           axes: spec.axes.map { SweepIndex.Axis(name: $0.name, labels: $0.labels, numbers: $0.numbers) },
                           points: plan.points.map { p in
                               SweepIndex.Point(name: p.name, coordinates: p.coordinates,
                                                values: Dictionary(uniqueKeysWithValues: spec.axes.indices.map { (spec.axes[$0].name, spec.axes[$0].labels[p.coordinates[$0]]) }),
                                                status: .pending, run: "runs/\(p.name).h5", config: "runs/\(p.name).toml",
                                                log: "runs/\(p.name).log")
                           })
    }

    func path(_ relative: String) -> String { (options.folder as NSString).appendingPathComponent(relative) }
    func partial(_ i: Int) -> String { path("runs/\(plan.points[i].name).partial.h5") }

    /// Prepares the folder (refusing one another tool or sweep owns), keeps what is done, records
    /// the rest. Throws for a folder it cannot use; a point that fails is reported in the summary.
    public func run() throws -> Summary {
        let start = Date()
        let ranks = options.ranks
        let lock = ranks.isRoot ? try prepareFolder() : -1
        defer { if lock >= 0 { close(lock) } }
        if ranks.isRoot { for i in plan.points.indices { unlink(partial(i)) } }
        ranks.barrier()   // the folder is ready (and locked) before any rank reads it
        var kept = 0
        for i in plan.points.indices {
            let run = path(index.points[i].run)
            guard FileManager.default.fileExists(atPath: run) else { continue }
            do {
                index.points[i].result = try PointResult.read(run)
            } catch {
                throw SweepError("\(run): a finished point's run file cannot be read (\(error)); move it away to record the point again")
            }
            index.points[i].status = .done
            kept += 1
        }
        if ranks.isRoot { try index.write(folder: options.folder) }
        let allPending = plan.points.indices.filter { index.points[$0].status != .done }
        let pending = allPending.enumerated().filter { $0.offset % ranks.size == ranks.rank }.map(\.element)
        let jobs = max(1, min(options.jobs, pending.count))
        if ranks.isRoot {
            options.report("\(plan.points.count) points: \(kept) already done, \(allPending.count) to record"
                           + (allPending.isEmpty ? "" : ", \(jobs) at a time" + (ranks.size > 1 ? " on each of \(ranks.size) ranks" : "")))
        }

        var queue = pending[...]
        var recorded = 0, stopping = false, forwarded = false
        var firstError: Error?
        while !queue.isEmpty || !running.isEmpty {
            if !stopping && (options.shouldStop() || firstError != nil) { stopping = true }
            if stopping && !forwarded {
                // A terminal's Ctrl-C reached the children already; a signal sent to this process alone did not.
                for pid in running.keys { kill(pid, SIGINT) }
                forwarded = true
            }
            while !stopping && running.count < jobs, let i = queue.popFirst() {
                do { try launch(i) } catch {
                    firstError = firstError ?? error
                    stopping = true
                }
            }
            guard let (pid, status) = ChildProcess.reapAny() else {
                if running.isEmpty { break }
                Thread.sleep(forTimeInterval: options.pollInterval)
                continue
            }
            guard let (i, started) = running.removeValue(forKey: pid) else { continue }
            finish(i, status: status, seconds: Date().timeIntervalSince(started))
            if index.points[i].status == .done { recorded += 1 }
            if ranks.isRoot { do { try index.write(folder: options.folder) } catch { firstError = firstError ?? error } }
            options.report(ranks.rankLabel + progressLine(i, done: index.points.filter { $0.status == .done }.count))
        }
        if let firstError { throw firstError }
        if ranks.size > 1 {
            (recorded, stopping) = try gather(pending, recorded: recorded, interrupted: stopping)
            if ranks.isRoot { try index.write(folder: options.folder) }
        }
        return Summary(index: index, recorded: recorded, kept: kept, interrupted: stopping,
                       seconds: Date().timeIntervalSince(start))
    }

    /// Every rank's outcomes for its `points` into every rank's index; the points recorded and
    /// whether any rank was interrupted, over all ranks.
    private func gather(_ points: [Int], recorded: Int, interrupted: Bool) throws -> (recorded: Int, interrupted: Bool) {
        struct Share: Codable {
            var points: [Int: SweepIndex.Point]
            var recorded: Int
            var interrupted: Bool
        }
        let mine = Share(points: Dictionary(uniqueKeysWithValues: points.map { ($0, index.points[$0]) }), recorded: recorded, interrupted: interrupted)
        var total = (recorded: 0, interrupted: false)
        for bytes in options.ranks.allGather(Array(try JSONEncoder().encode(mine))) {
            let share = try JSONDecoder().decode(Share.self, from: Data(bytes))
            for (i, point) in share.points { index.points[i] = point }
            total.recorded += share.recorded
            total.interrupted = total.interrupted || share.interrupted
        }
        return total
    }

    /// Creates the folder and `runs/`, refuses a folder that holds other things or that another
    /// curv-sweep is writing (an exclusive lock on `DIR/.lock`, held until the returned descriptor closes).
    private func prepareFolder() throws -> Int32 {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: options.folder, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw SweepError("\(options.folder) is a file, not a folder; choose another --out") }
            let entries = try fm.contentsOfDirectory(atPath: options.folder)
            if !entries.isEmpty && !entries.contains("index.json") && !entries.contains("runs") {
                throw SweepError("\(options.folder) holds other files (\(entries.sorted().prefix(3).joined(separator: ", "))) and no sweep index; choose an empty or new --out")
            }
        }
        do {
            try fm.createDirectory(atPath: path("runs"), withIntermediateDirectories: true)
        } catch { throw SweepError("\(options.folder): cannot create the sweep folder (\(error.localizedDescription))") }
        let lock = open(path(".lock"), O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lock >= 0 else { throw SweepError("\(path(".lock")): cannot create (\(String(cString: strerror(errno))))") }
        guard flock(lock, LOCK_EX | LOCK_NB) == 0 else {
            close(lock)
            throw SweepError("\(options.folder): another curv-sweep is recording into it; wait for it, or choose another --out")
        }
        if let data = FileManager.default.contents(atPath: plan.spec.file) {
            try SweepIndex.replace(path("sweep.toml"), with: data)
        }
        return lock
    }

    private func launch(_ i: Int) throws {
        let point = plan.points[i]
        try SweepIndex.replace(path(index.points[i].config), with: Data(point.configText.utf8))
        // No live view: a sweep is watched through its index, and a killed point leaves no view behind.
        let child = try ChildProcess.start(options.recorder, [path(index.points[i].config), "--out", partial(i), "--live-every", "0"],
                                           log: path(index.points[i].log))
        running[child.pid] = (i, Date())
    }

    /// Files a finished child's point: done (its partial file renamed into place, its result read),
    /// pending (interrupted: the partial file removed), or failed (the reason from its log).
    private func finish(_ i: Int, status: Int32, seconds: Double) {
        index.points[i].seconds = seconds
        index.points[i].message = nil
        index.points[i].result = nil
        switch status {
        case 0:
            let run = path(index.points[i].run)
            do {
                index.points[i].result = try PointResult.read(partial(i))
                guard rename(partial(i), run) == 0 else { throw SweepError("\(run): cannot rename the finished run into place (\(String(cString: strerror(errno))))") }
                index.points[i].status = .done
            } catch {
                index.points[i].status = .failed
                index.points[i].message = "\(error)"
                unlink(partial(i))
            }
        case 130, 128 + SIGINT, 128 + SIGTERM:
            index.points[i].status = .pending
            index.points[i].message = "interrupted; recorded again on the next run"
            unlink(partial(i))
        default:
            index.points[i].status = .failed
            index.points[i].message = failureReason(i, status: status)
            unlink(partial(i))
        }
    }

    /// The recorder's own error line from the log (the last "curv-record: ..." line), else the status.
    private func failureReason(_ i: Int, status: Int32) -> String {
        let log = String(decoding: FileManager.default.contents(atPath: path(index.points[i].log)) ?? Data(), as: UTF8.self)
        let line = log.split(separator: "\n").last { $0.hasPrefix("curv-record:") && !$0.contains("warning:") }
        let what = status > 128 ? "killed by signal \(status - 128)" : "exit status \(status)"
        return (line.map(String.init) ?? "curv-record failed") + " (\(what); log \(index.points[i].log))"
    }

    private func progressLine(_ i: Int, done: Int) -> String {
        let p = index.points[i]
        let counter = "[\(String(repeating: " ", count: max(0, String(plan.points.count).count - String(done).count)))\(done)/\(plan.points.count)]"
        let time = String(format: "%.1f s", p.seconds ?? 0)
        switch p.status {
        case .done:
            let r = p.result!
            var facts = [r.outcome.rawValue]
            if let l = r.finalLoss { facts.append(String(format: "final loss %.4g", l)) }
            if let s = r.divergenceStep { facts.append("diverged at step \(s)") }
            if let m = r.maxThresholdRatio { facts.append(String(format: "max lr·λ_max %.3g× the threshold", m)) }
            return "\(counter) \(plan.points[i].caption): \(facts.joined(separator: ", ")) (\(time))"
        case .failed:
            return "\(counter) \(plan.points[i].caption): FAILED: \(p.message ?? "")"
        case .pending:
            return "\(counter) \(plan.points[i].caption): interrupted"
        }
    }
}
