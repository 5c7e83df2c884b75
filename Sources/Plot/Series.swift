import Raster

/// One thing drawn in data coordinates inside an axes: a line, points, a step line, a band, a reference
/// line or an annotation. Values are data units; NaN (or values a log axis cannot show) break lines.
public struct Series: Sendable {
    public enum Kind: Sendable, Hashable {
        /// Straight segments through the points.
        case line
        /// Markers only.
        case scatter
        /// A post step line: each y holds until the next x.
        case step
        /// A filled region between `ys` (lower) and `upper`.
        case band
        /// A horizontal line across the axes at `ys[0]`.
        case horizontal
        /// A vertical line across the axes at `xs[0]`.
        case vertical
        /// A marker at (`xs[0]`, `ys[0]`) with `text` beside it.
        case annotation
        /// `text` centred on (`xs[0]`, `ys[0]`), no marker (a cell's value in a grid).
        case text
    }

    public var kind: Kind
    public var xs: [Double]
    public var ys: [Double]
    /// Upper edge of a band.
    public var upper: [Double] = []
    /// Legend entry (nil: not in the legend).
    public var label: String?
    /// Colour; nil takes the next colour of the cycle.
    public var color: Color?
    /// Line width in pixels at scale 1.
    public var width: Double = 1.6
    /// Dash pattern in pixels at scale 1 (empty: solid).
    public var dash: [Double] = []
    /// Marker drawn at each point (scatter, annotation, or on top of a line).
    public var marker: MarkerShape?
    /// Marker diameter in pixels at scale 1.
    public var markerSize: Double = 6
    /// Scatter markers' outline colour (nil: white, which separates overlapping markers).
    public var edge: Color?
    /// Annotation text.
    public var text: String = ""
    /// Fill opacity of bands.
    public var fillOpacity: Double = 0.25

    public init(kind: Kind, xs: [Double], ys: [Double], label: String? = nil, color: Color? = nil) {
        self.kind = kind
        self.xs = xs
        self.ys = ys
        self.label = label
        self.color = color
    }

    public static func line(x: [Double], y: [Double], label: String? = nil, color: Color? = nil,
                            width: Double = 1.6, dash: [Double] = [], marker: MarkerShape? = nil) -> Series {
        var s = Series(kind: .line, xs: x, ys: y, label: label, color: color)
        s.width = width; s.dash = dash; s.marker = marker; s.markerSize = 4.5
        return s
    }

    public static func scatter(x: [Double], y: [Double], label: String? = nil, color: Color? = nil,
                               marker: MarkerShape = .circle, size: Double = 6, edge: Color? = nil) -> Series {
        var s = Series(kind: .scatter, xs: x, ys: y, label: label, color: color)
        s.marker = marker; s.markerSize = size; s.edge = edge
        return s
    }

    public static func step(x: [Double], y: [Double], label: String? = nil, color: Color? = nil, width: Double = 1.6) -> Series {
        var s = Series(kind: .step, xs: x, ys: y, label: label, color: color)
        s.width = width
        return s
    }

    public static func band(x: [Double], lower: [Double], upper: [Double], label: String? = nil,
                            color: Color? = nil, opacity: Double = 0.25) -> Series {
        var s = Series(kind: .band, xs: x, ys: lower, label: label, color: color)
        s.upper = upper; s.fillOpacity = opacity
        return s
    }

    public static func horizontal(_ y: Double, label: String? = nil, color: Color = Palette.reference,
                                  width: Double = 1.2, dash: [Double] = [6, 4]) -> Series {
        var s = Series(kind: .horizontal, xs: [], ys: [y], label: label, color: color)
        s.width = width; s.dash = dash
        return s
    }

    public static func vertical(_ x: Double, label: String? = nil, color: Color = Palette.reference,
                                width: Double = 1.2, dash: [Double] = [6, 4]) -> Series {
        var s = Series(kind: .vertical, xs: [x], ys: [], label: label, color: color)
        s.width = width; s.dash = dash
        return s
    }

    public static func annotation(x: Double, y: Double, text: String, color: Color = Palette.ink,
                                  marker: MarkerShape = .diamond, label: String? = nil) -> Series {
        var s = Series(kind: .annotation, xs: [x], ys: [y], label: label, color: color)
        s.text = text; s.marker = marker; s.markerSize = 8
        return s
    }

    public static func text(x: Double, y: Double, _ text: String, color: Color = Palette.ink) -> Series {
        var s = Series(kind: .text, xs: [x], ys: [y], color: color)
        s.text = text
        return s
    }

    /// The data values this series contributes to automatic limits, per axis.
    var xExtent: [Double] {
        switch kind {
        case .horizontal: return []
        default: return xs
        }
    }

    var yExtent: [Double] {
        switch kind {
        case .vertical: return []
        case .band: return ys + upper
        default: return ys
        }
    }
}
