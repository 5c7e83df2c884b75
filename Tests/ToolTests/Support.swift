import Foundation
import TestSupport

/// The repository root, found from this source file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A fresh temporary directory for one test.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("curv-tool-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Runs the built tool `name` with `arguments` in `directory`; killed after `timeout` seconds, so
/// a hang fails the test (status 137) instead of stalling the suite.
func tool(_ name: String, _ arguments: [String], in directory: URL? = nil, timeout: Double = 120) throws -> (status: Int32, stdout: String, stderr: String) {
    try runProcess(builtExecutable(name), arguments, in: directory, timeout: timeout)
}

/// A tiny valid config (gaussian mixture, 2 steps, checkpoints at 0 and 2, a spectrum at 2).
let tinyConfig = """
    steps = 2
    dtype = "f64"
    [data]
    source = "gaussian_mixture"
    count = 30
    dimension = 3
    [model]
    hidden = [4]
    [record]
    checkpoint_at = [0, 2]
    spectrum_at = [2]
    spectrum_probes = 1
    spectrum_lanczos = 3
    """

/// Every file under `directory`: relative path -> contents and modification time.
func tree(_ directory: URL) -> [String: FileState] {
    var out = [String: FileState]()
    guard let walker = FileManager.default.enumerator(atPath: directory.path) else { return out }
    for case let relative as String in walker {
        let path = directory.appendingPathComponent(relative).path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
        let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        out[relative] = FileState(bytes: FileManager.default.contents(atPath: path) ?? Data(), modified: modified)
    }
    return out
}

struct FileState: Equatable {
    let bytes: Data
    let modified: Date?
}

/// The files created, removed or changed between two trees.
func changes(_ before: [String: FileState], _ after: [String: FileState]) -> [String] {
    Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }.sorted()
}

/// The built executable `name`.
func builtPath(_ name: String) -> String { builtExecutable(name) }

/// Runs any program (setpriv, unshare) with a timeout of two minutes.
func runProcessAsIs(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    try runProcess(executable, arguments, timeout: 120)
}
