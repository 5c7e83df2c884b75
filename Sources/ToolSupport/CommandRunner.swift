// One error style for every curv-* tool: "tool: message" on standard error, usage errors too.

import ArgumentParser
import Foundation
import MessagePassing

extension ParsableCommand {
    /// Parses the command line and runs the command. A usage error (bad arguments) prints
    /// "tool: message" and the usage line on standard error and exits 64, like the tools' own
    /// failures ("tool: message", exit 1); --help and --version print as usual and exit 0.
    public static func mainWithToolErrors(_ arguments: [String]? = nil) {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            let code = exitCode(for: error)
            let name = configuration.commandName ?? "tool"
            // In an MPI job a failure ends every rank (MPI_Abort): the others may be waiting for
            // this one in a collective. An ExitCode a command throws (interrupted, failed points)
            // comes after its last collective, on every rank, and ends normally.
            if !(error is ExitCode), code != .success, Communicator.launchedByMPI, Communicator.world.size > 1 {
                let text = message(for: error)
                if !text.isEmpty { FileHandle.standardError.write(Data("\(name): \(Communicator.world.rankLabel)\(text)\n".utf8)) }
                Communicator.world.abort(code.rawValue)
            }
            guard code != .success, code.rawValue == ExitStatus.usage else { exit(withError: error) }
            FileHandle.standardError.write(Data("\(name): \(message(for: error))\nUsage: \(usageString())\n  See '\(name) --help' for more information.\n".utf8))
            Foundation.exit(ExitStatus.usage)
        }
    }
}
