extension Canvas {
    /// Strokes `path` (mapped by `transform`) with `style` and `color`.
    /// The style's width and dash lengths are canvas pixels, independent of `transform`.
    public mutating func stroke(_ path: Path, style: StrokeStyle = StrokeStyle(), color: Color,
                                transform: Transform = .identity) {
        let outlines = strokeOutlines(path.flattened(transform), style: style)
        fill(outlines, color: color, rule: .nonZero)
    }

    /// Strokes a polyline through `points` given in canvas pixels (the fast path for long data series).
    public mutating func stroke(polyline points: [Point], style: StrokeStyle = StrokeStyle(), color: Color) {
        guard points.count > 1 else { return }
        fill(strokeOutlines([Polyline(points: points, closed: false)], style: style), color: color, rule: .nonZero)
    }

    /// The closed outlines whose nonzero fill is the stroke of `polylines`.
    func strokeOutlines(_ polylines: [Polyline], style: StrokeStyle) -> [Polyline] {
        let stroker = Stroker(style)
        let dasher = Dasher(pattern: style.dash, phase: style.dashPhase)
        var outlines: [Polyline] = []
        for line in polylines {
            for piece in dasher.dash(line) { outlines.append(contentsOf: stroker.stroke(piece)) }
        }
        return outlines
    }
}
