import Foundation
import Plot
import RunStore

/// `report`: a one-page summary of one run: loss (and test loss), the learning rate, sharpness against
/// its threshold, and the spectral density at the last step with a spectrum (or `--at`; the source drawn
/// in its subtitle). The page adapts to what the run has: a constant learning rate is stated in the
/// title instead of a flat panel, panels whose data the run lacks are left out, and the rest are laid
/// out without an empty cell (1, 2 or 3 side by side, 4 in a 2 x 2 grid), the page's default size
/// following (`defaultSize`).
enum ReportFigure {
    static func figure(_ runs: [RunData], options: FigureOptions) throws -> (Figure, [SpectrumSource]) {
        guard runs.count == 1 else { throw FigureError("report: draws one run; got \(runs.count) (use sharpness, loss or lr to compare runs)") }
        var panels = [try LossFigure.lossAxes(runs, options: options)]
        var title = runs[0].label
        if let rate = constantLearningRate(runs[0]) {
            title += ", learning rate constant at \(String(format: "%g", rate))"
        } else {
            var lr = try LossFigure.lrAxes(runs, options: options)
            lr.title = "Learning rate"
            panels.append(lr)
        }
        if var s = try? SharpnessFigure.axes(runs, options: options) {
            s.title = "Sharpness vs threshold"
            panels.append(s)
        }
        var sources: [SpectrumSource] = []
        do {
            var d = try DensityFigure.axes(runs, options: options, figure: .report)
            if let step = d.sources.first?.step {
                d.axes.title = DensityFigure.operatorName(d.sources[0].operator) + " spectral density at step \(step)"
            }
            panels.append(d.axes)
            sources = d.sources
        } catch let error as FigureError where error.reason == .other && options.source == .best {
            // The run has no spectrum: the report leaves the panel out. A source asked for by name must exist.
        }
        let (rows, columns) = grid(panels: panels.count)
        return (Figure(rows: rows, columns: columns, panels: panels, title: title), sources)
    }

    /// The recorded learning rate when every step used the same one; nil for a schedule.
    static func constantLearningRate(_ run: RunData) -> Double? {
        guard let rates = run.series("lr")?.y, let first = rates.first, rates.allSatisfy({ $0 == first }) else { return nil }
        return first
    }

    /// Panels side by side up to three; four in two rows.
    static func grid(panels: Int) -> (rows: Int, columns: Int) { panels == 4 ? (2, 2) : (1, max(1, panels)) }

    /// The page size when `--size` is not given, by panel count (pixels).
    static func defaultSize(panels: Int) -> (width: Int, height: Int) {
        switch panels {
        case 4: return (1200, 820)
        case 3: return (1500, 520)
        case 2: return (1200, 520)
        default: return (900, 560)
        }
    }
}
