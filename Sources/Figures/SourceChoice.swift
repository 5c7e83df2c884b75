import RunStore
import Spectral

/// Which spectrum a figure draws at a step (`curv-plot --source`, `--analysis`).
public enum SourceSelection: Sendable, Equatable {
    /// The most accurate source at each step (`SourceChoice.isMoreAccurate`).
    case best
    /// Only the spectra recorded during training (/spectra); steps with nothing recorded are left out.
    case recorded
    /// The analysis with this /analyses id ("0003") at its step, for its operator; other steps take
    /// the most accurate source.
    case analysis(String)
}

/// A spectrum a figure can draw: where it came from and its data.
struct SpectrumCandidate {
    var source: SpectrumSource
    /// Lanczos tridiagonals, one per probe (empty for an analysis stored without them).
    var tridiagonals: [Tridiagonal]
    /// The analysis (its density on its own grid), nil for a recorded spectrum.
    var analysis: Analysis?
    /// The largest Ritz value stored with this source and its residual norm.
    var top: (value: Double, residual: Double)?
}

/// The one place figures decide which recorded spectrum or analysis to draw at a step.
///
/// "Most accurate", compared in this order (the first difference decides):
/// 1. more Lanczos steps m: the Gauss quadrature of m nodes integrates polynomials of degree 2m - 1
///    exactly, and the extreme Ritz values converge to the extreme eigenvalues as m grows, so a 3-step
///    analysis never wins over a 40-step recorded spectrum;
/// 2. more probes (the density's probe average has a smaller variance);
/// 3. Float64 Hessian-vector products over Float32 over unknown;
/// 4. newer: an analysis over the recorded spectrum, a later analysis over an earlier one.
enum SourceChoice {
    /// f64 > f32 > unknown.
    static func precisionRank(_ precision: String) -> Int {
        switch precision {
        case "f64": return 2
        case "f32": return 1
        default: return 0
        }
    }

    /// True when `a` is more accurate than `b` by the rule above.
    static func isMoreAccurate(_ a: SpectrumSource, than b: SpectrumSource) -> Bool {
        (a.lanczosSteps, a.probes, precisionRank(a.precision), a.order) > (b.lanczosSteps, b.probes, precisionRank(b.precision), b.order)
    }

    /// Every source of `op` at `step`, most accurate first. λ_max is not filled in (see `choose`).
    static func candidates(_ run: RunData, step: Int, _ op: SpectralOperator) throws -> [SpectrumCandidate] {
        var found: [SpectrumCandidate] = []
        if try run.spectrumKeys().contains(where: { $0.step == step && $0.operator == op }) {
            let s: Spectrum
            do { s = try run.reader.spectrum(at: step, operator: op) } catch { throw FigureError("\(run.figure.rawValue): \(error)") }
            let source = SpectrumSource(file: run.file, step: step, operator: op, origin: .recorded, probes: s.probes,
                                        lanczosSteps: s.lanczosSteps, precision: run.recordedPrecision, rebuilt: false, order: 0)
            found.append(SpectrumCandidate(source: source, tridiagonals: zip(s.alpha, s.beta).map { Tridiagonal(alpha: $0, beta: $1) },
                                           analysis: nil, top: s.eigenvalues.first.map { ($0, s.residuals.first ?? .nan) }))
        }
        for (i, stored) in try run.analyses().enumerated() where stored.analysis.step == step && stored.analysis.operator == op {
            found.append(candidate(run, stored, order: i + 1))
        }
        return found.sorted { isMoreAccurate($0.source, than: $1.source) }
    }

    static func candidate(_ run: RunData, _ stored: StoredAnalysis, order: Int) -> SpectrumCandidate {
        let a = stored.analysis
        let rebuilt = a.dtype.isEmpty
        let source = SpectrumSource(file: run.file, step: a.step, operator: a.operator, origin: .analysis(id: stored.id),
                                    probes: a.probes, lanczosSteps: a.lanczosSteps,
                                    precision: rebuilt ? run.recordedPrecision : a.dtype, rebuilt: rebuilt, order: order)
        let top = a.topEigenvalues.first.map { ($0, a.topResiduals.first ?? .nan) }
        return SpectrumCandidate(source: source, tridiagonals: zip(a.alpha, a.beta).map { Tridiagonal(alpha: $0, beta: $1) },
                                 analysis: a, top: top)
    }

    /// Steps with a source of `op` that `selection` allows, ascending.
    static func availableSteps(_ run: RunData, _ op: SpectralOperator, selection: SourceSelection) throws -> [Int] {
        let recorded = try run.spectrumKeys().filter { $0.operator == op }.map(\.step)
        if selection == .recorded { return recorded.sorted() }
        let analysed = try run.analyses().filter { $0.analysis.operator == op }.map(\.analysis.step)
        return Array(Set(recorded + analysed)).sorted()
    }

    /// The analysis `selection` names, or nil for `.best` and `.recorded`. Throws
    /// `FigureError.Reason.unknownAnalysis` when the run has no analysis of that id.
    static func namedAnalysis(_ run: RunData, _ selection: SourceSelection) throws -> StoredAnalysis? {
        guard case .analysis(let text) = selection else { return nil }
        let all = try run.analyses()
        let selector: AnalysisSelector
        do { selector = try AnalysisSelector(text) } catch {
            throw FigureError("\(run.figure.rawValue): --analysis: \(error)", reason: .unknownAnalysis(file: run.file, id: text, available: all.map(\.id)))
        }
        // An id alone: the message lists the ids and steps (as before selectors existed).
        if selector.conditions.count == 1, selector.conditions[0].key == "id", !selector.latest {
            guard let found = all.first(where: { $0.id == text }) else {
                throw FigureError.unknownAnalysis(run.figure, run.file, id: text, available: all.map { ($0.id, $0.analysis.step) })
            }
            return found
        }
        do { return try selector.select(from: all, file: run.file) } catch {
            throw FigureError("\(run.figure.rawValue): --analysis \(text): \(error)",
                              reason: .unknownAnalysis(file: run.file, id: text, available: all.map(\.id)))
        }
    }

    /// The operator a spectrum figure draws: the named analysis's, else `requested`, else the run's default.
    /// Throws `analysisMismatch` when `--operator` contradicts the named analysis.
    static func figureOperator(_ run: RunData, _ requested: SpectralOperator?, selection: SourceSelection) throws -> SpectralOperator {
        guard let named = try namedAnalysis(run, selection) else { return run.defaultOperator(requested) }
        let op = named.analysis.operator
        if let requested, requested != op {
            throw FigureError("\(run.figure.rawValue): \(run.file): analysis \(named.id) is of the \(op.rawValue) operator, "
                + "but --operator asks for \(requested.rawValue); leave out --operator or name a \(requested.rawValue) analysis",
                              reason: .analysisMismatch(file: run.file, id: named.id))
        }
        return op
    }

    /// The spectrum to draw at `step`: the named analysis when `selection` names one at this step,
    /// the recorded spectrum for `.recorded`, else the most accurate candidate. `needsTridiagonals`
    /// (the heatmap) passes over analyses stored without Lanczos coefficients. λ_max is the chosen
    /// source's top Ritz value; when it stored none, the most accurate candidate's that did.
    static func choose(_ run: RunData, step: Int, _ op: SpectralOperator, selection: SourceSelection,
                       needsTridiagonals: Bool = false) throws -> SpectrumCandidate {
        let all = try candidates(run, step: step, op)
        let usable = all.filter { !needsTridiagonals || !$0.tridiagonals.isEmpty }
        var chosen: SpectrumCandidate?
        switch selection {
        case .recorded:
            chosen = usable.first { $0.source.origin == .recorded }
        case .analysis:
            let id = try namedAnalysis(run, selection)?.id ?? ""
            chosen = all.first { $0.source.origin == .analysis(id: id) } ?? usable.first
            if let c = chosen, needsTridiagonals, c.tridiagonals.isEmpty {
                throw FigureError("\(run.figure.rawValue): \(run.file): analysis \(id) stored no Lanczos tridiagonals, which this figure "
                    + "needs; rerun curv-density \(run.file) --at \(step), or leave out --analysis",
                                  reason: .analysisMismatch(file: run.file, id: id))
            }
        case .best:
            chosen = usable.first
        }
        guard var c = chosen else {
            let what = selection == .recorded ? "recorded \(op.rawValue) spectrum" : "\(op.rawValue) spectrum or analysis"
            let hint = selection == .recorded ? "leave out --source recorded to draw the analyses" : "run curv-density \(run.file) --at \(step)"
            throw FigureError.missing(run.figure, run.file, "\(what) at step \(step)", hint)
        }
        let lambda = c.top.map { (c.source.origin, $0) } ?? all.first { $0.top != nil }.map { ($0.source.origin, $0.top!) }
        if let (origin, top) = lambda {
            c.source.lambdaMax = top.value
            c.source.lambdaMaxResidual = top.residual.isFinite ? top.residual : nil
            c.source.lambdaMaxOrigin = origin
        }
        return c
    }
}
