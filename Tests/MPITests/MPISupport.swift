// Running the tools under mpirun in tests, and reading every number a run file holds.

import Foundation
import RunStore
import Testing
import TestSupport

/// The repository root, found from this source file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Runs `mpirun -np N TOOL ARGS...` (the built tool) in `directory`, with the flags this machine
/// needs: --oversubscribe (more ranks than cores is allowed), as root --allow-run-as-root, and
/// shared-memory transfers without cross-process memory access (a container may forbid it:
/// docs/scaling.md).
/// `environment` is passed to every rank (-x). Killed after `timeout` seconds (status 137).
func mpirun(_ ranks: Int, _ tool: String, _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
            timeout: Double = 300) throws -> (status: Int32, stdout: String, stderr: String) {
    try mpirun(["-np", "\(ranks)", builtExecutable(tool)] + arguments, in: directory, environment: environment, timeout: timeout)
}

/// `mpirun` with raw arguments after the machine's flags (several executables: `A : B`).
func mpirun(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
            timeout: Double = 300) throws -> (status: Int32, stdout: String, stderr: String) {
    let launcher = try #require(["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) },
                                "mpirun not found: scripts/setup installs Open MPI (openmpi-bin)")
    var flags = ["--oversubscribe", "--mca", "btl_vader_single_copy_mechanism", "none"]
    if getuid() == 0 { flags.append("--allow-run-as-root") }
    for (key, value) in environment.sorted(by: { $0.key < $1.key }) { flags += ["-x", "\(key)=\(value)"] }
    return try runProcess(launcher, flags + arguments, in: directory, timeout: timeout)
}

/// A tool run by itself (no mpirun), with extra environment variables.
func alone(_ tool: String, _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
           timeout: Double = 300) throws -> (status: Int32, stdout: String, stderr: String) {
    try runProcess("/usr/bin/env", environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } + [builtExecutable(tool)] + arguments,
                   in: directory, timeout: timeout)
}

/// A fresh temporary directory for one test.
func scratchDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("curv-mpi-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Every number in a run file, by where it is: metric columns, checkpoints (weights, gradients,
/// optimizer slots, buffers), recorded spectra and analyses; plus the events as text.
struct RunNumbers {
    var arrays: [String: [Double]] = [:]
    var events: [String] = []

    init(_ path: String) throws {
        let reader = try RunReader.open(path)
        defer { reader.close() }
        let metrics = try reader.metrics()
        arrays["metrics/step"] = metrics.steps.map(Double.init)
        for (name, column) in metrics.columns { arrays["metrics/\(name)"] = column }
        for step in try reader.checkpointSteps() {
            let checkpoint = try reader.checkpoint(at: step, as: Double.self)
            func add(_ kind: String, _ tensors: [NamedArray<Double>]) {
                for t in tensors { arrays["checkpoints/\(step)/\(kind)/\(t.name)"] = t.values }
            }
            add("weights", checkpoint.weights)
            add("gradients", checkpoint.gradients)
            add("buffers", checkpoint.buffers)
            for (slot, tensors) in checkpoint.optimizer.slots { add("optimizer/\(slot)", tensors) }
        }
        for key in try reader.spectrumKeys() {
            let s = try reader.spectrum(at: key.step, operator: key.operator)
            let place = "spectra/\(key.step)/\(key.operator.rawValue)"
            arrays["\(place)/eigenvalues"] = s.eigenvalues
            arrays["\(place)/residuals"] = s.residuals
            arrays["\(place)/alpha"] = s.alpha.flatMap { $0 }
            arrays["\(place)/beta"] = s.beta.flatMap { $0 }
        }
        for stored in try reader.analyses() {
            let a = stored.analysis, place = "analyses/\(stored.id)"
            arrays["\(place)/density"] = a.density
            arrays["\(place)/grid"] = a.grid
            arrays["\(place)/alpha"] = a.alpha.flatMap { $0 }
            arrays["\(place)/beta"] = a.beta.flatMap { $0 }
            arrays["\(place)/top"] = a.topEigenvalues
            arrays["\(place)/bottom"] = a.bottomEigenvalues
            arrays["\(place)/trace"] = [a.trace]
        }
        events = try reader.events().map { "\($0.step) \($0.kind) \($0.detail)" }
    }

    /// Where `other` differs from this run by more than `relative` times each array's largest
    /// magnitude (0: bit for bit, NaN equal to NaN), or in its events or its arrays' names and lengths.
    func differences(from other: RunNumbers, relative: Double) -> [String] {
        var found = [String]()
        if events != other.events { found.append("events differ: \(events) vs \(other.events)") }
        for name in Set(arrays.keys).union(other.arrays.keys).sorted() {
            guard let a = arrays[name], let b = other.arrays[name], a.count == b.count else {
                found.append("\(name): present in one run only, or of another length")
                continue
            }
            let scale = a.filter(\.isFinite).map(abs).max() ?? 0
            let worst = zip(a, b).map { x, y in x.isNaN && y.isNaN ? 0 : x == y ? 0 : abs(x - y) }.max() ?? 0
            if relative == 0 ? worst != 0 : !(worst <= relative * scale) {
                found.append("\(name): differs by \(worst) (largest magnitude \(scale))")
            }
        }
        return found
    }
}
