import Raster

/// The narrow drawing interface every figure renders through.
///
/// Coordinates are canvas pixels: origin top-left, x right, y down (as in `Raster`). Sizes (line widths,
/// marker sizes, font sizes) are pixels too; the figure has already multiplied them by its scale factor.
/// Two implementations exist: `RasterBackend` (real pixels, PNG output) and `RecordingBackend` (a list of
/// what was drawn where, for layout tests).
public protocol DrawingBackend {
    /// Canvas size in pixels.
    var width: Int { get }
    var height: Int { get }
    /// Measures one line of text at `size` pixels per em (same font as `drawText`).
    func measureText(_ text: String, size: Double) -> TextMetrics
    /// Fills a closed polygon (nonzero rule).
    mutating func fillPolygon(_ points: [Point], color: Color)
    /// Strokes an open polyline.
    mutating func strokePolyline(_ points: [Point], style: StrokeStyle, color: Color)
    /// Draws one marker centred on `point`.
    mutating func drawMarker(at point: Point, style: MarkerStyle)
    /// Draws one line of text anchored at `point`; `angle` is counter-clockwise in radians (`.pi / 2` for y labels).
    mutating func drawText(_ text: String, at point: Point, size: Double, color: Color,
                           alignment: TextAlignment, baseline: TextBaseline, angle: Double)
    /// Draws a grid of values (row 0 at the top of `rect`) through a colormap; `range` maps to 0...1.
    mutating func drawScalarField(_ field: ScalarField, in rect: Rect, colormap: Colormap, range: ClosedRange<Double>)
    /// Limits later drawing to `rect` (nil: the whole canvas).
    mutating func setClip(_ rect: Rect?)
}

extension DrawingBackend {
    /// Fills an axis-aligned rectangle.
    public mutating func fillRect(_ rect: Rect, color: Color) {
        fillPolygon([Point(rect.minX, rect.minY), Point(rect.maxX, rect.minY),
                     Point(rect.maxX, rect.maxY), Point(rect.minX, rect.maxY)], color: color)
    }

    /// The box text occupies when drawn with these parameters (canvas pixels, y down). Only angles of 0 and
    /// `.pi / 2` are exact; the box is the line box (ascent + descent), not the ink.
    public func textBox(_ text: String, at p: Point, size: Double, alignment: TextAlignment,
                        baseline: TextBaseline, angle: Double = 0) -> Rect {
        let m = measureText(text, size: size)
        return Self.textBox(metrics: m, at: p, alignment: alignment, baseline: baseline, angle: angle)
    }

    /// As `textBox(_:at:...)` from known metrics.
    public static func textBox(metrics m: TextMetrics, at p: Point, alignment: TextAlignment,
                               baseline: TextBaseline, angle: Double = 0) -> Rect {
        let along: Double
        switch alignment {
        case .left: along = 0
        case .center: along = -m.width / 2
        case .right: along = -m.width
        }
        // Top of the line box relative to the anchor, measured along "down" in text space.
        let top: Double
        switch baseline {
        case .baseline: top = -m.ascent
        case .top: top = 0
        case .middle: top = -m.ascent + m.capHeight / 2
        case .bottom: top = -m.ascent - m.descent
        }
        let thickness = m.ascent + m.descent
        if abs(angle) < 1e-9 {
            return Rect(x: p.x + along, y: p.y + top, width: m.width, height: thickness)
        }
        // Rotated a quarter turn counter-clockwise: text runs upwards, its "down" points to +x.
        return Rect(x: p.x + top, y: p.y - along - m.width, width: thickness, height: m.width)
    }
}

/// Draws into a `Raster.Canvas`.
public struct RasterBackend: DrawingBackend {
    public var canvas: Canvas
    public var width: Int { canvas.width }
    public var height: Int { canvas.height }

    public init(width: Int, height: Int, background: Color = .white) {
        canvas = Canvas(width: width, height: height, background: background)
    }

    public func measureText(_ text: String, size: Double) -> TextMetrics {
        canvas.measureText(text, style: TextStyle(size: size))
    }

    public mutating func fillPolygon(_ points: [Point], color: Color) {
        guard points.count >= 3 else { return }
        var path = Path()
        path.addPolygon(points)
        canvas.fill(path, color: color)
    }

    public mutating func strokePolyline(_ points: [Point], style: StrokeStyle, color: Color) {
        guard points.count >= 2 else { return }
        canvas.stroke(polyline: points, style: style, color: color)
    }

    public mutating func drawMarker(at point: Point, style: MarkerStyle) {
        canvas.drawMarker(at: point, style: style)
    }

    public mutating func drawText(_ text: String, at point: Point, size: Double, color: Color,
                                  alignment: TextAlignment, baseline: TextBaseline, angle: Double) {
        canvas.drawText(text, at: point, style: TextStyle(size: size, color: color),
                        alignment: alignment, baseline: baseline, angle: angle)
    }

    public mutating func drawScalarField(_ field: ScalarField, in rect: Rect, colormap: Colormap, range: ClosedRange<Double>) {
        canvas.drawScalarField(field, in: rect, colormap: colormap, range: range)
    }

    public mutating func setClip(_ rect: Rect?) {
        canvas.clip = rect.map { PixelRect(enclosing: $0) } ?? canvas.bounds
    }
}

/// Records what is drawn, with each item's bounding box, for layout tests. Text is measured with the
/// same font as `RasterBackend`, so boxes match real output.
public struct RecordingBackend: DrawingBackend {
    /// One drawing call: its kind ("text", "polygon", "polyline", "marker", "image"), the text for text
    /// items, its bounding box in canvas pixels, and the clip in force.
    public struct Item: Sendable {
        public var kind: String
        public var text: String
        public var box: Rect
        public var clip: Rect?
        public var color: Color
    }

    public let width: Int
    public let height: Int
    public private(set) var items: [Item] = []
    private var clip: Rect?

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    public func measureText(_ text: String, size: Double) -> TextMetrics {
        Font.dejaVuSans.measure(text, size: size)
    }

    /// The text items, in drawing order.
    public var texts: [Item] { items.filter { $0.kind == "text" } }

    private static func bounds(_ points: [Point]) -> Rect {
        let xs = points.map(\.x), ys = points.map(\.y)
        return Rect(corner: Point(xs.min() ?? 0, ys.min() ?? 0), Point(xs.max() ?? 0, ys.max() ?? 0))
    }

    public mutating func fillPolygon(_ points: [Point], color: Color) {
        items.append(Item(kind: "polygon", text: "", box: Self.bounds(points), clip: clip, color: color))
    }

    public mutating func strokePolyline(_ points: [Point], style: StrokeStyle, color: Color) {
        items.append(Item(kind: "polyline", text: "", box: Self.bounds(points), clip: clip, color: color))
    }

    public mutating func drawMarker(at point: Point, style: MarkerStyle) {
        let r = style.size / 2
        items.append(Item(kind: "marker", text: "", box: Rect(x: point.x - r, y: point.y - r, width: 2 * r, height: 2 * r),
                          clip: clip, color: style.fill))
    }

    public mutating func drawText(_ text: String, at point: Point, size: Double, color: Color,
                                  alignment: TextAlignment, baseline: TextBaseline, angle: Double) {
        let box = textBox(text, at: point, size: size, alignment: alignment, baseline: baseline, angle: angle)
        items.append(Item(kind: "text", text: text, box: box, clip: clip, color: color))
    }

    public mutating func drawScalarField(_ field: ScalarField, in rect: Rect, colormap: Colormap, range: ClosedRange<Double>) {
        items.append(Item(kind: "image", text: "", box: rect, clip: clip, color: .black))
    }

    public mutating func setClip(_ rect: Rect?) { clip = rect }
}
