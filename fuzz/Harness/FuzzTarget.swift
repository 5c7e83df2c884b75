// The libFuzzer entry points of Curvature's readers. Each target takes arbitrary bytes, hands them
// to one reader and drives every accessor a tool would call; a reader may throw on any input, but
// it must never trap, hang or run out of memory. scripts/fuzz builds these with
// `-sanitize=fuzzer,address` and links one executable per target (see its header).

import Foundation

/// One fuzz target: a reader and the format of its inputs. `fuzz/corpus/<rawValue>/` holds its seeds.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// `RunConfig.parse` on UTF-8 text; a parsed config's resolved TOML must parse back to the same config.
    case config
    /// `RunReader.open` and every record reader, `RunSummary`, `RunManifest` on the bytes as a file.
    case runfile
    /// A run file built through `RunWriter` and `AnalysisWriter` from a plan decoded from the bytes,
    /// edited through HDF5 (see `RunFileEdits`), then one tool-level reader (`curv-density`'s
    /// analysis, `RunSummary`, a `curv-plot` figure or `RunManifest`) and every record reader
    /// (see `RunPlanFuzz`).
    case runplan
    /// `Dataset.idx` on an image and a label file (see `IDXInput`), plain or gzip.
    case idx
    /// `Dataset.csv` on the bytes as a file; the first byte picks header and columns (see `CSVInput`).
    case csv
    /// `Dataset.cifar10` on the bytes as a batch file.
    case cifar10
    /// `Font(data:)`, every glyph's outline and bounds, text measured and drawn.
    case font

    /// Runs the target on one input. Returns normally whether or not the reader accepted it.
    public func run(_ bytes: [UInt8]) {
        switch self {
        case .config: ConfigFuzz.run(bytes)
        case .runfile: RunFileFuzz.run(bytes)
        case .runplan: RunPlanFuzz.run(bytes)
        case .idx: IDXInput.run(bytes)
        case .csv: CSVInput.run(bytes)
        case .cifar10: CIFARFuzz.run(bytes)
        case .font: FontFuzz.run(bytes)
        }
    }
}

/// The libFuzzer calling convention: a pointer (nil when empty) and a byte count; returns 0.
private func entry(_ target: FuzzTarget, _ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    target.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

// One C symbol per target; scripts/fuzz links each as `LLVMFuzzerTestOneInput` (`--defsym`).
@_cdecl("curv_fuzz_config") public func curvFuzzConfig(_ d: UnsafePointer<UInt8>?, _ n: Int) -> CInt { entry(.config, d, n) }
@_cdecl("curv_fuzz_runfile") public func curvFuzzRunFile(_ d: UnsafePointer<UInt8>?, _ n: Int) -> CInt { entry(.runfile, d, n) }
@_cdecl("curv_fuzz_runplan") public func curvFuzzRunPlan(_ d: UnsafePointer<UInt8>?, _ n: Int) -> CInt { entry(.runplan, d, n) }
@_cdecl("curv_fuzz_idx") public func curvFuzzIDX(_ d: UnsafePointer<UInt8>?, _ n: Int) -> CInt { entry(.idx, d, n) }
@_cdecl("curv_fuzz_csv") public func curvFuzzCSV(_ d: UnsafePointer<UInt8>?, _ n: Int) -> CInt { entry(.csv, d, n) }
@_cdecl("curv_fuzz_cifar10") public func curvFuzzCIFAR10(_ d: UnsafePointer<UInt8>?, _ n: Int) -> CInt { entry(.cifar10, d, n) }
@_cdecl("curv_fuzz_font") public func curvFuzzFont(_ d: UnsafePointer<UInt8>?, _ n: Int) -> CInt { entry(.font, d, n) }

/// Files the file-based readers open: one per process and name, in `$CURV_FUZZ_SCRATCH` (scripts/fuzz
/// makes one in tmpfs), else /dev/shm, else the temporary directory. Each write replaces the file
/// (a new inode), so nothing of a previous input survives.
enum ScratchFile {
    static let directory: String = {
        if let directory = ProcessInfo.processInfo.environment["CURV_FUZZ_SCRATCH"], !directory.isEmpty { return directory }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: "/dev/shm", isDirectory: &isDirectory), isDirectory.boolValue { return "/dev/shm" }
        return NSTemporaryDirectory()
    }()

    /// This process's scratch file `name`, removed (unless `keep`): the place for a file a target
    /// writes itself.
    static func fresh(name: String, keep: Bool = false) -> URL {
        let url = URL(fileURLWithPath: directory).appendingPathComponent("curv-fuzz-\(getpid())-\(name)")
        if !keep { unlink(url.path) }
        return url
    }

    /// Removes every scratch file of this process (the targets' own and those the writers leave
    /// beside a run file: lock, temporary copies).
    static func removeAll() {
        let prefix = "curv-fuzz-\(getpid())-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.contains(prefix) {
            unlink((directory as NSString).appendingPathComponent(name))
        }
    }

    /// Writes `bytes` to this process's scratch file `name` and returns its URL.
    static func write(_ bytes: [UInt8], name: String) -> URL {
        let url = fresh(name: name)
        guard FileManager.default.createFile(atPath: url.path, contents: Data(bytes)) else {
            fatalError("fuzz: cannot write the scratch file \(url.path)")
        }
        return url
    }
}
