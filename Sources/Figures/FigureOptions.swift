import Plot
import RunStore

/// The figures `curv-plot` draws.
public enum FigureKind: String, CaseIterable, Sendable {
    case sharpness, loss, lr, density, spectrum, report
}

/// Options shared by every figure.
public struct FigureOptions: Sendable {
    /// Steps for `density` (nil: the last step with a spectrum or analysis).
    public var at: [Int]?
    /// Canvas size in pixels (nil: 900 x 560, the report 1200 x 820).
    public var width: Int?
    public var height: Int?
    /// Multiplies text sizes and line widths (see `Figure.scale`); nil picks `max(1, min(width/900, height/560))`
    /// (`report`: relative to 1200 x 820).
    public var scale: Double?
    public var title: String?
    /// Log-scaled step axis (step 0 is left out).
    public var logX = false
    /// Legend labels, one per run (nil: from each run's config).
    public var labels: [String]?
    /// Operator for sharpness, density and spectrum (nil: preconditioned for Adam runs that recorded it,
    /// else the Hessian).
    public var `operator`: SpectralOperator?

    public init() {}

    static func defaultSize(_ kind: FigureKind) -> (Int, Int) { kind == .report ? (1200, 820) : (900, 560) }

    func size(_ kind: FigureKind) -> (width: Int, height: Int) {
        let d = Self.defaultSize(kind)
        return (width ?? d.0, height ?? d.1)
    }

    func resolvedScale(_ kind: FigureKind) -> Double {
        let d = Self.defaultSize(kind), s = size(kind)
        return scale ?? max(1, min(Double(s.width) / Double(d.0), Double(s.height) / Double(d.1)))
    }
}

/// Builds figures from run files.
public enum FigureBuilder {
    /// The figure `kind` for the runs at `paths`. Throws `FigureError` with a message naming the figure,
    /// the file and the missing data.
    public static func make(_ kind: FigureKind, runs paths: [String], options: FigureOptions = FigureOptions()) throws -> Figure {
        guard !paths.isEmpty else { throw FigureError("\(kind.rawValue): no run files given") }
        if let labels = options.labels, labels.count != paths.count {
            throw FigureError("\(kind.rawValue): --labels has \(labels.count) label(s) for \(paths.count) run(s)")
        }
        let runs = try paths.enumerated().map { i, p in try RunData.load(p, figure: kind, label: options.labels?[i]) }
        defer { runs.forEach { $0.close() } }
        var figure: Figure
        switch kind {
        case .sharpness: figure = Figure(try SharpnessFigure.axes(runs, options: options))
        case .loss: figure = try LossFigure.figure(runs, options: options)
        case .lr: figure = Figure(try LossFigure.lrAxes(runs, options: options))
        case .density: figure = Figure(try DensityFigure.axes(runs, options: options))
        case .spectrum: figure = Figure(try SpectrumFigure.axes(runs, options: options))
        case .report: figure = try ReportFigure.figure(runs, options: options)
        }
        (figure.width, figure.height) = options.size(kind)
        figure.scale = options.resolvedScale(kind)
        if let t = options.title { figure.title = t }
        return figure
    }
}
