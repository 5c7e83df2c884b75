import Raster

/// One legend row: a swatch in the series' style and its label.
struct LegendEntry {
    var label: String
    var kind: Series.Kind
    var color: Color
    var width: Double
    var dash: [Double]
    var marker: MarkerShape?
    var edge: Color?
    var opacity: Double

    init?(_ s: Series) {
        guard let label = s.label, !label.isEmpty else { return nil }
        self.label = label
        kind = s.kind
        color = s.color ?? Palette.ink
        width = s.width
        dash = s.dash
        marker = s.marker
        edge = s.kind == .scatter ? s.edge : nil
        opacity = s.fillOpacity
    }
}

/// A boxed legend placed inside the data area where it hides the fewest drawn points.
struct Legend {
    var entries: [LegendEntry]
    /// Text size in pixels (scale applied).
    var size: Double
    var scale: Double

    /// Candidate anchors as fractions of the plot area, in order of preference on ties.
    static let candidates: [(Double, Double)] = [(1, 0), (0, 0), (1, 1), (0, 1), (1, 0.5), (0, 0.5), (0.5, 0), (0.5, 1)]

    /// The space between the plot and a legend placed `.right` of it.
    static func outsideGap(_ size: Double) -> Double { 0.8 * size }

    /// Size of the box in pixels.
    func boxSize<B: DrawingBackend>(_ b: B) -> (width: Double, height: Double, row: Double) {
        let m = b.measureText("Ag", size: size)
        let row = (m.ascent + m.descent) * 1.15
        let widest = entries.map { b.measureText($0.label, size: size).width }.max() ?? 0
        let pad = 0.6 * size
        return (pad * 2 + 2.2 * size + 0.5 * size + widest, pad * 2 + row * Double(entries.count), row)
    }

    /// The box for placement `(fx, fy)` inside `plot`, inset from the frame.
    func box(at f: (Double, Double), in plot: Rect, width: Double, height: Double) -> Rect {
        let inset = 0.5 * size
        let x = plot.minX + inset + (plot.width - 2 * inset - width) * f.0
        let y = plot.minY + inset + (plot.height - 2 * inset - height) * f.1
        return Rect(x: x.rounded(), y: y.rounded(), width: width.rounded(), height: height.rounded())
    }

    /// Chooses the box: the candidate covering the fewest data points (annotation boxes count heavily).
    func place(in plot: Rect, placement: LegendPlacement, width: Double, height: Double,
               points: [Point], boxes: [Rect]) -> Rect {
        if case .at(let fx, let fy) = placement { return box(at: (fx, fy), in: plot, width: width, height: height) }
        if placement == .right {
            return Rect(x: (plot.maxX + Self.outsideGap(size)).rounded(), y: plot.minY.rounded(), width: width.rounded(), height: height.rounded())
        }
        var best: Rect?, bestScore = Int.max
        for c in Self.candidates {
            let r = box(at: c, in: plot, width: width, height: height)
            let margin = r.insetBy(-0.3 * size)
            var score = points.reduce(0) { $0 + (margin.contains($1) ? 1 : 0) }
            score += boxes.reduce(0) { $0 + ($1.intersects(margin) ? 50 : 0) }
            if score < bestScore { bestScore = score; best = r }
        }
        return best!
    }

    func draw<B: DrawingBackend>(in plot: Rect, placement: LegendPlacement, avoiding points: [Point], boxes: [Rect],
                                 into b: inout B) {
        guard !entries.isEmpty else { return }
        let (w, h, row) = boxSize(b)
        guard placement == .right || (w < plot.width && h < plot.height) else { return }
        let r = place(in: plot, placement: placement, width: w, height: h, points: points, boxes: boxes)
        b.fillRect(r, color: Color.white.withAlpha(0.9))
        let fw = max(1, scale)
        let e = r.insetBy(fw / 2)
        b.strokePolyline([Point(e.minX, e.minY), Point(e.maxX, e.minY), Point(e.maxX, e.maxY), Point(e.minX, e.maxY),
                          Point(e.minX, e.minY)], style: StrokeStyle(width: fw), color: Color(hex: 0xBBBBBB))
        let pad = 0.6 * size, swatch = 2.2 * size
        for (i, entry) in entries.enumerated() {
            let cy = r.minY + pad + row * (Double(i) + 0.5)
            let x0 = r.minX + pad
            switch entry.kind {
            case .band:
                b.fillRect(Rect(x: x0, y: cy - 0.35 * size, width: swatch, height: 0.7 * size), color: entry.color.withAlpha(entry.opacity))
            case .scatter, .annotation:
                let size = (entry.kind == .annotation ? 8 : 6) * scale
                b.drawMarker(at: Point(x0 + swatch / 2, cy), style: entry.edge.map {
                    MarkerStyle(shape: entry.marker ?? .circle, size: size * 1.4, fill: entry.color, edge: $0, lineWidth: 1.3 * scale)
                } ?? MarkerStyle(shape: entry.marker ?? .circle, size: size, fill: entry.color))
            default:
                let y = pixelAligned(cy, lineWidth: entry.width * scale)
                let c = entry.color
                if 0.299 * c.red + 0.587 * c.green + 0.114 * c.blue > 0.8 {
                    // A light line (white on a heatmap) needs a dark backing to show on the white legend.
                    b.fillRect(Rect(x: x0 - 0.15 * size, y: cy - 0.45 * size, width: swatch + 0.3 * size, height: 0.9 * size),
                               color: Color(hex: 0x440154))
                }
                b.strokePolyline([Point(x0, y), Point(x0 + swatch, y)],
                                 style: StrokeStyle(width: entry.width * scale, dash: entry.dash.map { $0 * scale }), color: entry.color)
                if let m = entry.marker {
                    b.drawMarker(at: Point(x0 + swatch / 2, cy), style: MarkerStyle(shape: m, size: 4.5 * scale, fill: entry.color))
                }
            }
            b.drawText(entry.label, at: Point(x0 + swatch + 0.5 * size, cy), size: size, color: Palette.ink,
                       alignment: .left, baseline: .middle, angle: 0)
        }
    }
}
