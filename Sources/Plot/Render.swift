import Raster

/// Draws one laid-out panel through a backend. Order: grid, heatmap, series (clipped to the data area),
/// frame, ticks and labels, title, legend, colorbar.
struct PanelRenderer {
    let axes: Axes
    let layout: PanelLayout
    let theme: Theme
    let s: Double

    func draw<B: DrawingBackend>(into b: inout B) {
        let plot = layout.plot
        let series = axes.resolvedSeries()
        b.fillRect(plot, color: .white)
        b.setClip(plot)
        if axes.grid { drawGrid(into: &b) }
        if let h = axes.heatmap { drawHeatmap(h, into: &b) }
        var points: [Point] = []
        for item in series where item.kind == .band { points += draw(item, into: &b) }
        for item in series where item.kind != .band && item.kind != .annotation { points += draw(item, into: &b) }
        for item in series where item.kind == .text { drawCentredText(item, into: &b) }
        b.setClip(nil)
        var avoid: [Rect] = []
        for item in series where item.kind == .annotation { avoid += drawAnnotation(item, into: &b) }
        drawFrameAndTicks(into: &b)
        drawLabels(into: &b)
        if let cb = layout.colorbar, let h = axes.heatmap { drawColorbar(h, in: cb, into: &b) }
        if axes.legend != .none {
            Legend(entries: series.compactMap(LegendEntry.init), size: theme.legendSize * s, scale: s)
                .draw(in: plot, placement: axes.legend, avoiding: points, boxes: avoid, into: &b)
        }
    }

    private func px(_ x: Double, _ y: Double) -> Point? {
        guard let a = layout.x.map(x), let c = layout.y.map(y) else { return nil }
        return Point(clampPixel(a), clampPixel(c))
    }

    /// Keeps far-away points (a diverging loss of 1e30 on a linear axis) at finite, stroker-friendly coordinates.
    private func clampPixel(_ v: Double) -> Double { min(max(v, -1e6), 1e6) }

    private func drawGrid<B: DrawingBackend>(into b: inout B) {
        let style = StrokeStyle(width: max(1, s))
        for v in layout.xTicks.major { if let p = layout.x.map(v) {
            let x = pixelAligned(p, lineWidth: style.width)
            b.strokePolyline([Point(x, layout.plot.minY), Point(x, layout.plot.maxY)], style: style, color: Palette.grid)
        } }
        for v in layout.yTicks.major { if let p = layout.y.map(v) {
            let y = pixelAligned(p, lineWidth: style.width)
            b.strokePolyline([Point(layout.plot.minX, y), Point(layout.plot.maxX, y)], style: style, color: Palette.grid)
        } }
    }

    private func drawHeatmap<B: DrawingBackend>(_ h: Heatmap, into b: inout B) {
        guard let x0 = layout.x.map(h.x.lowerBound), let x1 = layout.x.map(h.x.upperBound),
              let y0 = layout.y.map(h.y.upperBound), let y1 = layout.y.map(h.y.lowerBound) else { return }
        let (field, range) = h.field()
        b.drawScalarField(field, in: Rect(corner: Point(x0, y0), Point(x1, y1)), colormap: h.colormap, range: range)
    }

    /// Runs of consecutive drawable points (NaN and unmappable values split a line).
    private func runs(_ xs: [Double], _ ys: [Double]) -> [[Point]] {
        var out: [[Point]] = [], cur: [Point] = []
        for (x, y) in zip(xs, ys) {
            if let p = px(x, y) { cur.append(p) } else if !cur.isEmpty { out.append(cur); cur = [] }
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }

    /// Draws one series; returns the pixel points it occupies (for legend placement).
    private func draw<B: DrawingBackend>(_ item: Series, into b: inout B) -> [Point] {
        let color = item.color ?? Palette.ink
        let style = StrokeStyle(width: item.width * s, cap: .butt, join: .round, dash: item.dash.map { $0 * s })
        let plot = layout.plot
        switch item.kind {
        case .line, .step:
            var all: [Point] = []
            for run in runs(item.xs, item.ys) {
                var pts = run
                if item.kind == .step {
                    pts = []
                    for (i, p) in run.enumerated() {
                        if i > 0 { pts.append(Point(p.x, run[i - 1].y)) }
                        pts.append(p)
                    }
                }
                b.strokePolyline(pts, style: style, color: color)
                all += densify(pts)
                if let m = item.marker {
                    for p in run { b.drawMarker(at: p, style: MarkerStyle(shape: m, size: item.markerSize * s, fill: color)) }
                }
            }
            return all
        case .scatter:
            let pts = zip(item.xs, item.ys).compactMap { px($0, $1) }
            let m = MarkerStyle(shape: item.marker ?? .circle, size: item.markerSize * s, fill: color,
                                edge: item.edge ?? .white, lineWidth: (item.edge == nil ? 0.8 : 1.3) * s)
            for p in pts { b.drawMarker(at: p, style: m) }
            return pts
        case .band:
            var lowerY = item.ys, upperY = item.upper
            if layout.y.scale.isLog {
                // A band reaching 0 or below is cut at the bottom of the axes instead of vanishing.
                let floor = layout.y.limits.lowerBound / 10
                lowerY = lowerY.map { $0.isFinite && $0 <= 0 ? floor : $0 }
                upperY = upperY.map { $0.isFinite && $0 <= 0 ? floor : $0 }
            }
            var all: [Point] = []
            var i = 0
            let n = min(item.xs.count, lowerY.count, upperY.count)
            while i < n {
                var lo: [Point] = [], hi: [Point] = []
                while i < n, let a = px(item.xs[i], lowerY[i]), let c = px(item.xs[i], upperY[i]) {
                    lo.append(a); hi.append(c); i += 1
                }
                if lo.count >= 2 {
                    b.fillPolygon(lo + hi.reversed(), color: color.withAlpha(item.fillOpacity))
                    all += densify(hi)
                }
                i += 1
            }
            return all
        case .horizontal:
            guard let y = layout.y.map(item.ys[0]) else { return [] }
            let pts = [Point(plot.minX, y), Point(plot.maxX, y)]
            b.strokePolyline(pts, style: style, color: color)
            return densify(pts)
        case .vertical:
            guard let x = layout.x.map(item.xs[0]) else { return [] }
            let pts = [Point(x, plot.minY), Point(x, plot.maxY)]
            b.strokePolyline(pts, style: style, color: color)
            return densify(pts)
        case .annotation, .text:
            return []
        }
    }

    private func drawCentredText<B: DrawingBackend>(_ item: Series, into b: inout B) {
        guard let p = px(item.xs[0], item.ys[0]) else { return }
        b.drawText(item.text, at: p, size: theme.legendSize * 0.92 * s, color: item.color ?? Palette.ink,
                   alignment: .center, baseline: .middle, angle: 0)
    }

    /// Points every ~8 px along a polyline, so a long straight segment counts as data under a legend.
    private func densify(_ pts: [Point]) -> [Point] {
        guard var prev = pts.first else { return [] }
        var out = [prev]
        for p in pts.dropFirst() {
            let n = min(200, Int((p - prev).length / (8 * s)))
            if n > 0 { for k in 1...n { out.append(prev.lerp(p, Double(k) / Double(n + 1))) } }
            out.append(p)
            prev = p
        }
        return out
    }

    /// A marker and its text (to the upper right, or upper left near the right edge). Returns the boxes used.
    private func drawAnnotation<B: DrawingBackend>(_ item: Series, into b: inout B) -> [Rect] {
        guard let p = px(item.xs[0], item.ys[0]), layout.plot.insetBy(-1).contains(p) else { return [] }
        let color = item.color ?? Palette.ink
        b.drawMarker(at: p, style: MarkerStyle(shape: item.marker ?? .diamond, size: item.markerSize * s,
                                               fill: color, edge: .white, lineWidth: 0.8 * s))
        let size = theme.legendSize * 0.92 * s
        let w = b.measureText(item.text, size: size).width
        let off = item.markerSize * s * 0.7
        let leftward = p.x + off + w > layout.plot.maxX - 2 * s
        let downward = p.y - off - size < layout.plot.minY
        let anchor = Point(leftward ? p.x - off : p.x + off, downward ? p.y + off : p.y - off)
        let baseline: TextBaseline = downward ? .top : .bottom
        let align: TextAlignment = leftward ? .right : .left
        let box = b.textBox(item.text, at: anchor, size: size, alignment: align, baseline: baseline)
        // A white backing keeps lines drawn under the label (a threshold next to λ_max) from crossing its text.
        b.fillRect(box.insetBy(-1.5 * s), color: Color(red: 1, green: 1, blue: 1, alpha: 0.85))
        b.drawText(item.text, at: anchor, size: size, color: color, alignment: align, baseline: baseline, angle: 0)
        return [box, Rect(x: p.x - off, y: p.y - off, width: 2 * off, height: 2 * off)]
    }
}

extension Rect {
    func contains(_ p: Point) -> Bool { p.x >= minX && p.x <= maxX && p.y >= minY && p.y <= maxY }
    func intersects(_ r: Rect) -> Bool { minX < r.maxX && r.minX < maxX && minY < r.maxY && r.minY < maxY }
}
