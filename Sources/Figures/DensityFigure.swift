import Foundation
import Plot
import Raster
import RunStore
import Spectral

/// One spectral density curve ready to draw.
struct DensityCurve {
    var step: Int
    var grid: [Double]
    var density: [Double]
    var spread: [Double]
    var lambdaMax: Double?
    /// The Gaussian kernel's width (eigenvalue units): the analysis's own, or 1% of the spectrum's span.
    var sigma: Double
    /// The recorded spectrum or analysis drawn (`SourceChoice.choose`).
    var source: SpectrumSource
}

/// `density`: the Hessian spectral density (SLQ) at one or more steps on a log y axis, the spread across
/// probes as a band (mean ± one standard deviation), λ_max as a dashed vertical line, and the stability
/// threshold at that step when it lies within the plotted range. At each step it draws the most accurate
/// source (`SourceChoice`), or the one `FigureOptions.source` names, and says which: a subtitle for one
/// curve, the legend for several. An analysis is drawn as `curv-density` computed it (its grid and kernel);
/// a recorded spectrum is turned into a density from its Lanczos tridiagonals (no Hessian products) with a
/// Gaussian kernel of width 1% of the spectrum's span.
enum DensityFigure {
    /// Relative residual above which the λ_max label shows the residual (the Ritz value has not converged).
    static let unconvergedResidual = 1e-3

    static func curve(_ run: RunData, step: Int, _ op: SpectralOperator, selection: SourceSelection, figure: FigureKind) throws -> DensityCurve {
        let found = try SourceChoice.choose(run, step: step, op, selection: selection)
        var source = found.source
        if let a = found.analysis, !a.grid.isEmpty, a.grid.count == a.density.count {
            let spread = a.densitySpread.count == a.grid.count ? a.densitySpread : [Double](repeating: 0, count: a.grid.count)
            return DensityCurve(step: step, grid: a.grid, density: a.density, spread: spread, lambdaMax: source.lambdaMax,
                                sigma: a.sigma, source: source)
        }
        do {
            let nodes = try found.tridiagonals.flatMap { try $0.eigenvalues() }
            let span = max((nodes.max() ?? 1) - (nodes.min() ?? 0), 1e-12)
            let d = try spectralDensity(from: found.tridiagonals, sigma: 0.01 * span, gridPoints: 1200)
            if source.lambdaMax == nil { source.lambdaMax = nodes.max() }
            return DensityCurve(step: step, grid: d.grid, density: d.density, spread: d.spread, lambdaMax: source.lambdaMax,
                                sigma: 0.01 * span, source: source)
        } catch {
            throw FigureError("\(figure.rawValue): \(run.file): cannot rebuild the density at step \(step) from the \(source.name): \(error)")
        }
    }

    static func missing(_ run: RunData, _ op: SpectralOperator, figure: FigureKind) -> FigureError {
        .missing(figure, run.file, "\(op.rawValue) spectrum or analysis",
                 "set record.spectrum_at (a list of steps) or record.spectrum_geometric > 1 in the config, or run curv-density \(run.file)")
    }

    /// The density panel and the sources drawn, one per curve.
    static func axes(_ runs: [RunData], options: FigureOptions, figure: FigureKind = .density) throws -> (axes: Axes, sources: [SpectrumSource]) {
        var curves: [(RunData, DensityCurve, SpectralOperator)] = []
        for run in runs {
            let op = try SourceChoice.figureOperator(run, options.operator, selection: options.source)
            let available = try SourceChoice.availableSteps(run, op, selection: options.source)
            guard let last = available.last else {
                if options.source == .recorded {
                    throw FigureError.missing(figure, run.file, "recorded \(op.rawValue) spectrum",
                        "leave out --source recorded to draw its analyses, or set record.spectrum_at in the config")
                }
                throw missing(run, op, figure: figure)
            }
            let named = try SourceChoice.namedAnalysis(run, options.source)
            let steps = options.at ?? [named?.analysis.step ?? last]
            if let named, !steps.contains(named.analysis.step) {
                throw FigureError("\(figure.rawValue): \(run.file): analysis \(named.id) is at step \(named.analysis.step), which --at "
                    + "(\(steps.map(String.init).joined(separator: ","))) leaves out; add \(named.analysis.step) to --at or leave out --at",
                                  reason: .analysisMismatch(file: run.file, id: named.id))
            }
            for step in steps {
                guard available.contains(step) else {
                    let what = options.source == .recorded ? "recorded \(op.rawValue) spectrum" : "\(op.rawValue) spectrum or analysis"
                    throw FigureError("\(figure.rawValue): \(run.file) has no \(what) at step \(step) "
                        + "(available: \(available.map(String.init).joined(separator: ", "))); "
                        + "add it to record.spectrum_at or run curv-density \(run.file) --at \(step)")
                }
                curves.append((run, try curve(run, step: step, op, selection: options.source, figure: figure), op))
            }
        }
        let op0 = curves[0].2
        var a = Axes(title: operatorName(op0) + " spectral density",
                     xLabel: "eigenvalue λ", yLabel: "density", yScale: .log)
        if runs.count == 1, figure == .density { a.title = operatorName(op0) + " spectral density: \(runs[0].label)" }
        if curves.count == 1 { a.subtitle = curves[0].1.source.description + "; kernel σ = \(RunData.shortNumber(curves[0].1.sigma))" }
        a.tightX = true
        var peak = 0.0, lambdas: [Double] = [], xs: [Double] = []
        for (i, (run, c, op)) in curves.enumerated() {
            let color = Palette.color(i)
            var label = runs.count == 1 ? "step \(c.step)" : "\(run.label), step \(c.step)"
            if curves.count > 1 { label += " (\(c.source.shortDescription), σ = \(RunData.shortNumber(c.sigma)))" }
            a.add(.band(x: c.grid, lower: zip(c.density, c.spread).map { $0 - $1 }, upper: zip(c.density, c.spread).map { $0 + $1 },
                        color: color, opacity: 0.2))
            a.add(.line(x: c.grid, y: c.density, label: label, color: color, width: 1.6))
            peak = max(peak, zip(c.density, c.spread).map { $0 + $1 }.max() ?? 0)
            xs += [c.grid.first ?? 0, c.grid.last ?? 1]
            if let l = c.lambdaMax {
                lambdas.append(l)
                xs.append(l)
                a.add(.vertical(l, label: curves.count == 1 ? "λ_max" : nil, color: color, width: 1.3, dash: [5, 3]))
                if curves.count == 1 { a.add(.annotation(x: l, y: peak > 0 ? peak : 1, text: lambdaLabel(c.source, l), color: color)) }
            }
            if curves.count == 1, let t = run.threshold(op), let j = t.x.firstIndex(of: Double(c.step)),
               let lmax = c.lambdaMax, t.y[j] <= 1.5 * max(lmax, c.grid.last ?? lmax) {
                a.add(.vertical(t.y[j], label: run.thresholdName(op), color: Palette.reference, width: 1.3, dash: [8, 4]))
                xs.append(t.y[j] * 1.02)
            }
        }
        if curves.count > 1 {
            a.add(.line(x: [], y: [], label: "dashed: λ_max", color: Palette.reference, width: 1.3, dash: [5, 3]))
        }
        if curves.count == 1, let ann = a.series.firstIndex(where: { $0.kind == .annotation }) { a.series[ann].ys = [peak / 3] }
        if peak > 0 { a.yLimits = (peak * 1e-6)...(peak * 3) }
        if let lo = xs.min(), let hi = xs.max(), hi > lo { a.xLimits = lo...hi }
        return (a, curves.map(\.1.source))
    }

    /// What the density is of, as titles name it.
    static func operatorName(_ op: SpectralOperator) -> String {
        op == .preconditioned ? "Preconditioned Hessian (P^-1/2 H P^-1/2)" : "Hessian"
    }

    /// "λ_max = 4.66", with the residual when the Ritz value has not converged: "λ_max = 3.46 (residual 0.52)".
    static func lambdaLabel(_ source: SpectrumSource, _ value: Double) -> String {
        var text = "λ_max = \(RunData.shortNumber(value))"
        if let r = source.lambdaMaxResidual, r > unconvergedResidual * max(abs(value), 1e-12) {
            text += " (residual \(RunData.shortNumber(r)))"
        }
        return text
    }
}
