// Reading checkpoints, spectra and analyses, and selecting steps.

import Foundation

/// Which tensors of a checkpoint.
public enum CheckpointPart: String, Sendable {
    case weights
    case gradients
    /// The model's buffers (running statistics; format 1.2, models that have them).
    case buffers
}

/// Which steps to read.
public enum StepSelection: Equatable, Sendable {
    /// Every available step.
    case all
    /// The last available step.
    case latest
    /// These steps (each must be available).
    case steps([Int])

    /// Parses "all", "latest" or a comma-separated list of steps ("0,100,200").
    public init?(_ text: String) {
        switch text {
        case "all": self = .all
        case "latest", "last": self = .latest
        default:
            let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else { return nil }
            self = .steps(parts.map { $0! })
        }
    }
}

extension RunReader {
    // MARK: Checkpoints

    /// Steps with a checkpoint, ascending.
    /// Only complete checkpoints count: a name whose record cannot be opened (left by a writer
    /// killed before crash safety covered it) is not one.
    public func checkpointSteps() throws -> [Int] {
        H5.prepareThread()
        let checkpoints = try root.group(Schema.Checkpoint.group)
        return listableNumericMembers(checkpoints).filter { step in
            guard checkpoints.isGroup(String(step)), let group = try? checkpoints.group(String(step)) else { return false }
            return (try? group.intAttribute(Schema.Checkpoint.step)) == Int64(step)
        }
    }

    /// Resolves `selection` against the checkpoint steps; an unknown step is an error listing
    /// the available ones.
    public func selectCheckpointSteps(_ selection: StepSelection) throws -> [Int] {
        let available = try checkpointSteps()
        switch selection {
        case .all: return available
        case .latest: return available.last.map { [$0] } ?? []
        case .steps(let wanted):
            for step in wanted where !available.contains(step) { throw unknownCheckpoint(step, available) }
            return wanted
        }
    }

    private func unknownCheckpoint(_ step: Int, _ available: [Int]) -> RunStoreError {
        let list = available.isEmpty ? "none" : available.map(String.init).joined(separator: ", ")
        return RunStoreError(.notFound(what: "checkpoint \(step)", available: available.map(String.init)), file: path,
                             object: "/checkpoints/\(step)",
                             detail: "no checkpoint at step \(step); checkpoints exist at steps: \(list)")
    }

    private func checkpointGroup(_ step: Int) throws -> H5Group {
        H5.prepareThread()
        let checkpoints = try root.group(Schema.Checkpoint.group)
        guard checkpoints.isGroup(String(step)), try checkpointSteps().contains(step) else {
            throw unknownCheckpoint(step, try checkpointSteps())
        }
        return try checkpoints.group(String(step))
    }

    /// The element type the checkpoint at `step` was stored in.
    public func checkpointDType(at step: Int) throws -> StoredDType {
        let group = try checkpointGroup(step)
        let text = try group.stringAttribute(Schema.Checkpoint.dtype)
        guard let dtype = StoredDType(rawValue: text) else { throw group.location.malformed("unknown dtype '\(text)'") }
        return dtype
    }

    /// The whole checkpoint at `step`, converted to `T`.
    public func checkpoint<T: StoredFloat>(at step: Int, as type: T.Type) throws -> Checkpoint<T> {
        let group = try checkpointGroup(step)
        let optimizerGroup = try group.group(Schema.Checkpoint.optimizer)
        var hyperparameters: [String: Double] = [:]
        for name in try optimizerGroup.attributeNames() where name != Schema.Checkpoint.kind && name != Schema.Checkpoint.stepCount {
            hyperparameters[name] = try optimizerGroup.doubleAttribute(name)
        }
        var slots: [String: [NamedArray<T>]] = [:]
        for slot in try optimizerGroup.memberNames() {
            slots[slot] = try optimizerGroup.group(slot).readArrays(as: T.self)
        }
        let optimizer = OptimizerState(kind: try optimizerGroup.stringAttribute(Schema.Checkpoint.kind),
                                       stepCount: Int(try optimizerGroup.intAttribute(Schema.Checkpoint.stepCount)),
                                       hyperparameters: hyperparameters, slots: slots)
        return Checkpoint(step: Int(try group.intAttribute(Schema.Checkpoint.step)),
                          learningRate: try group.doubleAttribute(Schema.Checkpoint.lr),
                          weights: try group.group(Schema.Checkpoint.weights).readArrays(as: T.self),
                          gradients: try group.group(Schema.Checkpoint.gradients).readArrays(as: T.self),
                          optimizer: optimizer,
                          buffers: group.contains(Schema.Checkpoint.buffers) ? try group.group(Schema.Checkpoint.buffers).readArrays(as: T.self) : [])
    }

    /// Names of the tensors in one part of the checkpoint at `step`, sorted.
    public func tensorNames(at step: Int, part: CheckpointPart = .weights) throws -> [String] {
        try checkpointGroup(step).group(part.rawValue).memberNames()
    }

    /// One tensor of the checkpoint at `step`, converted to `T`.
    public func tensor<T: StoredFloat>(_ name: String, at step: Int, part: CheckpointPart = .weights,
                                       as type: T.Type) throws -> NamedArray<T> {
        let group = try checkpointGroup(step).group(part.rawValue)
        guard group.contains(name) else {
            let names = try group.memberNames()
            throw RunStoreError(.notFound(what: "tensor \(name)", available: names), file: path,
                                object: group.location.child(name).object,
                                detail: "no \(part.rawValue) tensor '\(name)' at step \(step); tensors: \(names.joined(separator: ", "))")
        }
        return try group.readArray(name, as: T.self)
    }

    /// The learning rate stored with the checkpoint at `step`.
    public func learningRate(at step: Int) throws -> Double {
        try checkpointGroup(step).doubleAttribute(Schema.Checkpoint.lr)
    }

    // MARK: Spectra

    /// (step, operator) pairs with a recorded spectrum, by step then operator.
    public func spectrumKeys() throws -> [(step: Int, operator: SpectralOperator)] {
        H5.prepareThread()
        let spectra = try root.group(Schema.Spectrum.group)
        return try listableNumericMembers(spectra).filter { spectra.isGroup(String($0)) }.flatMap { step in
            let stepGroup = try spectra.group(String(step))
            return ((try? stepGroup.memberNames()) ?? []).compactMap { name -> (step: Int, operator: SpectralOperator)? in
                guard stepGroup.isGroup(name), let group = try? stepGroup.group(name),
                      (try? group.intAttribute(Schema.Spectrum.step)) == Int64(step) else { return nil }
                return SpectralOperator(rawValue: name).map { (step, $0) }
            }
        }
    }

    /// The spectrum of `op` at `step`.
    public func spectrum(at step: Int, operator op: SpectralOperator) throws -> Spectrum {
        H5.prepareThread()
        let spectra = try root.group(Schema.Spectrum.group)
        guard try spectrumKeys().contains(where: { $0.step == step && $0.operator == op }) else {
            let keys = try spectrumKeys().map { "\($0.step)/\($0.operator.rawValue)" }
            throw RunStoreError(.notFound(what: "spectrum \(step)/\(op.rawValue)", available: keys), file: path,
                                object: "/spectra/\(step)/\(op.rawValue)",
                                detail: "no \(op.rawValue) spectrum at step \(step); spectra: \(keys.isEmpty ? "none" : keys.joined(separator: ", "))")
        }
        let group = try spectra.group(String(step)).group(op.rawValue)
        let alpha = try group.readMatrix(Schema.Spectrum.alpha), beta = try group.readMatrix(Schema.Spectrum.beta)
        try checkTridiagonals(alpha: alpha, beta: beta, at: group.location)
        return Spectrum(step: step, operator: op,
                        eigenvalues: try group.readDoubles(Schema.Spectrum.eigenvalues),
                        residuals: try group.readDoubles(Schema.Spectrum.residuals),
                        alpha: alpha,
                        beta: beta,
                        seed: UInt64(bitPattern: try group.intAttribute(Schema.Spectrum.seed)),
                        probeKind: try group.stringAttribute(Schema.Spectrum.probeKind),
                        reorthogonalization: group.hasAttribute(Schema.Spectrum.reorthogonalization)
                            ? try group.stringAttribute(Schema.Spectrum.reorthogonalization) : "")
    }

    /// Every recorded spectrum (optionally of one operator), by step.
    public func spectra(operator op: SpectralOperator? = nil) throws -> [Spectrum] {
        try spectrumKeys().filter { op == nil || $0.operator == op }.map { try spectrum(at: $0.step, operator: $0.operator) }
    }

    // MARK: Analyses

    /// Ids under /analyses, in order of writing. Only analyses that read count: a name leading to
    /// an unreadable record (left in a file by a build whose appends a kill could break) does not.
    public func analysisIDs() throws -> [String] {
        try analyses().map(\.id)
    }

    /// /analyses' readable records by id (none when the group itself cannot be listed).
    private func readableAnalyses() -> [(id: String, group: H5Group)] {
        guard let analyses = try? root.group(Schema.Analysis.group), let names = try? analyses.memberNames() else { return [] }
        return names.compactMap { name in
            guard analyses.isGroup(name), let group = try? analyses.group(name) else { return nil }
            return (name, group)
        }
    }

    /// The analysis `id`.
    public func analysis(_ id: String) throws -> StoredAnalysis {
        H5.prepareThread()
        guard let found = readableAnalyses().first(where: { $0.id == id }),
              let stored = try? AnalysisStorage.read(found.group, id: id) else {
            let ids = try analysisIDs()
            throw RunStoreError(.notFound(what: "analysis \(id)", available: ids), file: path, object: "/analyses/\(id)",
                                detail: "no analysis '\(id)'; analyses: \(ids.isEmpty ? "none" : ids.joined(separator: ", "))")
        }
        try checkTridiagonals(alpha: stored.analysis.alpha, beta: stored.analysis.beta, at: found.group.location)
        return stored
    }

    /// Every readable analysis, in order of writing. An analysis whose Lanczos tridiagonals do not
    /// match (beta not one entry shorter than alpha per probe) is not readable: `analysis(_:)`
    /// names the damage, and callers that rebuild densities from these never see it.
    public func analyses() throws -> [StoredAnalysis] {
        H5.prepareThread()
        return readableAnalyses().compactMap { entry in
            guard let stored = try? AnalysisStorage.read(entry.group, id: entry.id),
                  (try? checkTridiagonals(alpha: stored.analysis.alpha, beta: stored.analysis.beta, at: entry.group.location)) != nil
            else { return nil }
            return stored
        }
    }
}
