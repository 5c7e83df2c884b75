import RunStore

/// The run-file reader on arbitrary file contents: open, then everything curv-inspect, curv-density
/// and the figures read. HDF5 (C, not instrumented) parses the container; the Swift side must
/// turn whatever HDF5 reports into errors.
enum RunFileFuzz {
    static func run(_ bytes: [UInt8]) {
        let path = ScratchFile.write(bytes, name: "run.h5").path
        _ = try? RunManifest.entries(of: path)
        guard let reader = try? RunReader.open(path) else { return }
        defer { reader.close() }
        _ = try? RunSummary.json(reader).text()
        _ = try? RunSummary.text(reader)
        _ = try? reader.header()
        _ = try? reader.hessianBatch(as: Float.self)
        for step in (try? reader.checkpointSteps()) ?? [] {
            _ = try? reader.checkpointDType(at: step)
            _ = try? reader.checkpoint(at: step, as: Double.self)
            _ = try? reader.checkpoint(at: step, as: Float.self)
            _ = try? reader.learningRate(at: step)
            for name in (try? reader.tensorNames(at: step, part: .gradients)) ?? [] {
                _ = try? reader.tensor(name, at: step, part: .gradients, as: Float.self)
            }
        }
        _ = try? reader.selectCheckpointSteps(.latest)
        _ = try? reader.spectra()
        _ = try? reader.analyses()
    }
}
