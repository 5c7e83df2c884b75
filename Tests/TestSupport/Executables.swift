import Foundation
import RunStore

/// Starts `process` while no run file is being opened in this process (`ChildProcesses`): a child
/// started in that moment would inherit the file's descriptor and keep it locked. Every test that
/// starts a child goes through here.
public func startChild(_ process: Process) throws {
    try ChildProcesses.spawn { try process.run() }
}

/// The built executable `name`: it sits beside the test binary (SwiftPM builds a test target's
/// executable dependencies into the same products directory).
public func builtExecutable(_ name: String) -> String {
    var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    // On macOS the test binary lives inside a .xctest bundle: step out of it.
    while directory.pathExtension == "xctest" || directory.lastPathComponent == "MacOS" || directory.lastPathComponent == "Contents" {
        directory = directory.deletingLastPathComponent()
    }
    return directory.appendingPathComponent(name).path
}

/// Runs `executable` with `arguments`; returns its exit status, standard output and standard error.
/// With `directory`, the process runs there; with `timeout` (seconds) it is killed (SIGKILL, status
/// 137 as a shell reports it) when it runs longer, so a hang fails a test instead of stalling it.
public func runProcess(_ executable: String, _ arguments: [String], in directory: URL? = nil,
                       timeout: Double? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try startChild(process)
    let pid = process.processIdentifier
    let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
    if let timeout { DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog) }
    defer { watchdog.cancel() }
    // Read both pipes before waiting, so a large output cannot block the child.
    final class Box: @unchecked Sendable { var data = Data() }
    let errBox = Box()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async { errBox.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    return (status, String(decoding: outData, as: UTF8.self), String(decoding: errBox.data, as: UTF8.self))
}
