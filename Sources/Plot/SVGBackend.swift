import Foundation
import Raster

/// Draws into an SVG document: the same drawing calls as `RasterBackend`, so a figure's SVG and PNG
/// come from one layout (`Figure.render`). Coordinates are canvas pixels, the SVG's user units
/// (`viewBox` is the canvas). Text stays text (selectable, editable in a vector editor), in DejaVu
/// Sans, the font whose metrics laid it out; a viewer without DejaVu Sans substitutes a sans-serif
/// font and text widths then differ slightly. Heatmaps are embedded PNG images, one pixel per cell,
/// scaled without smoothing.
public struct SVGBackend: DrawingBackend {
    public let width: Int
    public let height: Int
    private var body: [String] = []
    private var definitions: [String] = []
    private var clipCount = 0
    private var clipOpen = false

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// The finished document; `description` becomes its `<desc>` (provenance, as the PNG's text chunks).
    public func document(description: String = "Curvature") -> String {
        var lines = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" "#
                + #"width="\#(width)" height="\#(height)" viewBox="0 0 \#(width) \#(height)">"#,
            "<desc>\(Self.escaped(description))</desc>",
        ]
        if !definitions.isEmpty { lines += ["<defs>"] + definitions + ["</defs>"] }
        lines += body
        if clipOpen { lines.append("</g>") }
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }

    public func measureText(_ text: String, size: Double) -> TextMetrics {
        Font.dejaVuSans.measure(text, size: size)
    }

    public mutating func fillPolygon(_ points: [Point], color: Color) {
        guard points.count >= 3 else { return }
        body.append(#"<path d="\#(Self.pathData(points, closed: true))" \#(Self.paint("fill", color))/>"#)
    }

    public mutating func strokePolyline(_ points: [Point], style: StrokeStyle, color: Color) {
        guard points.count >= 2 else { return }
        body.append(#"<path d="\#(Self.pathData(points, closed: false))" fill="none" \#(Self.stroke(style, color))/>"#)
    }

    public mutating func drawMarker(at point: Point, style: MarkerStyle) {
        let d = Self.pathData(style.shape.path(center: point, size: style.size))
        if style.shape.isLineArt {
            body.append(#"<path d="\#(d)" fill="none" \#(Self.stroke(StrokeStyle(width: style.lineWidth, cap: .butt), style.edge ?? style.fill))/>"#)
            return
        }
        var element = #"<path d="\#(d)" \#(Self.paint("fill", style.fill))"#
        if let edge = style.edge { element += " " + Self.stroke(StrokeStyle(width: style.lineWidth, join: .miter), edge) }
        body.append(element + "/>")
    }

    public mutating func drawText(_ text: String, at point: Point, size: Double, color: Color,
                                  alignment: TextAlignment, baseline: TextBaseline, angle: Double) {
        guard !text.isEmpty else { return }
        // The left end of the baseline, found as `textBox` places the line box: `along` the text
        // direction u and down the glyphs' "down" v (canvas y points down; angle is counter-clockwise).
        let m = measureText(text, size: size)
        let box = Self.textBox(metrics: m, at: Point(0, 0), alignment: alignment, baseline: baseline, angle: 0)
        let along = box.minX, down = box.minY + m.ascent
        let (u, v) = (Point(cos(angle), -sin(angle)), Point(sin(angle), cos(angle)))
        let origin = Point(point.x + along * u.x + down * v.x, point.y + along * u.y + down * v.y)
        let rotation = abs(angle) < 1e-12 ? "" : #" transform="rotate(\#(Self.number(-angle * 180 / .pi)) \#(Self.number(origin.x)) \#(Self.number(origin.y)))""#
        body.append(#"<text x="\#(Self.number(origin.x))" y="\#(Self.number(origin.y))" font-family="DejaVu Sans, Verdana, sans-serif" "#
            + #"font-size="\#(Self.number(size))" xml:space="preserve" \#(Self.paint("fill", color))\#(rotation)>\#(Self.escaped(text))</text>"#)
    }

    public mutating func drawScalarField(_ field: ScalarField, in rect: Rect, colormap: Colormap, range: ClosedRange<Double>) {
        guard field.width > 0, field.height > 0, rect.width > 0, rect.height > 0 else { return }
        // One pixel per cell, drawn by the raster path (same colours), stored as an embedded PNG.
        var cells = Canvas(width: field.width, height: field.height, background: .clear)
        cells.drawScalarField(field, in: Rect(x: 0, y: 0, width: Double(field.width), height: Double(field.height)),
                              colormap: colormap, range: range)
        guard let png = try? Self.pngData(cells) else { return }
        body.append(#"<image x="\#(Self.number(rect.minX))" y="\#(Self.number(rect.minY))" width="\#(Self.number(rect.width))" "#
            + #"height="\#(Self.number(rect.height))" preserveAspectRatio="none" style="image-rendering:pixelated;image-rendering:crisp-edges" "#
            + #"xlink:href="data:image/png;base64,\#(png.base64EncodedString())"/>"#)
    }

    public mutating func setClip(_ rect: Rect?) {
        if clipOpen { body.append("</g>"); clipOpen = false }
        guard let rect else { return }
        clipCount += 1
        definitions.append(#"<clipPath id="clip\#(clipCount)"><rect x="\#(Self.number(rect.minX))" y="\#(Self.number(rect.minY))" "#
            + #"width="\#(Self.number(rect.width))" height="\#(Self.number(rect.height))"/></clipPath>"#)
        body.append(#"<g clip-path="url(#clip\#(clipCount))">"#)
        clipOpen = true
    }

    // MARK: Writing SVG

    /// A coordinate or size with at most 3 decimals and no trailing zeros ("12.5", "-3", "0.125").
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        var text = String(format: "%.3f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    /// `fill="#rrggbb"` (or `stroke=`), with its opacity when not opaque.
    static func paint(_ attribute: String, _ color: Color) -> String {
        func byte(_ c: Double) -> Int { Int((min(max(c, 0), 1) * 255).rounded()) }
        let hex = String(format: "#%02x%02x%02x", byte(color.red), byte(color.green), byte(color.blue))
        return color.alpha >= 1 ? #"\#(attribute)="\#(hex)""# : #"\#(attribute)="\#(hex)" \#(attribute)-opacity="\#(number(color.alpha))""#
    }

    static func stroke(_ style: StrokeStyle, _ color: Color) -> String {
        let cap: String, join: String
        switch style.cap {
        case .butt: cap = "butt"
        case .round: cap = "round"
        case .square: cap = "square"
        }
        switch style.join {
        case .miter: join = "miter"
        case .round: join = "round"
        case .bevel: join = "bevel"
        }
        var text = paint("stroke", color) + #" stroke-width="\#(number(style.width))" stroke-linecap="\#(cap)" stroke-linejoin="\#(join)""#
        if style.join == .miter { text += #" stroke-miterlimit="\#(number(style.miterLimit))""# }
        if !style.dash.isEmpty {
            text += #" stroke-dasharray="\#(style.dash.map(number).joined(separator: " "))""#
            if style.dashPhase != 0 { text += #" stroke-dashoffset="\#(number(style.dashPhase))""# }
        }
        return text
    }

    static func pathData(_ points: [Point], closed: Bool) -> String {
        let moves = points.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(number($0.element.x)) \(number($0.element.y))" }
        return moves.joined(separator: " ") + (closed ? " Z" : "")
    }

    static func pathData(_ path: Path) -> String {
        path.elements.map { element -> String in
            switch element {
            case let .move(p): return "M\(number(p.x)) \(number(p.y))"
            case let .line(p): return "L\(number(p.x)) \(number(p.y))"
            case let .quad(c, p): return "Q\(number(c.x)) \(number(c.y)) \(number(p.x)) \(number(p.y))"
            case let .cubic(c1, c2, p): return "C\(number(c1.x)) \(number(c1.y)) \(number(c2.x)) \(number(c2.y)) \(number(p.x)) \(number(p.y))"
            case .close: return "Z"
            }
        }.joined(separator: " ")
    }

    /// Text with XML's five special characters escaped; control characters (not allowed in XML 1.0) dropped.
    static func escaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                if scalar.value < 0x20 && scalar != "\t" && scalar != "\n" { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The canvas as PNG bytes (libpng, through a temporary file).
    static func pngData(_ canvas: Canvas) throws -> Data {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("curv-svg-\(UUID().uuidString).png").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try canvas.writePNG(to: path, options: .fast)
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }
}
