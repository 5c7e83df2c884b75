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
    /// Writes a run with `write`, runs check-run-interop on it with its manifest, then hands the
    /// path to `more` (before the scratch directory is removed).
    func check(_ write: (String) throws -> Void, more: (String) throws -> Void = { _ in }) throws {
        let scratch = ScratchDirectory("interop")
        defer { scratch.cleanUp() }
        let path = scratch.path("run.h5"), manifest = scratch.path("run.manifest.json")
        try write(path)
        try RunManifest.json(of: path).write(toFile: manifest, atomically: true, encoding: .utf8)
        let script = packageRoot().appendingPathComponent("scripts/check-run-interop").path
        let result = try run("/usr/bin/env", ["python3", script, path, manifest])
        #expect(result.status == 0, "check-run-interop failed:\n\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("OK"))
        try more(path)
    }

    func check<T: StoredFloat>(_ type: T.Type) throws { try check { try SampleRun.write(to: $0, T.self) } }

    @Test("h5py reads every dataset and attribute of a Float32 run with the same values",
          .enabled(if: interopAvailable, "needs python3 with h5py (pip install h5py) and hdf5-tools"))
    func float32() throws { try check(Float.self) }

    @Test("h5py reads every dataset and attribute of a Float64 run with the same values",
          .enabled(if: interopAvailable, "needs python3 with h5py (pip install h5py) and hdf5-tools"))
    func float64() throws { try check(Double.self) }

    @Test("h5py reads a sequence run: labels int64 [n, T] with positions and classes, the vocabulary as uint8",
          .enabled(if: interopAvailable, "needs python3 with h5py (pip install h5py) and hdf5-tools"))
    func sequence() throws {
        try check({ try SequenceBatchTests.write(to: $0, Float.self) }, more: readSequence)
    }

    /// What a reader does with a sequence run: one-hot targets [n, T * V] from the labels, text decoded.
    func readSequence(_ path: String) throws {
        let reader = #"""
        import json, sys, h5py, numpy as np
        with h5py.File(sys.argv[1], "r") as f:
            batch = f["data/hessian_batch"]
            labels = batch["labels"][()]
            n, t = labels.shape
            v = int(batch.attrs["classes"])
            assert labels.dtype == np.dtype("<i8") and int(batch.attrs["positions"]) == t, (labels.dtype, dict(batch.attrs))
            assert batch["inputs"].shape == (n, t)
            targets = np.eye(v)[labels].reshape(n, t * v)
            assert (targets.sum(axis=1) == t).all()
            vocabulary = f["data/vocabulary"][()]
            assert vocabulary.dtype == np.uint8 and len(vocabulary) == v
            print(json.dumps({"shape": [n, t], "labels": labels.reshape(-1).tolist(), "text": bytes(vocabulary[labels[0]]).decode()}))
        """#
        let result = try run("/usr/bin/env", ["python3", "-c", reader, path])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let batch = SequenceBatchTests.batch(Float.self)
        #expect(object["shape"] as? [Int] == [5, 3])
        #expect(object["labels"] as? [Int] == batch.labels!.map { Int($0) })
        let firstLabels = batch.labels!.prefix(3).map { SequenceBatchTests.vocabulary[Int($0)] }
        #expect(object["text"] as? String == String(decoding: firstLabels, as: UTF8.self))
    }

    @Test("xarray (h5netcdf) reads /metrics as one table indexed by step, with each column's units and description; pandas gets step as the index")
    func xarrayMetrics() throws {
        let scratch = ScratchDirectory("xarray")
        defer { scratch.cleanUp() }
        let path = scratch.path("run.h5")
        try SampleRun.write(to: path, Double.self)
        let script = """
            import sys, warnings, h5py, numpy as np, xarray as xr
            warnings.simplefilter("error")   # h5netcdf warns when it has to invent (phony) dimensions
            ds = xr.open_dataset(sys.argv[1], group="metrics", engine="h5netcdf")
            assert list(ds.sizes) == ["step"], dict(ds.sizes)
            with h5py.File(sys.argv[1], "r") as f:
                assert np.array_equal(ds["step"].values, f["metrics/step"][:])
                names = sorted(k for k in f["metrics"] if k != "step")
                for name in names:   # each column's own DIMENSION_LIST names the scale
                    assert list(f["metrics"][name].dims[0].keys()) == ["step"], name
            assert sorted(ds.data_vars) == names, (sorted(ds.data_vars), names)
            for name, var in ds.data_vars.items():
                assert var.dims == ("step",), (name, var.dims)
                assert var.attrs["units"] and var.attrs["description"], name
            assert ds["loss"].attrs["units"] == "nats"
            frame = ds.to_dataframe()
            assert frame.index.name == "step" and list(frame.index) == list(ds["step"].values)
            print("OK", len(names), "columns")
            """
        let result = try run("/usr/bin/env", ["python3", "-c", script, path])
        #expect(result.status == 0 && result.stdout.hasPrefix("OK"), "\(result.stdout)\(result.stderr)")
    }

    @Test("the committed fixture passes the interop check",
          .enabled(if: interopAvailable, "needs python3 with h5py (pip install h5py) and hdf5-tools"))
    func fixture() throws {
        let root = packageRoot()
        let result = try run("/usr/bin/env", ["python3", root.appendingPathComponent("scripts/check-run-interop").path,
                                              root.appendingPathComponent("fixtures/runs/sample.h5").path])
        #expect(result.status == 0, "check-run-interop failed:\n\(result.stdout)\(result.stderr)")
    }
}
