import Foundation
import Raster

/// A figure: panels in a grid of `rows` x `columns` cells, an optional title above them.
///
/// Sizes are canvas pixels. `scale` multiplies every text size, line width, tick length and padding, so a
/// figure rendered at twice the size with scale 2 looks the same, only sharper.
public struct Figure: Sendable {
    public var width: Int
    public var height: Int
    public var scale: Double
    public var rows: Int
    public var columns: Int
    /// Panels in row-major order (at most rows x columns; missing cells stay empty).
    public var panels: [Axes]
    public var title: String?
    public var theme = Theme()

    public init(width: Int = 800, height: Int = 500, scale: Double = 1, rows: Int = 1, columns: Int = 1,
                panels: [Axes] = [], title: String? = nil) {
        self.width = width
        self.height = height
        self.scale = scale
        self.rows = rows
        self.columns = columns
        self.panels = panels
        self.title = title
    }

    /// A figure with one panel.
    public init(_ axes: Axes, width: Int = 800, height: Int = 500, scale: Double = 1, title: String? = nil) {
        self.init(width: width, height: height, scale: scale, panels: [axes], title: title)
    }

    /// The cell of panel `i` (canvas pixels), below the figure title.
    public func cell<B: DrawingBackend>(_ i: Int, measure: B) -> Rect {
        var top = 0.0
        if title != nil {
            let m = measure.measureText("Ag", size: theme.figureTitleSize * scale)
            top = (m.ascent + m.descent + 1.5 * theme.padding * scale).rounded()
        }
        let w = Double(width) / Double(columns), h = (Double(height) - top) / Double(rows)
        let r = i / columns, c = i % columns
        return Rect(x: (Double(c) * w).rounded(), y: (top + Double(r) * h).rounded(), width: w.rounded(.down), height: h.rounded(.down))
    }

    /// The layout of every panel (for tests and for callers that add their own drawing).
    public func layouts<B: DrawingBackend>(measure: B) -> [PanelLayout] {
        panels.prefix(rows * columns).enumerated().map { i, axes in
            Layout.panel(axes, in: cell(i, measure: measure), theme: theme, scale: scale, measure: measure)
        }
    }

    /// Draws the figure (white background) through any backend.
    public func render<B: DrawingBackend>(into b: inout B) {
        b.fillRect(Rect(x: 0, y: 0, width: Double(b.width), height: Double(b.height)), color: .white)
        if let title {
            b.drawText(title, at: Point(Double(width) / 2, theme.padding * scale), size: theme.figureTitleSize * scale,
                       color: Palette.ink, alignment: .center, baseline: .top, angle: 0)
        }
        for (axes, layout) in zip(panels, layouts(measure: b)) {
            PanelRenderer(axes: axes, layout: layout, theme: theme, s: scale).draw(into: &b)
        }
    }

    /// Renders into a new canvas.
    public func rasterize() -> Canvas {
        var b = RasterBackend(width: width, height: height)
        render(into: &b)
        return b.canvas
    }

    /// Renders and writes a PNG. The file appears only when complete (Raster writes a temporary file and
    /// renames it); on error nothing is left behind.
    public func writePNG(to path: String, text: [(key: String, value: String)] = [("Software", "Curvature")]) throws {
        try rasterize().writePNG(to: path, options: PNGOptions(text: text))
    }

    /// The figure as an SVG document, drawn by the same calls as the PNG (`render`).
    public func svg(description: String = "Curvature") -> String {
        var b = SVGBackend(width: width, height: height)
        render(into: &b)
        return b.document(description: description)
    }

    /// Renders and writes an SVG file. Like `writePNG`, the file appears only when complete (a
    /// temporary file beside it, renamed over `path`).
    public func writeSVG(to path: String, description: String = "Curvature") throws {
        let temporary = (path as NSString).deletingLastPathComponent + "/.\((path as NSString).lastPathComponent).\(getpid()).partial"
        do {
            try Data(svg(description: description).utf8).write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw SVGWriteError(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// What is drawn where, without pixels.
    public func record() -> RecordingBackend {
        var b = RecordingBackend(width: width, height: height)
        render(into: &b)
        return b
    }
}

/// An SVG file could not be written; names the path and the system's reason.
public struct SVGWriteError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): cannot write the SVG file (\(reason))" }
}
