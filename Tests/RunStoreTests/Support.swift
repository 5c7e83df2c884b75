// Shared helpers of the RunStore tests: scratch directories, sample records, built executables.

import CHDF5
import Foundation
import RunStore

/// A fresh directory under the system temporary directory; remove it with `cleanUp`.
struct ScratchDirectory {
    let url: URL

    init(_ label: String = "runstore") {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("curvature-\(label)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func cleanUp() { try? FileManager.default.removeItem(at: url) }
}

/// A run written by `write` at `run.h5` in a fresh scratch directory, opened for reading; close
/// the reader and clean the directory up when done.
func writtenRun(_ label: String, _ write: (String) throws -> Void) throws -> (reader: RunReader, scratch: ScratchDirectory) {
    let scratch = ScratchDirectory(label)
    do {
        try write(scratch.path("run.h5"))
        return (try RunReader.open(scratch.path("run.h5")), scratch)
    } catch {
        scratch.cleanUp()
        throw error
    }
}

/// The directory holding the built products (the test binary's own directory).
func productsDirectory() -> URL {
    let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    var directory = executable.deletingLastPathComponent()
    // On macOS the test binary lives inside a .xctest bundle: step out of it.
    while directory.pathExtension == "xctest" || directory.lastPathComponent == "MacOS" || directory.lastPathComponent == "Contents" {
        directory = directory.deletingLastPathComponent()
    }
    return directory
}

/// The path of the built executable `name`.
func builtExecutable(_ name: String) -> String { productsDirectory().appendingPathComponent(name).path }

/// The package root (two levels above this file).
func packageRoot() -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// Runs `executable` with `arguments`; returns exit status, standard output and standard error.
func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try ChildProcesses.spawn { try process.run() }
    // Read both pipes before waiting, so a large output cannot block the child.
    final class Box: @unchecked Sendable { var data = Data() }
    let errBox = Box()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async { errBox.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errBox.data, as: UTF8.self))
}

/// A deterministic pseudo-random sequence (SplitMix64) for test data.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// `count` values uniform in [-1, 1) of type T.
func randomValues<T: StoredFloat>(_ count: Int, seed: UInt64, as type: T.Type = T.self) -> [T] {
    var generator = SplitMix64(seed: seed)
    return (0..<count).map { _ in T(Double.random(in: -1..<1, using: &generator)) }
}

/// Writes the Float sample run (no analyses) at `path`, then hands the file, open for writing
/// with plain HDF5 calls, to `edit`: how tests damage a run the way a hand edit or a broken tool
/// would.
func writeSampleRun(at path: String, edit: (hid_t) throws -> Void) throws {
    try SampleRun.write(to: path, Float.self, withAnalysis: false)
    _ = curv_h5_silence_errors()
    let file = H5Fopen(path, curv_h5_acc_rdwr(), curv_h5_p_default())
    guard file >= 0 else { throw RunStoreError(.hdf5(operation: "H5Fopen"), file: path, detail: "cannot open the sample run for editing") }
    defer { H5Fclose(file) }
    try edit(file)
}
