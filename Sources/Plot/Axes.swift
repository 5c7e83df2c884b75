import Raster

/// Where an axes puts its legend.
public enum LegendPlacement: Sendable, Hashable {
    /// The candidate position (corners, then edge midpoints) that hides the fewest data points.
    case auto
    /// No legend.
    case none
    /// A fixed position: fractions of the plot area (0,0 = top-left, 1,1 = bottom-right) for the
    /// legend's matching corner.
    case at(x: Double, y: Double)
    /// Outside the plot area, right of it, top-aligned (the plot narrows to make room): for
    /// panels whose data fill the whole area, such as a grid of cells.
    case right
}

/// One panel: scales, limits, labels and the series drawn in it. A value type: build it, then hand it
/// to a `Figure`.
public struct Axes: Sendable {
    public var title: String?
    /// A smaller line under the title (e.g. where the data came from), in the reference ink.
    public var subtitle: String?
    public var xLabel: String?
    public var yLabel: String?
    public var xScale: Scale = .linear
    public var yScale: Scale = .linear
    /// Fixed limits (data units); nil: from the data with a 5% margin (x: no margin when `tightX`).
    public var xLimits: ClosedRange<Double>?
    public var yLimits: ClosedRange<Double>?
    /// No margin on x (time series end at the frame).
    public var tightX = true
    public var series: [Series] = []
    public var heatmap: Heatmap?
    public var legend: LegendPlacement = .auto
    /// Major grid lines.
    public var grid = true
    /// The x axis counts whole things (training steps): ticks at fractions are left out.
    public var integerX = false
    /// Named positions on the y axis instead of numeric ticks (categories, e.g. a heatmap's rows);
    /// nil: ticks from `yScale`.
    public var yCategories: [(value: Double, label: String)]?
    /// The same on the x axis (a grid's columns).
    public var xCategories: [(value: Double, label: String)]?

    public init(title: String? = nil, xLabel: String? = nil, yLabel: String? = nil,
                xScale: Scale = .linear, yScale: Scale = .linear) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xScale = xScale
        self.yScale = yScale
    }

    public mutating func add(_ s: Series) { series.append(s) }

    /// Series with every automatic colour resolved from the cycle, in drawing order (bands take the
    /// colour of the series they are given explicitly, or the next cycle colour).
    func resolvedSeries() -> [Series] {
        var next = 0
        return series.map { s in
            var s = s
            if s.color == nil { s.color = Palette.color(next); next += 1 }
            return s
        }
    }

    /// Limits actually used: fixed ones, else from the data (and the heatmap's extent).
    func resolvedLimits() -> (x: ClosedRange<Double>, y: ClosedRange<Double>) {
        var xs = series.flatMap(\.xExtent), ys = series.flatMap(\.yExtent)
        if let h = heatmap {
            xs += [h.x.lowerBound, h.x.upperBound]
            ys += [h.y.lowerBound, h.y.upperBound]
        }
        let fx = (tightX || heatmap != nil) ? 0 : 0.05, fy = heatmap != nil ? 0 : 0.05
        let x = xLimits.map(xScale.usable) ?? paddedLimits(xs, scale: xScale, fraction: fx) ?? (xScale.isLog ? 1...10 : 0...1)
        let y = yLimits.map(yScale.usable) ?? paddedLimits(ys, scale: yScale, fraction: fy) ?? (yScale.isLog ? 1...10 : 0...1)
        return (x, y)
    }
}

/// Sizes of text and strokes at scale 1, in pixels. A figure multiplies them by its scale factor.
public struct Theme: Sendable {
    public var tickLabelSize = 12.0
    public var axisLabelSize = 13.0
    public var titleSize = 14.0
    public var subtitleSize = 11.5
    public var figureTitleSize = 16.0
    public var legendSize = 12.0
    public var tickLength = 5.0
    public var minorTickLength = 3.0
    public var padding = 6.0
    public var frameWidth = 1.0
    public var colorbarWidth = 16.0

    public init() {}
}
