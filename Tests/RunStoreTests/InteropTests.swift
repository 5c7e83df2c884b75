// h5py and the HDF5 tools read what RunStore writes: runs scripts/check-run-interop on fresh
// sample runs in Float32 and Float64. Skipped (reported as such) when python3 with h5py or
// hdf5-tools is missing; CI installs both (see scripts/setup).

import Foundation
import RunStore
import Testing

private let interopAvailable: Bool = {
    guard let python = try? run("/usr/bin/env", ["python3", "-c", "import h5py"]), python.status == 0 else { return false }
    guard let tools = try? run("/usr/bin/env", ["sh", "-c", "command -v h5dump && command -v h5ls"]) else { return false }
    return tools.status == 0
}()

@Suite("Interop with h5py and hdf5-tools")
struct InteropTests {
    func check<T: StoredFloat>(_ type: T.Type) throws {
        let scratch = ScratchDirectory("interop")
        defer { scratch.cleanUp() }
        let path = scratch.path("run.h5"), manifest = scratch.path("run.manifest.json")
        try SampleRun.write(to: path, T.self)
        try RunManifest.json(of: path).write(toFile: manifest, atomically: true, encoding: .utf8)
        let script = packageRoot().appendingPathComponent("scripts/check-run-interop").path
        let result = try run("/usr/bin/env", ["python3", script, path, manifest])
        #expect(result.status == 0, "check-run-interop failed:\n\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("OK"))
    }

    @Test("h5py reads every dataset and attribute of a Float32 run with the same values",
          .enabled(if: interopAvailable, "needs python3 with h5py (pip install h5py) and hdf5-tools"))
    func float32() throws { try check(Float.self) }

    @Test("h5py reads every dataset and attribute of a Float64 run with the same values",
          .enabled(if: interopAvailable, "needs python3 with h5py (pip install h5py) and hdf5-tools"))
    func float64() throws { try check(Double.self) }

    @Test("the committed fixture passes the interop check",
          .enabled(if: interopAvailable, "needs python3 with h5py (pip install h5py) and hdf5-tools"))
    func fixture() throws {
        let root = packageRoot()
        let result = try run("/usr/bin/env", ["python3", root.appendingPathComponent("scripts/check-run-interop").path,
                                              root.appendingPathComponent("fixtures/runs/sample.h5").path])
        #expect(result.status == 0, "check-run-interop failed:\n\(result.stdout)\(result.stderr)")
    }
}
