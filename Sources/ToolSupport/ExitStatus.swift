// What every curv-* tool shares on its command line: exit statuses, their help text, and how a
// failure is printed.

import Foundation
import MessagePassing

/// Exit statuses of the curv-* tools (README, "Exit status").
public enum ExitStatus {
    /// The work is done.
    public static let success: Int32 = 0
    /// Bad input (a config, data or run file) or an I/O failure; the message names the file.
    public static let failure: Int32 = 1
    /// Bad arguments (ArgumentParser's EX_USAGE); nothing was read or written.
    public static let usage: Int32 = 64
    /// Stopped by Ctrl-C; every record finished before it is in the file.
    public static let interrupted: Int32 = 130

    /// The paragraph each tool's --help ends with.
    public static let help = """
        Exit status: 0 success; 1 failure (bad config, data or run file, or an I/O error: the message names the \
        file and the problem, and no output file is created or changed); 64 usage error (bad arguments: nothing is \
        read or written); 130 interrupted by Ctrl-C (what was finished is kept).
        """
}

/// Prints "tool: message" on standard error and exits with status 1. In an MPI job the message
/// names the rank, and every rank ends (MPI_Abort): the others may be waiting for this one.
public func failAndExit(_ tool: String, _ error: Error) -> Never {
    let world = Communicator.world
    FileHandle.standardError.write(Data("\(tool): \(world.rankLabel)\(error)\n".utf8))
    world.abort(ExitStatus.failure)
}

/// Prints "tool: warning: message" on standard error.
public func warn(_ tool: String, _ message: String) {
    FileHandle.standardError.write(Data("\(tool): warning: \(message)\n".utf8))
}
