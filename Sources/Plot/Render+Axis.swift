import Raster

extension PanelRenderer {
    /// Frame, major and minor ticks (outside the frame) and tick labels.
    func drawFrameAndTicks<B: DrawingBackend>(into b: inout B) {
        let plot = layout.plot, w = theme.frameWidth * s
        let style = StrokeStyle(width: w, cap: .square, join: .miter)
        let l = pixelAligned(plot.minX, lineWidth: w), r = pixelAligned(plot.maxX, lineWidth: w)
        let t = pixelAligned(plot.minY, lineWidth: w), bo = pixelAligned(plot.maxY, lineWidth: w)
        b.strokePolyline([Point(l, t), Point(r, t), Point(r, bo), Point(l, bo), Point(l, t)], style: style, color: Palette.ink)
        let major = theme.tickLength * s, minor = theme.minorTickLength * s
        let tickStyle = StrokeStyle(width: w)
        for v in layout.xTicks.minor { if let p = layout.x.map(v) {
            let x = pixelAligned(p, lineWidth: w)
            b.strokePolyline([Point(x, bo), Point(x, bo + minor)], style: tickStyle, color: Palette.ink)
        } }
        for v in layout.yTicks.minor { if let p = layout.y.map(v) {
            let y = pixelAligned(p, lineWidth: w)
            b.strokePolyline([Point(l, y), Point(l - minor, y)], style: tickStyle, color: Palette.ink)
        } }
        let gap = 0.8 * theme.padding * s
        for (v, label) in zip(layout.xTicks.major, layout.xTicks.labels) { if let p = layout.x.map(v) {
            let x = pixelAligned(p, lineWidth: w)
            b.strokePolyline([Point(x, bo), Point(x, bo + major)], style: tickStyle, color: Palette.ink)
            b.drawText(label, at: Point(p, bo + major + gap), size: layout.tickSize, color: Palette.ink,
                       alignment: .center, baseline: .top, angle: 0)
        } }
        for (v, label) in zip(layout.yTicks.major, layout.yTicks.labels) { if let p = layout.y.map(v) {
            let y = pixelAligned(p, lineWidth: w)
            b.strokePolyline([Point(l, y), Point(l - major, y)], style: tickStyle, color: Palette.ink)
            b.drawText(label, at: Point(l - major - gap, p), size: layout.tickSize, color: Palette.ink,
                       alignment: .right, baseline: .middle, angle: 0)
        } }
    }

    /// Axis labels (y rotated to read bottom to top), the title and the subtitle under it.
    func drawLabels<B: DrawingBackend>(into b: inout B) {
        let plot = layout.plot, pad = theme.padding * s
        let tickH = b.measureText("0", size: layout.tickSize)
        if let xl = axes.xLabel {
            let y = plot.maxY + theme.tickLength * s + 0.8 * pad + tickH.ascent + tickH.descent + 0.5 * pad
            b.drawText(xl, at: Point(plot.center.x, y), size: layout.labelSize, color: Palette.ink,
                       alignment: .center, baseline: .top, angle: 0)
        }
        if let yl = axes.yLabel {
            let widest = layout.yTicks.labels.map { b.measureText($0, size: layout.tickSize).width }.max() ?? 0
            let x = plot.minX - theme.tickLength * s - 0.8 * pad - widest - pad
            // Rotated a quarter turn: the line box's bottom (descent) faces the tick labels.
            b.drawText(yl, at: Point(x, plot.center.y), size: layout.labelSize, color: Palette.ink,
                       alignment: .center, baseline: .bottom, angle: .pi / 2)
        }
        var titleBottom = plot.minY - pad
        if !layout.subtitleLines.isEmpty {
            let m = b.measureText("Ag", size: layout.subtitleSize)
            for line in layout.subtitleLines.reversed() {
                b.drawText(line, at: Point(plot.center.x, titleBottom), size: layout.subtitleSize, color: Palette.reference,
                           alignment: .center, baseline: .bottom, angle: 0)
                titleBottom -= m.ascent + m.descent + 0.25 * pad
            }
            titleBottom -= 0.25 * pad
        }
        if let title = axes.title {
            b.drawText(title, at: Point(plot.center.x, titleBottom), size: layout.titleSize, color: Palette.ink,
                       alignment: .center, baseline: .bottom, angle: 0)
        }
    }

    /// The colour bar: the colormap as a vertical strip, a frame, ticks and labels on its right, the label beyond.
    func drawColorbar<B: DrawingBackend>(_ h: Heatmap, in bar: Rect, into b: inout B) {
        guard let map = layout.colorMapping, let ticks = layout.colorTicks else { return }
        let n = 256
        let t0 = h.scale.transform(map.limits.lowerBound) ?? 0, t1 = h.scale.transform(map.limits.upperBound) ?? 1
        let values = (0..<n).map { i in t1 - (t1 - t0) * (Double(i) + 0.5) / Double(n) }
        b.drawScalarField(ScalarField(width: 1, height: n, values: values), in: bar, colormap: h.colormap, range: t0...t1)
        let w = theme.frameWidth * s
        let l = pixelAligned(bar.minX, lineWidth: w), r = pixelAligned(bar.maxX, lineWidth: w)
        let t = pixelAligned(bar.minY, lineWidth: w), bo = pixelAligned(bar.maxY, lineWidth: w)
        b.strokePolyline([Point(l, t), Point(r, t), Point(r, bo), Point(l, bo), Point(l, t)],
                         style: StrokeStyle(width: w, cap: .square), color: Palette.ink)
        let major = theme.tickLength * s, gap = 0.8 * theme.padding * s
        var widest = 0.0
        for (v, label) in zip(ticks.major, ticks.labels) { if let p = map.map(v) {
            let y = pixelAligned(p, lineWidth: w)
            b.strokePolyline([Point(r, y), Point(r + major, y)], style: StrokeStyle(width: w), color: Palette.ink)
            b.drawText(label, at: Point(r + major + gap, p), size: layout.tickSize, color: Palette.ink,
                       alignment: .left, baseline: .middle, angle: 0)
            widest = max(widest, b.measureText(label, size: layout.tickSize).width)
        } }
        if let label = h.label {
            b.drawText(label, at: Point(r + major + gap + widest + theme.padding * s, bar.center.y), size: layout.labelSize,
                       color: Palette.ink, alignment: .center, baseline: .top, angle: .pi / 2)
        }
    }
}
