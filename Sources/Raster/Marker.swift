import Foundation

/// Scatter-plot marker shapes. Each is centred on its point; `size` is the diameter of the circle that the
/// shape is designed to match visually (the square's side is size * 0.886 so its area equals the circle's).
public enum MarkerShape: Sendable, Hashable, CaseIterable {
    case circle, square, triangle, diamond, cross, plus

    /// True for shapes made of lines (drawn by stroking, never filled).
    public var isLineArt: Bool { self == .cross || self == .plus }

    /// The marker outline (filled shapes) or strokes (cross, plus) centred at `c`, in canvas pixels.
    public func path(center c: Point, size: Double) -> Path {
        let r = size / 2
        var p = Path()
        switch self {
        case .circle:
            p.addCircle(center: c, radius: r)
        case .square:
            let h = r * 0.886
            p.addRect(Rect(x: c.x - h, y: c.y - h, width: 2 * h, height: 2 * h))
        case .triangle:
            // Equilateral, pointing up, centroid on the point, same area as the circle.
            let side = r * 2.694
            let height = side * 3.0.squareRoot() / 2
            p.addPolygon([Point(c.x, c.y - 2 * height / 3), Point(c.x + side / 2, c.y + height / 3),
                          Point(c.x - side / 2, c.y + height / 3)])
        case .diamond:
            let h = r * 1.253
            p.addPolygon([Point(c.x, c.y - h), Point(c.x + h, c.y), Point(c.x, c.y + h), Point(c.x - h, c.y)])
        case .cross:
            let h = r * 0.8
            p.move(to: Point(c.x - h, c.y - h)); p.line(to: Point(c.x + h, c.y + h))
            p.move(to: Point(c.x - h, c.y + h)); p.line(to: Point(c.x + h, c.y - h))
        case .plus:
            p.move(to: Point(c.x - r, c.y)); p.line(to: Point(c.x + r, c.y))
            p.move(to: Point(c.x, c.y - r)); p.line(to: Point(c.x, c.y + r))
        }
        return p
    }
}

/// How markers are painted: a fill and an optional edge. Line-art shapes use `edge` (or the fill colour
/// with `lineWidth` when there is no edge).
public struct MarkerStyle: Sendable, Hashable {
    public var shape: MarkerShape
    /// Diameter in canvas pixels.
    public var size: Double
    public var fill: Color
    public var edge: Color?
    public var lineWidth: Double

    public init(shape: MarkerShape = .circle, size: Double = 6, fill: Color = .black, edge: Color? = nil,
                lineWidth: Double = 1) {
        self.shape = shape
        self.size = size
        self.fill = fill
        self.edge = edge
        self.lineWidth = lineWidth
    }
}

extension Canvas {
    /// Draws one marker centred at `point` (canvas pixels).
    public mutating func drawMarker(at point: Point, style: MarkerStyle) {
        let path = style.shape.path(center: point, size: style.size)
        if style.shape.isLineArt {
            stroke(path, style: StrokeStyle(width: style.lineWidth, cap: .butt), color: style.edge ?? style.fill)
            return
        }
        fill(path, color: style.fill)
        if let edge = style.edge {
            stroke(path, style: StrokeStyle(width: style.lineWidth, join: .miter), color: edge)
        }
    }

    /// Draws the same marker at every point.
    public mutating func drawMarkers(at points: [Point], style: MarkerStyle) {
        for p in points { drawMarker(at: p, style: style) }
    }
}
