// One writer per run file, guarded by a lock file of our own beside it (`.RUN.h5.lock`), so the
// guarantee does not depend on HDF5's flock (off with HDF5_USE_FILE_LOCKING=FALSE, often useless
// on NFS/Lustre). The lock file is created with O_CREAT|O_EXCL, which is atomic on local file
// systems and on NFSv3 and later, and names its owner: pid, host, boot id and the process's start
// time. A lock whose owner is gone (same host and boot, no such process, or another process
// reusing the pid) is stale and is broken; a lock from another host is never guessed at.

import Foundation

/// Holds the right to write one run file until `release()`.
final class WriterLock {
    /// The lock file's path.
    let lockPath: String
    /// The run file the lock guards (as the caller named it, for messages).
    let target: String
    private let content: String
    private var held = true

    private init(lockPath: String, target: String, content: String) {
        self.lockPath = lockPath
        self.target = target
        self.content = content
    }

    /// Takes the lock of the run file at `path` (which need not exist yet); throws `.locked` naming
    /// the owner when another live process holds it.
    static func acquire(for path: String, tool: String) throws -> WriterLock {
        let lockPath = lockPath(for: path)
        let mine = Owner.current(tool: tool)
        for _ in 0..<8 {
            let fd = open(lockPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 {
                let text = mine.text
                let written = text.withCString { write(fd, $0, strlen($0)) }
                close(fd)
                guard written == text.utf8.count else {
                    unlink(lockPath)
                    throw RunStoreError(.system(operation: "write", errno: errno), file: path,
                                        detail: "cannot write the lock file \(lockPath)")
                }
                return WriterLock(lockPath: lockPath, target: path, content: text)
            }
            let code = errno
            guard code == EEXIST else {
                throw cannotCreate(path, errno: code)
            }
            guard let existing = try? String(contentsOfFile: lockPath, encoding: .utf8) else { continue }   // just released
            let owner = Owner(text: existing)
            if let owner, !owner.isStale(relativeTo: mine) {
                throw RunStoreError(.locked(pid: owner.pid, host: owner.host), file: path,
                                    detail: "\(owner.tool) (pid \(owner.pid) on \(owner.host)) is writing this run file; wait for it to finish, or remove \(lockPath) if that process is gone")
            }
            if owner == nil {
                // Unreadable content: a writer killed between creating and filling the lock file,
                // or one filling it right now. Only an old one is stale.
                let age = (try? FileManager.default.attributesOfItem(atPath: lockPath)[.modificationDate] as? Date)
                    .map { Date().timeIntervalSince($0) } ?? 0
                if age < 5 { usleep(200_000); continue }
            }
            breakStale(lockPath, expected: existing)
        }
        throw RunStoreError(.locked(pid: 0, host: ""), file: path,
                            detail: "cannot take the lock file \(lockPath): other writers keep taking it; try again")
    }

    /// Removes the lock file if it is still this lock's.
    func release() {
        guard held else { return }
        held = false
        if (try? String(contentsOfFile: lockPath, encoding: .utf8)) == content { unlink(lockPath) }
    }

    deinit { release() }

    /// `.NAME.lock` in the directory that really holds the run file (symbolic links resolved, so
    /// two spellings of one path share one lock).
    static func lockPath(for path: String) -> String {
        hiddenSibling(of: resolvedPath(path), suffix: ".lock")
    }

    /// Moves a stale lock aside atomically, then deletes it if it is the one judged stale; a lock
    /// taken meanwhile by a new owner is put back.
    private static func breakStale(_ lockPath: String, expected: String) {
        let aside = lockPath + ".stale-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard rename(lockPath, aside) == 0 else { return }
        if (try? String(contentsOfFile: aside, encoding: .utf8)) == expected {
            unlink(aside)
        } else {
            if link(aside, lockPath) != 0 { /* a third writer took it meanwhile; theirs stands */ }
            unlink(aside)
        }
    }

    /// Who holds a lock.
    struct Owner: Equatable {
        var pid: Int32
        var host: String
        var boot: String
        var start: String
        var tool: String

        static func current(tool: String) -> Owner {
            Owner(pid: getpid(), host: hostName(), boot: bootID(), start: startTime(of: getpid()) ?? "", tool: tool)
        }

        var text: String { "pid=\(pid)\nhost=\(host)\nboot=\(boot)\nstart=\(start)\ntool=\(tool)\n" }

        init(pid: Int32, host: String, boot: String, start: String, tool: String) {
            (self.pid, self.host, self.boot, self.start, self.tool) = (pid, host, boot, start, tool)
        }

        init?(text: String) {
            var fields: [String: String] = [:]
            for line in text.split(separator: "\n") {
                guard let eq = line.firstIndex(of: "=") else { continue }
                fields[String(line[..<eq])] = String(line[line.index(after: eq)...])
            }
            guard let pidText = fields["pid"], let pid = Int32(pidText), let host = fields["host"], text.hasSuffix("\n") else { return nil }
            self.init(pid: pid, host: host, boot: fields["boot"] ?? "", start: fields["start"] ?? "", tool: fields["tool"] ?? "a writer")
        }

        /// True when this owner is certainly gone: same host, and another boot, no such process,
        /// a process with that pid started at another time (pid reused), or one that has exited
        /// and waits to be reaped (a zombie: in a container whose first process reaps no orphans,
        /// a killed writer stays one, e.g. a rank of an aborted MPI job).
        func isStale(relativeTo me: Owner) -> Bool {
            guard host == me.host else { return false }
            if !boot.isEmpty && !me.boot.isEmpty && boot != me.boot { return true }
            if kill(pid, 0) != 0 && errno == ESRCH { return true }
            if !start.isEmpty, let now = startTime(of: pid), now != start { return true }
            if let state = processState(of: pid), state == "Z" || state == "X" { return true }
            return false
        }
    }
}

/// The path with symbolic links in its directory resolved (the file itself need not exist).
/// The error for a file that cannot be created at `path` (or beside it: its lock, its temporary),
/// from `errno` after the failed call: the directory missing, not writable, or read-only.
func cannotCreate(_ path: String, errno code: Int32) -> RunStoreError {
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
    let reason: String
    switch code {
    case ENOENT, ENOTDIR: reason = "the directory \(directory) does not exist"
    case EACCES, EPERM: reason = "permission denied: the directory \(directory) is not writable"
    case EROFS: reason = "the directory \(directory) is on a read-only file system"
    default: reason = "cannot write in \(directory): \(String(cString: strerror(code)))"
    }
    return RunStoreError(.system(operation: "create", errno: code), file: path, detail: "cannot create the file: \(reason)")
}

/// A hidden file beside `path`, ".NAME<suffix>", with NAME shortened when needed so the whole
/// name stays within NAME_MAX (255 bytes): a long but valid run-file name keeps its lock and
/// temporary files.
func hiddenSibling(of path: String, suffix: String) -> String {
    let url = URL(fileURLWithPath: path)
    var name = url.lastPathComponent
    while 1 + name.utf8.count + suffix.utf8.count > 255 { name.removeLast() }
    return url.deletingLastPathComponent().appendingPathComponent("." + name + suffix).path
}

func resolvedPath(_ path: String) -> String {
    let url = URL(fileURLWithPath: path)
    if let real = realpath(url.path, nil) {
        defer { free(real) }
        return String(cString: real)
    }
    let directory = url.deletingLastPathComponent().path
    guard let real = realpath(directory, nil) else { return url.standardizedFileURL.path }
    defer { free(real) }
    return URL(fileURLWithPath: String(cString: real)).appendingPathComponent(url.lastPathComponent).path
}

private func hostName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    gethostname(&buffer, buffer.count - 1)
    return String(cString: buffer)
}

private func bootID() -> String {
    ((try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)) ?? "")
        .trimmingCharacters(in: .whitespacesAndNewlines)
}

/// Field 22 of /proc/PID/stat (start time in clock ticks since boot), or nil.
/// The state letter of process `pid` (`/proc/PID/stat` field 3: R, S, D, Z for a zombie, X dead).
private func processState(of pid: Int32) -> String? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return nil }
    return stat[stat.index(after: close)...].split(separator: " ").first.map(String.init)
}

private func startTime(of pid: Int32) -> String? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return nil }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    // After the command name: field 3 (state) is fields[0], so field 22 is fields[19].
    return fields.count > 19 ? String(fields[19]) : nil
}
