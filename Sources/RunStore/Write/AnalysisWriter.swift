// Re-analysis appends results under /analyses/<id> of an existing run. The run file itself is
// never opened for writing: each append copies it beside itself (`.NAME.analysis-partial`), adds
// the analysis to the copy, and renames the copy over the run. A kill or a full disk at any
// moment leaves either the old file or the new one, both whole; recorded data (config, model,
// data, metrics, checkpoints, spectra, events) is copied byte for byte and never modified.
// The writer holds the run's lock file from `open` to `close`, so two writers never interleave.

import Foundation

/// Appends analyses to an existing run file.
public final class AnalysisWriter {
    /// The run file's path as given to `open`.
    public let path: String
    private let lock: WriterLock
    private var current: RunReader?
    private var closed = false

    /// Opens `path` for appending analyses; the file must be a valid run (as for `RunReader.open`).
    /// Takes the run's lock: another writer (a recording, another analysis) is an error.
    public static func open(_ path: String, tool: String = ProcessInfo.processInfo.processName) throws -> AnalysisWriter {
        H5.prepareThread()
        // Validate first, so a bad file is never locked or copied.
        try RunReader.open(path).close()
        let lock = try WriterLock.acquire(for: path, tool: tool)
        return AnalysisWriter(path: path, lock: lock)
    }

    private init(path: String, lock: WriterLock) {
        self.path = path
        self.lock = lock
    }

    /// Read access to the run as it now is (reopened after each append).
    public var reader: RunReader {
        get throws {
            if let current { return current }
            let opened = try RunReader.open(path)
            current = opened
            return opened
        }
    }

    /// Appends `analysis` as /analyses/<id> with the next id ("0000", "0001", ...) and puts the
    /// file in place. Returns the id.
    @discardableResult
    public func append(_ analysis: Analysis) throws -> String {
        try append([analysis])[0]
    }

    /// Appends several analyses in one copy of the file (in order); returns their ids.
    public func append(_ batch: [Analysis]) throws -> [String] {
        H5.prepareThread()
        guard !closed else {
            throw RunStoreError(.invalidArgument, file: path, detail: "the analysis writer was already closed")
        }
        for analysis in batch { try AnalysisStorage.validate(analysis, file: path) }
        current?.close()
        current = nil
        let target = resolvedPath(path)
        let temporary = hiddenSibling(of: target, suffix: ".analysis-partial")
        unlink(temporary)   // a killed writer's leftover; the lock says nobody uses it now
        do {
            try copyFile(target, to: temporary, shownAs: path)
            let ids = try AnalysisWriter.write(batch, into: temporary, shownAs: path)
            guard rename(temporary, target) == 0 else {
                let code = errno
                throw RunStoreError(.system(operation: "rename", errno: code), file: path,
                                    detail: "cannot move the file with the new analysis into place: \(String(cString: strerror(code)))")
            }
            return ids
        } catch {
            unlink(temporary)
            var failure = RunWriter.classify(error, path: path)
            failure.file = path
            if !failure.detail.contains("unchanged") { failure.detail += "; the run file is unchanged" }
            throw failure
        }
    }

    /// Opens the copy, keeps its leftovers out of reach, writes the analyses and closes it.
    private static func write(_ batch: [Analysis], into temporary: String, shownAs path: String) throws -> [String] {
        let file = try H5File.open(temporary, writable: true)
        do {
            try file.protectLeftovers()
            var ids: [String] = []
            do {
                let root = try file.root()
                let analyses = try analysesGroup(root)
                // Every numeric name counts, even a link to an unreadable record, so it is never reused.
                let highest = (try analyses.memberNames()).compactMap { Int($0) }.max() ?? -1
                // An edited file can hold a name near Int.max: refuse it rather than overflow.
                guard highest < Int.max - batch.count else {
                    throw RunStoreError(.malformed, file: path, object: "/\(Schema.Analysis.group)",
                                        detail: "a record is named \(highest), so no id follows it; the file was damaged or edited (rename that record)")
                }
                var next = highest + 1
                for analysis in batch {
                    let id = String(format: "%04d", next)
                    try AnalysisStorage.write(analysis, in: analyses, id: id)
                    ids.append(id)
                    next += 1
                }
            }
            try file.flush()
            try file.close()
            return ids
        } catch {
            file.fence()
            try? file.close()
            throw error
        }
    }

    /// /analyses, or a fresh one when the file's is damaged beyond listing (written by a build
    /// whose appends a kill could break): the damaged group is kept aside as
    /// /analyses_damaged_<n>, unreachable to readers of /analyses.
    private static func analysesGroup(_ root: H5Group) throws -> H5Group {
        if let group = try? root.group(Schema.Analysis.group), (try? group.memberNames()) != nil { return group }
        var n = 0
        while root.contains("\(Schema.Analysis.group)_damaged_\(n)") { n += 1 }
        try root.location.check(H5LinkMove.move(root, Schema.Analysis.group, "\(Schema.Analysis.group)_damaged_\(n)"),
                                "H5Lmove", "cannot set the damaged analyses aside")
        return try root.createGroup(Schema.Analysis.group, growing: true)
    }

    /// Closes the writer and releases the run's lock.
    public func close() throws {
        guard !closed else { return }
        closed = true
        current?.close()
        current = nil
        lock.release()
    }

    deinit { try? close() }
}

/// glibc's copy_file_range(2) (not in Swift's Glibc module: it needs _GNU_SOURCE).
private let copyFileRange: (@convention(c) (Int32, UnsafeMutablePointer<Int64>?, Int32, UnsafeMutablePointer<Int64>?, Int, UInt32) -> Int)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "copy_file_range") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (Int32, UnsafeMutablePointer<Int64>?, Int32, UnsafeMutablePointer<Int64>?, Int, UInt32) -> Int).self)
}()

/// Copies `source` to `destination` (created, with the source's permissions); in-kernel
/// (`copy_file_range`, a reflink where the file system can) with a read/write fallback.
func copyFile(_ source: String, to destination: String, shownAs path: String) throws {
    let input = open(source, O_RDONLY | O_CLOEXEC)
    guard input >= 0 else {
        throw RunStoreError(.system(operation: "open", errno: errno), file: path, detail: "cannot read the run file")
    }
    defer { close(input) }
    var info = stat()
    fstat(input, &info)
    let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, info.st_mode & 0o7777)
    guard output >= 0 else {
        throw RunStoreError(.system(operation: "open", errno: errno), file: path,
                            detail: "cannot create \(destination) beside the run file (is the directory writable?)")
    }
    defer { close(output) }
    func failed(_ code: Int32) -> RunStoreError {
        code == ENOSPC || code == EDQUOT
            ? RunStoreError(.diskFull, file: path, detail: "the disk is full: appending needs room for a copy of the run file (\(info.st_size / 1_000_000) MB)")
            : RunStoreError(.system(operation: "copy", errno: code), file: path,
                            detail: "cannot copy the run file: \(String(cString: strerror(code)))")
    }
    var remaining = Int(info.st_size)
    var inKernel = true
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    while remaining > 0 {
        if inKernel {
            let copied = copyFileRange?(input, nil, output, nil, remaining, 0) ?? { errno = ENOSYS; return -1 }()
            if copied > 0 { remaining -= copied; continue }
            if copied == 0 { break }
            let code = errno
            guard code == EXDEV || code == ENOSYS || code == EINVAL || code == EOPNOTSUPP else { throw failed(code) }
            inKernel = false
            continue
        }
        let count = read(input, &buffer, min(buffer.count, remaining))
        if count < 0 { throw failed(errno) }
        if count == 0 { break }
        var offset = 0
        while offset < count {
            let written = buffer[offset..<count].withUnsafeBytes { write(output, $0.baseAddress, $0.count) }
            if written < 0 { throw failed(errno) }
            offset += written
        }
        remaining -= count
    }
    guard remaining == 0 else {
        throw RunStoreError(.system(operation: "copy", errno: EIO), file: path, detail: "the run file changed size while being copied")
    }
}

enum AnalysisStorage {
    static func write(_ analysis: Analysis, in analyses: H5Group, id: String) throws {
        try validate(analysis, file: analyses.location.file)
        let group = try analyses.createGroup(id)
        try fill(group, with: analysis)
    }

    static func validate(_ analysis: Analysis, file: String) throws {
        guard analysis.step >= 0 else {
            throw RunStoreError(.invalidArgument, file: file, detail: "analysis step \(analysis.step) is negative")
        }
        try SpectrumStorage.validateLanczos(alpha: analysis.alpha, beta: analysis.beta, file: file)
        guard analysis.density.count == analysis.grid.count, analysis.densitySpread.count == analysis.grid.count,
              analysis.topEigenvalues.count == analysis.topResiduals.count,
              analysis.bottomEigenvalues.count == analysis.bottomResiduals.count,
              analysis.topConverged.isEmpty || analysis.topConverged.count == analysis.topEigenvalues.count,
              analysis.bottomConverged.isEmpty || analysis.bottomConverged.count == analysis.bottomEigenvalues.count else {
            throw RunStoreError(.invalidArgument, file: file,
                                detail: "analysis arrays disagree: grid \(analysis.grid.count), density \(analysis.density.count), spread \(analysis.densitySpread.count), top \(analysis.topEigenvalues.count)/\(analysis.topResiduals.count), bottom \(analysis.bottomEigenvalues.count)/\(analysis.bottomResiduals.count)")
        }
    }

    static func fill(_ group: H5Group, with analysis: Analysis) throws {
        try group.setAttribute(Schema.Spectrum.step, analysis.step)
        try group.setAttribute(Schema.Spectrum.operator, analysis.operator.rawValue)
        try group.setAttribute(Schema.Spectrum.probes, analysis.probes)
        try group.setAttribute(Schema.Spectrum.lanczosSteps, analysis.lanczosSteps)
        try group.setAttribute(Schema.Spectrum.seed, Int64(bitPattern: analysis.seed))
        try group.setAttribute(Schema.Analysis.sigma, analysis.sigma)
        try group.setAttribute(Schema.Analysis.trace, analysis.trace)
        try group.setAttribute(Schema.Analysis.traceStandardError, analysis.traceStandardError)
        try group.setAttribute(Schema.Analysis.source, analysis.source)
        try group.setAttribute(Schema.Analysis.dtype, analysis.dtype)
        try group.setAttribute(Schema.Analysis.reorthogonalization, analysis.reorthogonalization)
        try group.setAttribute(Schema.Analysis.created, isoTimestamp())
        try group.setAttribute(Schema.Analysis.software, RunFormat.software)
        try group.writeVector(Schema.Analysis.grid, analysis.grid)
        try group.writeVector(Schema.Analysis.density, analysis.density)
        try group.writeVector(Schema.Analysis.densitySpread, analysis.densitySpread)
        try group.writeVector(Schema.Analysis.topEigenvalues, analysis.topEigenvalues)
        try group.writeVector(Schema.Analysis.topResiduals, analysis.topResiduals)
        try group.writeVector(Schema.Analysis.bottomEigenvalues, analysis.bottomEigenvalues)
        try group.writeVector(Schema.Analysis.bottomResiduals, analysis.bottomResiduals)
        try group.writeMatrix(Schema.Spectrum.alpha, rows: analysis.alpha)
        try group.writeMatrix(Schema.Spectrum.beta, rows: analysis.beta)
        if !analysis.eigenTolerance.isNaN {
            try group.setAttribute(Schema.Analysis.eigenTolerance, analysis.eigenTolerance)
            try group.writeVector(Schema.Analysis.topConverged, analysis.topConverged.map { Int64($0 ? 1 : 0) })
            try group.writeVector(Schema.Analysis.bottomConverged, analysis.bottomConverged.map { Int64($0 ? 1 : 0) })
        }
        if !analysis.blocks.isEmpty {
            let blocks = try group.createGroup(Schema.Analysis.blocks)
            try blocks.setAttribute(Schema.Analysis.blockGrouping, analysis.blockGrouping)
            try blocks.createStringArray(Schema.Analysis.blockNames, analysis.blocks.map(\.name))
            try blocks.writeVector(Schema.Analysis.blockSizes, analysis.blocks.map { Int64($0.size) })
            try blocks.writeVector(Schema.Analysis.blockValues, analysis.blocks.map(\.value))
            try blocks.writeVector(Schema.Analysis.blockResiduals, analysis.blocks.map(\.residual))
            try blocks.writeVector(Schema.Analysis.blockConverged, analysis.blocks.map { Int64($0.converged ? 1 : 0) })
        }
    }

    /// /analyses/<id>/blocks (format 1.4): every array one entry per block.
    private static func readBlocks(_ group: H5Group) throws -> ([BlockEigenvalue], String) {
        guard group.contains(Schema.Analysis.blocks) else { return ([], "") }
        let blocks = try group.group(Schema.Analysis.blocks)
        let names = try blocks.dataset(Schema.Analysis.blockNames).readStrings()
        let sizes: [Int64] = try blocks.dataset(Schema.Analysis.blockSizes).read()
        let values = try blocks.readDoubles(Schema.Analysis.blockValues)
        let residuals = try blocks.readDoubles(Schema.Analysis.blockResiduals)
        let converged: [Int64] = try blocks.dataset(Schema.Analysis.blockConverged).read()
        guard [sizes.count, values.count, residuals.count, converged.count].allSatisfy({ $0 == names.count }) else {
            throw blocks.location.malformed("names, sizes, lambda_max, residuals and converged must have one entry per block")
        }
        return (names.indices.map { BlockEigenvalue(name: names[$0], size: Int(sizes[$0]), value: values[$0], residual: residuals[$0], converged: converged[$0] != 0) },
                try blocks.stringAttribute(Schema.Analysis.blockGrouping))
    }

    static func read(_ group: H5Group, id: String) throws -> StoredAnalysis {
        guard let op = SpectralOperator(rawValue: try group.stringAttribute(Schema.Spectrum.operator)) else {
            throw group.location.malformed("unknown operator")
        }
        let step = Int(try group.intAttribute(Schema.Spectrum.step))
        guard step >= 0 else {
            throw group.location.malformed("step \(step) is not a step (steps are whole numbers from 0); the file was damaged or edited")
        }
        var analysis = Analysis(
            step: step, operator: op,
            probes: Int(try group.intAttribute(Schema.Spectrum.probes)),
            lanczosSteps: Int(try group.intAttribute(Schema.Spectrum.lanczosSteps)),
            seed: UInt64(bitPattern: try group.intAttribute(Schema.Spectrum.seed)),
            sigma: try group.doubleAttribute(Schema.Analysis.sigma),
            grid: try group.readDoubles(Schema.Analysis.grid),
            density: try group.readDoubles(Schema.Analysis.density),
            densitySpread: try group.readDoubles(Schema.Analysis.densitySpread),
            topEigenvalues: try group.readDoubles(Schema.Analysis.topEigenvalues),
            topResiduals: try group.readDoubles(Schema.Analysis.topResiduals),
            bottomEigenvalues: try group.readDoubles(Schema.Analysis.bottomEigenvalues),
            bottomResiduals: try group.readDoubles(Schema.Analysis.bottomResiduals),
            trace: try group.doubleAttribute(Schema.Analysis.trace),
            traceStandardError: try group.doubleAttribute(Schema.Analysis.traceStandardError),
            alpha: try group.readMatrix(Schema.Spectrum.alpha),
            beta: try group.readMatrix(Schema.Spectrum.beta),
            source: try group.stringAttribute(Schema.Analysis.source),
            dtype: group.hasAttribute(Schema.Analysis.dtype) ? try group.stringAttribute(Schema.Analysis.dtype) : "",
            reorthogonalization: group.hasAttribute(Schema.Analysis.reorthogonalization)
                ? try group.stringAttribute(Schema.Analysis.reorthogonalization) : "",
            topConverged: try optionalFlags(group, Schema.Analysis.topConverged),
            bottomConverged: try optionalFlags(group, Schema.Analysis.bottomConverged),
            eigenTolerance: group.hasAttribute(Schema.Analysis.eigenTolerance) ? try group.doubleAttribute(Schema.Analysis.eigenTolerance) : .nan)
        guard analysis.topConverged.isEmpty || analysis.topConverged.count == analysis.topEigenvalues.count,
              analysis.bottomConverged.isEmpty || analysis.bottomConverged.count == analysis.bottomEigenvalues.count else {
            throw group.location.malformed("top_converged/bottom_converged lengths differ from the eigenvalues'")
        }
        (analysis.blocks, analysis.blockGrouping) = try readBlocks(group)
        return StoredAnalysis(id: id, created: try group.stringAttribute(Schema.Analysis.created),
                              software: try group.stringAttribute(Schema.Analysis.software), analysis: analysis)
    }

    /// 0/1 flags stored as int64 (files before format 1.1 have none: empty).
    private static func optionalFlags(_ group: H5Group, _ name: String) throws -> [Bool] {
        guard group.contains(name) else { return [] }
        let values: [Int64] = try group.dataset(name).read()
        return values.map { $0 != 0 }
    }
}
