/// How the ends of open subpaths (and of dashes) are drawn.
public enum LineCap: Sendable, Hashable {
    /// Ends exactly at the end point.
    case butt
    /// A half disc of the line's width around the end point.
    case round
    /// Extends half the width beyond the end point.
    case square
}

/// How corners between segments are drawn (on the outer side of the turn).
public enum LineJoin: Sendable, Hashable {
    /// Outer edges extended until they meet, unless the spike would exceed `miterLimit` (then bevel).
    case miter
    /// A circular arc around the corner.
    case round
    /// The outer corners joined by a straight edge.
    case bevel
}

/// Stroke parameters. Lengths (`width`, `dash`, `dashPhase`) are in canvas pixels, measured after the
/// path's transform (a scaled transform moves the geometry but does not thicken the line).
///
/// Crisp hairlines: a 1 px line along y = k + 0.5 (a pixel centre) covers exactly row k; use
/// `pixelAligned(_:lineWidth:)` to place axis lines and ticks.
public struct StrokeStyle: Sendable, Hashable {
    public var width: Double
    public var cap: LineCap
    public var join: LineJoin
    /// Largest allowed ratio of miter length to line width (SVG's stroke-miterlimit; 4 by default,
    /// which bevels corners sharper than about 29 degrees).
    public var miterLimit: Double
    /// Alternating on and off lengths, starting with "on"; empty for a solid line.
    public var dash: [Double]
    /// Distance into the dash pattern at which the line starts.
    public var dashPhase: Double

    public init(width: Double = 1, cap: LineCap = .butt, join: LineJoin = .miter, miterLimit: Double = 4,
                dash: [Double] = [], dashPhase: Double = 0) {
        self.width = width
        self.cap = cap
        self.join = join
        self.miterLimit = miterLimit
        self.dash = dash
        self.dashPhase = dashPhase
    }
}

/// The coordinate nearest to `value` at which a horizontal or vertical line of `lineWidth` px
/// (rounded to whole pixels) covers whole pixels: pixel centres for odd widths, pixel edges for even widths.
public func pixelAligned(_ value: Double, lineWidth: Double = 1) -> Double {
    let w = max(1, lineWidth.rounded())
    if Int(w) % 2 == 1 { return (value - 0.5).rounded() + 0.5 }
    return value.rounded()
}
