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
    /// "analysis" (from curv-density, under /analyses) or "recorded" (rebuilt from recorded tridiagonals).
    var source: String
}

/// `density`: the Hessian spectral density (SLQ) at one or more steps on a log y axis, the spread across
/// probes as a band (mean ± one standard deviation), λ_max as a dashed vertical line, and the stability
/// threshold at that step when it lies within the plotted range. Uses a re-analysis result from
/// `curv-density` when one exists at the step (the latest), else rebuilds the density from the Lanczos
/// tridiagonals recorded during training (no Hessian products) with a Gaussian kernel of width 1% of the
/// spectrum's span.
enum DensityFigure {
    /// Steps with a spectrum or an analysis of `op`, ascending.
    static func availableSteps(_ run: RunData, _ op: SpectralOperator) -> [Int] {
        let spectra = ((try? run.reader.spectrumKeys()) ?? []).filter { $0.operator == op }.map(\.step)
        let analyses = ((try? run.reader.analyses()) ?? []).filter { $0.analysis.operator == op }.map(\.analysis.step)
        return Array(Set(spectra + analyses)).sorted()
    }

    /// Lanczos tridiagonals at `step` (analysis first, then the recorded spectrum), with the top eigenvalue.
    static func tridiagonals(_ run: RunData, step: Int, _ op: SpectralOperator) throws -> (ts: [Tridiagonal], top: Double?, analysis: Analysis?) {
        if let a = ((try? run.reader.analyses()) ?? []).last(where: { $0.analysis.step == step && $0.analysis.operator == op })?.analysis {
            let ts = zip(a.alpha, a.beta).map { Tridiagonal(alpha: $0, beta: $1) }
            return (ts, a.topEigenvalues.first, a)
        }
        let s = try run.reader.spectrum(at: step, operator: op)
        return (zip(s.alpha, s.beta).map { Tridiagonal(alpha: $0, beta: $1) }, s.eigenvalues.first, nil)
    }

    static func curve(_ run: RunData, step: Int, _ op: SpectralOperator, figure: FigureKind) throws -> DensityCurve {
        let found = try tridiagonals(run, step: step, op)
        if let a = found.analysis, !a.grid.isEmpty, a.grid.count == a.density.count {
            let spread = a.densitySpread.count == a.grid.count ? a.densitySpread : [Double](repeating: 0, count: a.grid.count)
            return DensityCurve(step: step, grid: a.grid, density: a.density, spread: spread, lambdaMax: found.top, source: "analysis")
        }
        do {
            let nodes = try found.ts.flatMap { try $0.eigenvalues() }
            let span = max((nodes.max() ?? 1) - (nodes.min() ?? 0), 1e-12)
            let d = try spectralDensity(from: found.ts, sigma: 0.01 * span, gridPoints: 1200)
            return DensityCurve(step: step, grid: d.grid, density: d.density, spread: d.spread,
                                lambdaMax: found.top ?? nodes.max(), source: "recorded")
        } catch {
            throw FigureError("\(figure.rawValue): \(run.file): cannot rebuild the density at step \(step): \(error)")
        }
    }

    static func missing(_ run: RunData, _ op: SpectralOperator, figure: FigureKind) -> FigureError {
        .missing(figure, run.file, "\(op.rawValue) spectrum or analysis",
                 "set record.spectrum_at (a list of steps) or record.spectrum_geometric > 1 in the config, or run curv-density \(run.file)")
    }

    static func axes(_ runs: [RunData], options: FigureOptions, figure: FigureKind = .density) throws -> Axes {
        var curves: [(RunData, DensityCurve, SpectralOperator)] = []
        for run in runs {
            let op = run.defaultOperator(options.operator)
            let available = availableSteps(run, op)
            guard let last = available.last else { throw missing(run, op, figure: figure) }
            for step in options.at ?? [last] {
                guard available.contains(step) else {
                    throw FigureError("\(figure.rawValue): \(run.file) has no \(op.rawValue) spectrum or analysis at step \(step) "
                        + "(available: \(available.map(String.init).joined(separator: ", "))); "
                        + "add it to record.spectrum_at or run curv-density \(run.file) --at \(step)")
                }
                curves.append((run, try curve(run, step: step, op, figure: figure), op))
            }
        }
        let op0 = curves[0].2
        var a = Axes(title: "Spectral density" + (op0 == .preconditioned ? " (preconditioned)" : ""),
                     xLabel: "eigenvalue λ", yLabel: "density", yScale: .log)
        if runs.count == 1, figure == .density { a.title = "Spectral density: \(runs[0].label)" }
        a.tightX = true
        var peak = 0.0, lambdas: [Double] = [], xs: [Double] = []
        for (i, (run, c, op)) in curves.enumerated() {
            let color = Palette.color(i)
            let label = runs.count == 1 ? "step \(c.step)" : "\(run.label), step \(c.step)"
            a.add(.band(x: c.grid, lower: zip(c.density, c.spread).map { $0 - $1 }, upper: zip(c.density, c.spread).map { $0 + $1 },
                        color: color, opacity: 0.2))
            a.add(.line(x: c.grid, y: c.density, label: label, color: color, width: 1.6))
            peak = max(peak, zip(c.density, c.spread).map { $0 + $1 }.max() ?? 0)
            xs += [c.grid.first ?? 0, c.grid.last ?? 1]
            if let l = c.lambdaMax {
                lambdas.append(l)
                a.add(.vertical(l, label: curves.count == 1 ? "λ_max" : nil, color: color, width: 1.3, dash: [5, 3]))
                if curves.count == 1 { a.add(.annotation(x: l, y: peak > 0 ? peak : 1, text: "λ_max = \(RunData.shortNumber(l))", color: color)) }
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
        return a
    }
}
