// Re-analysis appends results under /analyses/<id> of an existing run. It opens the file
// read-write but its only write path creates a new group under /analyses: recorded data
// (config, model, data, metrics, checkpoints, spectra, events) is never touched.

import Foundation

/// Appends analyses to an existing run file, and reads it (through `reader`).
public final class AnalysisWriter {
    /// Read access to the same file (the file is open once, read-write).
    public let reader: RunReader
    private let analyses: H5Group
    private var closed = false

    /// Opens `path` for appending analyses; the file must be a valid run (as for `RunReader.open`).
    public static func open(_ path: String) throws -> AnalysisWriter {
        // Validate read-only first, so a bad file is never opened for writing.
        try RunReader.open(path).close()
        return try AnalysisWriter(reader: RunReader(file: H5File.open(path, writable: true)))
    }

    private init(reader: RunReader) throws {
        self.reader = reader
        analyses = try reader.root.group(Schema.Analysis.group)
    }

    /// Appends `analysis` as /analyses/<id> with the next id ("0000", "0001", ...) and flushes.
    /// Returns the id.
    @discardableResult
    public func append(_ analysis: Analysis) throws -> String {
        H5.prepareThread()
        guard !closed else {
            throw RunStoreError(.invalidArgument, file: reader.path, detail: "the analysis writer was already closed")
        }
        let existing = try analyses.memberNames().compactMap { Int($0) }
        let id = String(format: "%04d", (existing.max() ?? -1) + 1)
        try AnalysisStorage.write(analysis, in: analyses, id: id)
        try reader.file.flush()
        return id
    }

    /// Flushes and closes the file.
    public func close() throws {
        guard !closed else { return }
        closed = true
        analyses.handle.close()
        reader.root.handle.close()
        try reader.file.flush()
        try reader.file.close()
    }

    deinit { try? close() }
}

enum AnalysisStorage {
    static func write(_ analysis: Analysis, in analyses: H5Group, id: String) throws {
        let file = analyses.location.file
        try SpectrumStorage.validateLanczos(alpha: analysis.alpha, beta: analysis.beta, file: file)
        guard analysis.density.count == analysis.grid.count, analysis.densitySpread.count == analysis.grid.count,
              analysis.topEigenvalues.count == analysis.topResiduals.count,
              analysis.bottomEigenvalues.count == analysis.bottomResiduals.count,
              analysis.topConverged.isEmpty || analysis.topConverged.count == analysis.topEigenvalues.count,
              analysis.bottomConverged.isEmpty || analysis.bottomConverged.count == analysis.bottomEigenvalues.count else {
            throw RunStoreError(.invalidArgument, file: file,
                                detail: "analysis arrays disagree: grid \(analysis.grid.count), density \(analysis.density.count), spread \(analysis.densitySpread.count), top \(analysis.topEigenvalues.count)/\(analysis.topResiduals.count), bottom \(analysis.bottomEigenvalues.count)/\(analysis.bottomResiduals.count)")
        }
        let group = try analyses.createGroup(id)
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
    }

    static func read(_ group: H5Group, id: String) throws -> StoredAnalysis {
        guard let op = SpectralOperator(rawValue: try group.stringAttribute(Schema.Spectrum.operator)) else {
            throw group.location.malformed("unknown operator")
        }
        let analysis = Analysis(
            step: Int(try group.intAttribute(Schema.Spectrum.step)), operator: op,
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
