import Foundation
import MessagePassing
import RunStore

/// A child process started with posix_spawn: standard input from /dev/null, standard output and
/// error into a log file, SIGINT and SIGTERM at their defaults and unblocked (whatever this
/// process does with them), in this process's group, so Ctrl-C at a terminal reaches it too.
/// Without the MPI launcher's variables: a rank of an `mpirun` job starts children that are
/// tools of their own, not members of its job.
struct ChildProcess {
    let pid: pid_t

    /// Starts `executable` with `arguments`; throws naming the executable when it cannot start.
    static func start(_ executable: String, _ arguments: [String], log: String) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), reset = sigset_t()
        sigemptyset(&none)
        sigemptyset(&reset)
        sigaddset(&reset, SIGINT)
        sigaddset(&reset, SIGTERM)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &reset)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let environment: [UnsafeMutablePointer<CChar>?] = ProcessInfo.processInfo.environment
            .filter { !Communicator.isLauncherVariable($0.key) }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { environment.forEach { free($0) } }
        var pid = pid_t()
        // Not while this process opens a run file on another thread (see `ChildProcesses`).
        let status = ChildProcesses.spawn { posix_spawn(&pid, executable, &actions, &attributes, argv, environment) }
        guard status == 0 else {
            throw SweepError("cannot start \(executable): \(String(cString: strerror(status)))")
        }
        return ChildProcess(pid: pid)
    }

    /// The exit status of any finished child (128 + the signal for one killed by a signal), without
    /// waiting; nil when none has finished.
    static func reapAny() -> (pid: pid_t, status: Int32)? {
        var raw: Int32 = 0
        let pid = waitpid(-1, &raw, WNOHANG)
        guard pid > 0 else { return nil }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, spelled out (they are macros).
        let signal = raw & 0x7F
        return (pid, signal == 0 ? (raw >> 8) & 0xFF : 128 + signal)
    }
}
