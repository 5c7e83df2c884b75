import Foundation
import Plot
import Raster
import RunStore
import Spectral

/// `spectrum`: the evolution of the spectrum over training as a heatmap (x: step, y: eigenvalue, colour:
/// log density). Each recorded spectrum is a band at its own step, `bandColumns` of the heatmap's columns
/// wide (narrower where neighbours are closer: each column shows the spectrum nearest to it, never one
/// farther than half a band); columns between bands are grey, "no spectrum recorded": nothing is
/// interpolated across unrecorded steps. At each step it draws the
/// most accurate source with Lanczos tridiagonals (`SourceChoice`), or the one `FigureOptions.source` names,
/// and the subtitle says which. λ_max (the sharpness metric, white with markers) and the stability threshold
/// (vermillion, dashed) are drawn on top. Draws one run (several are an error); the step axis is linear.
enum SpectrumFigure {
    static let rows = 180
    static let columns = 300
    /// The width of each recorded spectrum's band, in heatmap columns (of `columns` across the steps).
    static let bandColumns = 12.0
    /// The colour of steps without a spectrum.
    static let unrecorded = Color(red: 0.87, green: 0.87, blue: 0.87)
    /// Pixels (at scale 1) of the canvas's width the subtitle leaves to the y axis and the colorbar.
    static let captionMargin = 230.0

    /// The heatmap panel and the source drawn at each step.
    static func axes(_ runs: [RunData], options: FigureOptions) throws -> (axes: Axes, sources: [SpectrumSource]) {
        guard runs.count == 1 else {
            throw FigureError("spectrum: draws one run; got \(runs.count) (one heatmap per run: call curv-plot spectrum for each, or compare runs with density --at)")
        }
        let run = runs[0]
        let op = try SourceChoice.figureOperator(run, options.operator, selection: options.source)
        let steps = try SourceChoice.availableSteps(run, op, selection: options.source)
        guard steps.count >= 2 else {
            if steps.isEmpty { throw DensityFigure.missing(run, op, figure: .spectrum) }
            throw FigureError("spectrum: \(run.file) has a \(op.rawValue) spectrum at one step only (\(steps[0])); the heatmap needs "
                + "at least 2: set record.spectrum_geometric > 1 or list steps in record.spectrum_at")
        }
        var tridiagonals: [[Tridiagonal]] = [], tops: [Double] = [], lows: [Double] = [], highs: [Double] = []
        var sources: [SpectrumSource] = []
        for step in steps {
            let found = try SourceChoice.choose(run, step: step, op, selection: options.source, needsTridiagonals: true)
            let nodes = try found.tridiagonals.flatMap { try $0.eigenvalues() }
            lows.append(nodes.min() ?? 0); highs.append(nodes.max() ?? 1)
            tridiagonals.append(found.tridiagonals)
            tops.append(found.source.lambdaMax ?? nodes.max() ?? .nan)
            sources.append(found.source)
        }
        // The eigenvalue range covers every spectrum and the recorded λ_max. For the preconditioned operator
        // it leaves out outliers beyond 5x the median extent: at Adam's first steps the second-moment
        // estimate is still tiny and P^-1/2 H P^-1/2 is huge, which would flatten the rest of the picture.
        let medianHigh = highs.sorted()[highs.count / 2], medianLow = lows.sorted()[lows.count / 2]
        let limit = op == .preconditioned ? 5 * max(abs(medianHigh), abs(medianLow), 1e-12) : Double.infinity
        let measured = run.series(RunData.names(op).sharpness)?.y ?? []
        var hi = (highs + measured).filter { abs($0) <= limit }.max() ?? medianHigh
        let lo = lows.filter { abs($0) <= limit }.min() ?? medianLow
        let threshold = run.threshold(op)
        if let t = threshold?.y.min(), t <= 1.3 * hi { hi = max(hi, t) }
        guard lo.isFinite, hi.isFinite, (hi - lo).isFinite else {
            throw FigureError("spectrum: \(run.file) has \(op.rawValue) spectra whose eigenvalues are not finite or span more than a Double holds (\(lo) to \(hi)); the file was damaged, or the run diverged: draw steps before that with curv-plot density --at")
        }
        let span = max(hi - lo, 1e-9)
        let range = (lo - 0.03 * span)...(hi + 0.06 * span)
        let densities = try tridiagonals.map {
            try spectralDensity(from: $0, sigma: span / 150, gridPoints: rows, range: range).density
        }
        let peak = densities.flatMap { $0 }.max() ?? 1
        let floor = peak * 1e-5
        // Column c covers steps [x0 + c w, x0 + (c+1) w); it shows the spectrum nearest its centre when that
        // spectrum's step lies within half a band of it, else nothing (NaN: the "unrecorded" grey). The
        // axis runs half a band past the first and last steps so that their bands are whole.
        let margin = bandColumns / 2 * Double(steps.last! - steps.first!) / Double(columns)
        let x0 = Double(steps.first!) - margin, x1 = Double(steps.last!) + margin, w = (x1 - x0) / Double(columns)
        var values = [Double](repeating: .nan, count: rows * columns)
        for c in 0..<columns {
            let x = x0 + (Double(c) + 0.5) * w
            let k = steps.indices.min { abs(Double(steps[$0]) - x) < abs(Double(steps[$1]) - x) }!
            guard abs(Double(steps[k]) - x) <= max(bandColumns / 2, 0.5) * w else { continue }
            for r in 0..<rows { values[r * columns + c] = max(densities[k][r], floor) }
        }
        var h = Heatmap(values: values, columns: columns, rows: rows, x: x0...x1, y: range, colorScale: .log, label: "density")
        h.colorRange = floor...peak
        h.colormap.invalid = unrecorded
        var a = Axes(title: "Spectrum over training: \(run.label)", xLabel: "step",
                     yLabel: op == .preconditioned ? "eigenvalue of P⁻½ H P⁻½" : "Hessian eigenvalue")
        // The caption fits when it is narrower than the canvas less the y axis and the colorbar.
        let room = Double(options.size(.spectrum).width) / options.resolvedScale(.spectrum) - captionMargin
        a.subtitle = SpectrumSource.caption(sources) { Font.dejaVuSans.measure($0, size: Theme().subtitleSize).width <= room }
        a.heatmap = h
        let (metric, _) = RunData.names(op)
        if let s = run.series(metric) {
            a.add(.line(x: s.x, y: s.y, label: "λ_max", color: .white, width: 1.8, marker: .circle))
        } else {
            a.add(.line(x: steps.map(Double.init), y: tops, label: "λ_max", color: .white, width: 1.8, marker: .circle))
        }
        if let t = threshold {
            let above = (t.y.min() ?? 0) > range.upperBound
            let label = run.thresholdName(op) + (above ? " (above, ≥ \(RunData.shortNumber(t.y.min()!)))" : "")
            a.add(.line(x: t.x, y: t.y, label: label, color: Palette.color(1), width: 2, dash: [7, 4]))
        }
        a.add(.scatter(x: [], y: [], label: "no spectrum recorded", color: unrecorded, marker: .square, size: 9, edge: Palette.reference))
        a.xLimits = x0...x1
        a.yLimits = range
        return (a, sources)
    }
}
