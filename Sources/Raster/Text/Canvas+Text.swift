import Foundation

extension Canvas {
    /// Draws one line of text with its anchor at `point` (canvas pixels).
    ///
    /// `angle` is in radians, counter-clockwise as seen on screen: `.pi / 2` reads bottom to top (y-axis labels).
    /// Glyph outlines are filled by the same antialiased rasterizer as paths, unhinted. When the angle is a
    /// multiple of 90 degrees the baseline origin is snapped to whole pixels so that the same string always
    /// rasterizes the same way. Characters missing from the font come from its fallback (the system's full
    /// DejaVu Sans for the embedded subset); characters missing from both draw a hollow box.
    public mutating func drawText(_ text: String, at point: Point, style: TextStyle = TextStyle(),
                                  alignment: TextAlignment = .left, baseline: TextBaseline = .baseline,
                                  angle: Double = 0) {
        let font = style.font
        let s = style.size / Double(font.unitsPerEm)
        guard s > 0, s.isFinite else { return }
        let (glyphs, advance) = font.layout(text)
        guard !glyphs.isEmpty else { return }
        // Offset of the baseline start from the anchor, in text space (x along the baseline, y down).
        let dx: Double
        switch alignment {
        case .left: dx = 0
        case .center: dx = -advance * s / 2
        case .right: dx = -advance * s
        }
        let dy: Double
        switch baseline {
        case .baseline: dy = 0
        case .top: dy = Double(font.ascender) * s
        case .middle: dy = Double(font.capHeight) * s / 2
        case .bottom: dy = Double(font.descender) * s
        }
        let rotation = Transform.rotation(-angle)
        var origin = point + rotation.apply(Point(dx, dy))
        let quarterTurns = angle / (.pi / 2)
        if abs(quarterTurns - quarterTurns.rounded()) < 1e-9 {
            origin = Point(origin.x.rounded(), origin.y.rounded())
        }
        // Glyphs are flattened once per size and angle (cached in the font) and placed by offset.
        let linear = rotation.concatenating(.scale(s, -s))
        var pieces: [PlacedOutlines] = []
        pieces.reserveCapacity(glyphs.count)
        for placed in glyphs {
            // A fallback glyph is scaled by its own font's units per em.
            let f = style.size / Double(placed.font.unitsPerEm)
            let flat = placed.font.flattened(placed.glyph, linear: placed.font === font ? linear : rotation.concatenating(.scale(f, -f)))
            guard !flat.polylines.isEmpty else { continue }
            let pen = origin + rotation.apply(Point(placed.x * s, 0))
            pieces.append(PlacedOutlines(polylines: flat.polylines, bounds: flat.bounds, offset: pen))
        }
        fill(placed: pieces, color: style.color, rule: .nonZero)
    }

    /// Measures text as `drawText` would lay it out (see `Font.measure`).
    public func measureText(_ text: String, style: TextStyle = TextStyle()) -> TextMetrics {
        style.font.measure(text, size: style.size)
    }
}
