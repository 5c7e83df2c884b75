import Plot
import RunStore

/// A figure and the spectra it drew (one per drawn step and run; empty for figures without spectra).
public struct DrawnFigure {
    public var figure: Figure
    /// Where each drawn spectrum came from, in drawing order.
    public var sources: [SpectrumSource]
}

/// Builds figures from run files.
public enum FigureBuilder {
    /// The figure `kind` for the runs at `paths`. Throws `FigureError` with a message naming the figure,
    /// the file and the missing data.
    public static func make(_ kind: FigureKind, runs paths: [String], options: FigureOptions = FigureOptions()) throws -> Figure {
        try draw(kind, runs: paths, options: options).figure
    }

    /// As `make`, and says which recorded spectrum or analysis was drawn at each step. An analysis
    /// named in `options.source` must exist in every run, whatever the figure.
    public static func draw(_ kind: FigureKind, runs paths: [String], options: FigureOptions = FigureOptions()) throws -> DrawnFigure {
        guard !paths.isEmpty else { throw FigureError("\(kind.rawValue): no run files given") }
        if let labels = options.labels, labels.count != paths.count {
            throw FigureError("\(kind.rawValue): --labels has \(labels.count) label(s) for \(paths.count) run(s)")
        }
        if kind == .grid {
            guard paths.count == 1 else { throw FigureError("grid: draws one sweep folder; got \(paths.count) paths") }
            var figure = Figure(try GridFigure.axes(folder: paths[0], options: options))
            (figure.width, figure.height) = options.size(kind)
            figure.scale = options.resolvedScale(kind)
            if let t = options.title { figure.title = t }
            return DrawnFigure(figure: figure, sources: [])
        }
        let runs = try paths.enumerated().map { i, p in try RunData.load(p, figure: kind, label: options.labels?[i]) }
        defer { runs.forEach { $0.close() } }
        for run in runs { _ = try SourceChoice.namedAnalysis(run, options.source) }
        var figure: Figure, sources: [SpectrumSource] = []
        switch kind {
        case .sharpness: figure = Figure(try SharpnessFigure.axes(runs, options: options))
        case .loss: figure = try LossFigure.figure(runs, options: options)
        case .lr: figure = Figure(try LossFigure.lrAxes(runs, options: options))
        case .density:
            let d = try DensityFigure.axes(runs, options: options)
            (figure, sources) = (Figure(d.axes), d.sources)
        case .spectrum:
            let s = try SpectrumFigure.axes(runs, options: options)
            (figure, sources) = (Figure(s.axes), s.sources)
        case .report: (figure, sources) = try ReportFigure.figure(runs, options: options)
        case .blocks: figure = Figure(try BlocksFigure.axes(runs, options: options))
        case .grid: preconditionFailure("grid reads a sweep folder, not run files: drawn above")
        }
        (figure.width, figure.height) = options.size(kind)
        if kind == .report && options.width == nil && options.height == nil {
            (figure.width, figure.height) = ReportFigure.defaultSize(panels: figure.panels.count)
        }
        figure.scale = options.resolvedScale(kind)
        if let t = options.title { figure.title = t }
        // Training steps are whole numbers: a step axis never labels 2.5.
        for i in figure.panels.indices where figure.panels[i].xLabel == "step" { figure.panels[i].integerX = true }
        if let x = options.xLimits {
            for i in figure.panels.indices {
                try checkLimits(x, scale: figure.panels[i].xScale, axis: "--xlim", kind: kind)
                figure.panels[i].xLimits = x
            }
        }
        if let y = options.yLimits, !figure.panels.isEmpty {
            try checkLimits(y, scale: figure.panels[0].yScale, axis: "--ylim", kind: kind)
            figure.panels[0].yLimits = y
        }
        return DrawnFigure(figure: figure, sources: sources)
    }

    /// Limits a log axis cannot show (0 or below) are an error naming the option.
    static func checkLimits(_ limits: ClosedRange<Double>, scale: Scale, axis: String, kind: FigureKind) throws {
        if scale == .log && limits.lowerBound <= 0 {
            throw FigureError("\(kind.rawValue): \(axis) \(limits.lowerBound),\(limits.upperBound) starts at or below 0 on a log axis; give a positive lower limit")
        }
    }
}
