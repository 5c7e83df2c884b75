/// The run-file reader on arbitrary file contents: open, then everything curv-inspect, curv-density
/// and the figures read. HDF5 (C, not instrumented) parses the container; the Swift side must
/// turn whatever HDF5 reports into errors. HDF5 1.10.8's own parser crashes on some damaged files
/// (see fuzz/hdf5-crashes/README.md), which stops this target within minutes; `RunPlanFuzz` covers
/// our validation on files HDF5 itself wrote.
enum RunFileFuzz {
    static func run(_ bytes: [UInt8]) {
        RunFileReaders.readAll(ScratchFile.write(bytes, name: "run.h5").path)
    }
}
