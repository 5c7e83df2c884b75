import Plot
import RunStore

/// The figures `curv-plot` draws.
public enum FigureKind: String, CaseIterable, Sendable {
    case sharpness, loss, lr, density, spectrum, report, blocks, grid
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
    /// Which spectrum density, spectrum and report draw at each step (default: the most accurate;
    /// see `SourceChoice`).
    public var source: SourceSelection = .best
    /// Fixed x limits for every panel, and y limits for the first (main) panel, in data units;
    /// nil: from the data. Data outside is clipped.
    public var xLimits: ClosedRange<Double>?
    public var yLimits: ClosedRange<Double>?
    /// `grid`: the sweep axes drawn across and up (nil: the first two), the values the other axes
    /// are held at (axis name -> value label), and what colours the cells.
    public var gridX: String?
    public var gridY: String?
    public var gridWhere: [String: String] = [:]
    public var gridColor = GridColor.outcome

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
