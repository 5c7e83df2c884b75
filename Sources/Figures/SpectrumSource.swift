import RunStore

/// Where a figure took the spectrum it drew at one step: the spectrum recorded during training
/// (/spectra) or one `curv-density` analysis (/analyses/ID), with the settings that make it more or
/// less accurate and the λ_max the figure labels. `FigureBuilder.draw` returns one per drawn step;
/// `curv-plot` prints them.
public struct SpectrumSource: Sendable, Equatable {
    public enum Origin: Sendable, Equatable {
        /// /spectra/STEP/OPERATOR, written by the recorder.
        case recorded
        /// /analyses/ID, written by curv-density.
        case analysis(id: String)
    }

    /// The run file's name (no directories).
    public var file: String
    public var step: Int
    public var `operator`: SpectralOperator
    public var origin: Origin
    /// Probe vectors (one Lanczos run each).
    public var probes: Int
    /// Lanczos steps per probe: the quadrature has this many nodes per probe.
    public var lanczosSteps: Int
    /// Precision of the Hessian-vector products: "f64" or "f32"; "" when unknown. An analysis rebuilt
    /// from stored tridiagonals (`curv-density --from-tridiagonals`, no products of its own) carries
    /// the run's precision.
    public var precision: String
    /// True for an analysis rebuilt from stored tridiagonals.
    public var rebuilt: Bool
    /// Writing order: 0 for the recorded spectrum, 1 + the analysis's position under /analyses.
    public var order: Int
    /// The λ_max the figure labels and its Ritz residual norm ||A v - θ v|| (an eigenvalue lies within
    /// the residual of θ), or nil when no source at the step stored a top eigenvalue.
    public var lambdaMax: Double?
    public var lambdaMaxResidual: Double?
    /// Where λ_max came from, when another source than the drawn one supplied it.
    public var lambdaMaxOrigin: Origin?

    /// "analysis 0002" or "recorded spectrum".
    public var name: String {
        switch origin {
        case .recorded: return "recorded spectrum"
        case .analysis(let id): return "analysis \(id)"
        }
    }

    /// "analysis 0002: 10 probes × 80 Lanczos steps, f64" or "recorded spectrum: 4 probes × 40 Lanczos steps, f64".
    public var description: String {
        var s = "\(name): \(probes) probe\(probes == 1 ? "" : "s") × \(lanczosSteps) Lanczos steps"
        if rebuilt { s += ", rebuilt from stored tridiagonals" } else if !precision.isEmpty { s += ", \(precision)" }
        return s
    }

    /// "analysis 0002, 10×80 f64" or "recorded, 4×40 f64": for legends with several curves.
    public var shortDescription: String {
        let head: String
        switch origin {
        case .recorded: head = "recorded"
        case .analysis(let id): head = "analysis \(id)"
        }
        return "\(head), \(probes)×\(lanczosSteps)" + (precision.isEmpty ? "" : " \(precision)")
    }

    /// One line for curv-plot's output: "B.h5 step 200 hessian: analysis 0002: 10 probes × 80 Lanczos
    /// steps, f64; λ_max = 4.663 (residual 2.1e-05)".
    public var summary: String {
        var s = "\(file) step \(step) \(`operator`.rawValue): \(description)"
        if let l = lambdaMax {
            s += "; λ_max = \(String(format: "%.6g", l))"
            if let r = lambdaMaxResidual, r.isFinite { s += " (residual \(String(format: "%.2g", r)))" }
            if let o = lambdaMaxOrigin, o != origin {
                switch o {
                case .recorded: s += " from the recorded spectrum"
                case .analysis(let id): s += " from analysis \(id)"
                }
            }
        }
        return s
    }
}

extension SpectrumSource {
    /// One line naming the sources of several drawn steps (the heatmap's subtitle): "recorded spectra
    /// (3 probes × 40 Lanczos steps, f64) at steps 0, 4; analysis 0001 (10 probes × 80 Lanczos steps, f64)
    /// at step 256". Steps with equal recorder settings share a group; each analysis is its own. When that
    /// does not `fit`, settings shorten to "3×40 f64" (probes × Lanczos steps), and then to counts only:
    /// "2 recorded spectra, 1 analysis (the most accurate at each step)".
    static func caption(_ sources: [SpectrumSource], fits: (String) -> Bool = { _ in true }) -> String {
        for long in [true, false] {
            let text = groupedCaption(sources, long: long)
            if fits(text) { return text }
        }
        let recorded = sources.filter { $0.origin == .recorded }.count, analyses = sources.count - recorded
        let counts = [recorded > 0 ? "\(recorded) recorded spectr\(recorded == 1 ? "um" : "a")" : nil,
                      analyses > 0 ? "\(analyses) analys\(analyses == 1 ? "is" : "es")" : nil].compactMap { $0 }
        return counts.joined(separator: ", ") + " (the most accurate at each step)"
    }

    /// The grouped line, with settings as "3 probes × 40 Lanczos steps, f64" (`long`) or "3×40 f64".
    private static func groupedCaption(_ sources: [SpectrumSource], long: Bool) -> String {
        var groups: [(label: String, steps: [Int])] = []
        for s in sources {
            let settings = long
                ? "\(s.probes) probe\(s.probes == 1 ? "" : "s") × \(s.lanczosSteps) Lanczos steps" + (s.precision.isEmpty ? "" : ", \(s.precision)")
                : "\(s.probes)×\(s.lanczosSteps)" + (s.precision.isEmpty ? "" : " \(s.precision)")
            let label: String
            switch s.origin {
            case .recorded: label = "recorded spectra (\(settings))"
            case .analysis(let id): label = "analysis \(id) (\(settings))"
            }
            if let i = groups.firstIndex(where: { $0.label == label }) { groups[i].steps.append(s.step) } else { groups.append((label, [s.step])) }
        }
        return groups.map { g in
            let steps = g.steps.count == 1 ? "step \(g.steps[0])"
                : g.steps.count <= 4 ? "steps " + g.steps.map(String.init).joined(separator: ", ")
                : "\(g.steps.count) steps from \(g.steps.first!) to \(g.steps.last!)"
            return "\(g.label) at \(steps)"
        }.joined(separator: "; ")
    }
}
