import Plot
import RunStore

/// `report`: a one-page summary of one run: loss (and test loss), the learning rate, sharpness against
/// its threshold, and the spectral density at the last step with a spectrum (or `--at`; the source drawn in its
/// subtitle), in a 2 x 2 grid. Panels whose data the run lacks are
/// left out (the others fill the grid); loss and lr are always there.
enum ReportFigure {
    static func figure(_ runs: [RunData], options: FigureOptions) throws -> (Figure, [SpectrumSource]) {
        guard runs.count == 1 else { throw FigureError("report: draws one run; got \(runs.count) (use sharpness, loss or lr to compare runs)") }
        var panels = [try LossFigure.lossAxes(runs, options: options), try LossFigure.lrAxes(runs, options: options)]
        panels[1].title = "Learning rate"
        if var s = try? SharpnessFigure.axes(runs, options: options) {
            s.title = "Sharpness vs threshold"
            panels.append(s)
        }
        var sources: [SpectrumSource] = []
        do {
            var d = try DensityFigure.axes(runs, options: options, figure: .report)
            if let step = d.sources.first?.step { d.axes.title = "Spectral density at step \(step)" }
            panels.append(d.axes)
            sources = d.sources
        } catch let error as FigureError where error.reason == .other && options.source == .best {
            // The run has no spectrum: the report leaves the panel out. A source asked for by name must exist.
        }
        let rows = panels.count > 2 ? 2 : 1
        return (Figure(rows: rows, columns: 2, panels: panels, title: runs[0].label), sources)
    }
}
