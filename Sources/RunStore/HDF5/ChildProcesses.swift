import Foundation

/// Keeps the start of child processes apart from the opening of run files in this process.
///
/// HDF5 opens a file without close-on-exec and locks it with flock, whose lock belongs to the
/// open file description; `H5File` marks the descriptor close-on-exec right after opening it. A
/// child started by another thread between those two moments would inherit the descriptor and
/// hold the lock until it exits, so every other opener of that file would be refused ("the file
/// is locked"). Code that starts children while run files may be opened on other threads (the
/// test suite does, thousands of times) starts them through `spawn`.
public enum ChildProcesses {
    private static let lock = NSLock()

    /// Runs `body`, which starts a child process, while no run file is being opened.
    public static func spawn<R>(_ body: () throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Runs `body`, which opens a file and marks it close-on-exec, while no child is being started.
    static func opening<R>(_ body: () throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
