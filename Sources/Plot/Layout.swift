import Raster

/// Where everything of one panel goes, in canvas pixels (y down). Computed from measured text so that tick
/// labels, axis labels, the title and the colorbar fit inside the panel's cell.
public struct PanelLayout: Sendable {
    /// The data area (inside the frame).
    public var plot: Rect
    public var x: AxisMapping
    public var y: AxisMapping
    public var xTicks: Ticks
    public var yTicks: Ticks
    /// The colorbar's bar, its value mapping (bottom to top) and ticks, when the panel has a heatmap.
    public var colorbar: Rect?
    public var colorMapping: AxisMapping?
    public var colorTicks: Ticks?
    /// Text sizes in pixels (scale applied).
    public var tickSize: Double
    public var labelSize: Double
    public var titleSize: Double
    public var subtitleSize: Double
    /// The subtitle as drawn: broken after "; " into lines that fit the panel's cell (one line when it fits).
    public var subtitleLines: [String] = []
}

enum Layout {
    /// Lays out `axes` in `cell` (canvas pixels). `s` is the figure's scale factor.
    static func panel<B: DrawingBackend>(_ axes: Axes, in cell: Rect, theme: Theme, scale s: Double, measure: B) -> PanelLayout {
        let limits = axes.resolvedLimits()
        let tickSize = theme.tickLabelSize * s, labelSize = theme.axisLabelSize * s, titleSize = theme.titleSize * s
        let pad = theme.padding * s, tickLen = theme.tickLength * s
        let digit = measure.measureText("0", size: tickSize)
        let tickH = digit.ascent + digit.descent
        let labelM = measure.measureText("Ag", size: labelSize)
        let labelH = labelM.ascent + labelM.descent
        let titleM = measure.measureText("Ag", size: titleSize)
        let titleH = titleM.ascent + titleM.descent
        let subtitleSize = theme.subtitleSize * s
        let subtitleM = measure.measureText("Ag", size: subtitleSize)
        let subtitleH = subtitleM.ascent + subtitleM.descent
        let colorScale = axes.heatmap?.scale
        let colorRange = axes.heatmap?.resolvedColorRange

        var plot = Rect(x: cell.minX + 60 * s, y: cell.minY + 20 * s,
                        width: max(cell.width - 80 * s, 10), height: max(cell.height - 60 * s, 10))
        var result: PanelLayout!
        for _ in 0..<3 {
            // The subtitle is centred on the data area: its lines fit the cell on both sides of that centre.
            let halfRoom = min(plot.center.x - cell.minX, cell.maxX - plot.center.x) - theme.padding * s
            let subtitleLines = axes.subtitle.map { wrap($0, width: 2 * halfRoom, size: subtitleSize, measure: measure) } ?? []
            let xMap = AxisMapping(scale: axes.xScale, limits: limits.x, pixels: (plot.minX, plot.maxX))
            let yMap = AxisMapping(scale: axes.yScale, limits: limits.y, pixels: (plot.maxY, plot.minY))
            let yMax = max(2, min(9, Int(plot.height / (2.6 * tickH))))
            let yTicks = axes.yCategories.map { Ticks(major: $0.map(\.value), labels: $0.map(\.label), minor: []) }
                ?? TickLocator.ticks(limits.y, scale: axes.yScale, maxMajor: yMax)
            var xTicks = axes.xCategories.map { Ticks(major: $0.map(\.value), labels: $0.map(\.label), minor: []) }
                ?? fittingXTicks(limits.x, scale: axes.xScale, mapping: xMap, size: tickSize, pad: pad, measure: measure)
            if axes.integerX { xTicks = xTicks.integersOnly() }
            let yLabelW = yTicks.labels.map { measure.measureText($0, size: tickSize).width }.max() ?? 0

            var left = pad + yLabelW + 0.8 * pad + tickLen
            if axes.yLabel != nil { left += labelH + pad }
            var bottom = tickLen + 0.8 * pad + tickH + pad
            if axes.xLabel != nil { bottom += labelH + 0.5 * pad }
            var top = pad + (axes.title != nil ? titleH + pad : 0)
            if !subtitleLines.isEmpty {
                top += Double(subtitleLines.count) * subtitleH + Double(subtitleLines.count - 1) * 0.25 * pad + (axes.title != nil ? 0.5 * pad : pad)
            }
            if axes.title == nil && axes.subtitle == nil { top += tickH / 2 }
            var right = pad
            if let last = xTicks.labels.last, let v = xTicks.major.last, let px = xMap.map(v) {
                let overhang = px + measure.measureText(last, size: tickSize).width / 2 - plot.maxX
                right = max(right, overhang + pad)
            }
            if axes.legend == .right {
                let legend = Legend(entries: axes.resolvedSeries().compactMap(LegendEntry.init), size: theme.legendSize * s, scale: s)
                if !legend.entries.isEmpty { right = max(right, Legend.outsideGap(legend.size) + legend.boxSize(measure).width + pad) }
            }
            var colorbar: Rect?, cMap: AxisMapping?, cTicks: Ticks?
            if let cs = colorScale, let cr = colorRange {
                let bar = theme.colorbarWidth * s, gap = 2.2 * pad
                let cMax = max(2, min(8, Int(plot.height / (2.6 * tickH))))
                let ticks = TickLocator.ticks(cr, scale: cs, maxMajor: cMax)
                let w = ticks.labels.map { measure.measureText($0, size: tickSize).width }.max() ?? 0
                var extra = gap + bar + tickLen + 0.8 * pad + w + pad
                if axes.heatmap?.label != nil { extra += labelH + pad }
                right = max(right, extra)
                colorbar = Rect(x: plot.maxX + gap, y: plot.minY, width: bar, height: plot.height)
                cMap = AxisMapping(scale: cs, limits: cr, pixels: (plot.maxY, plot.minY))
                cTicks = ticks
            }
            result = PanelLayout(plot: plot, x: xMap, y: yMap, xTicks: xTicks, yTicks: yTicks,
                                 colorbar: colorbar, colorMapping: cMap, colorTicks: cTicks,
                                 tickSize: tickSize, labelSize: labelSize, titleSize: titleSize, subtitleSize: subtitleSize,
                                 subtitleLines: subtitleLines)
            let next = Rect(x: (cell.minX + left).rounded(), y: (cell.minY + top).rounded(),
                            width: max(10, (cell.width - left - right).rounded()),
                            height: max(10, (cell.height - top - bottom).rounded()))
            if next == plot { break }
            plot = next
        }
        return result
    }

    /// `text` in lines no wider than `width`: broken after its "; " separators where the parts fit (as
    /// many per line as fit), and between words inside a part that is wider on its own. A single word
    /// wider than `width` keeps a line to itself.
    static func wrap<B: DrawingBackend>(_ text: String, width: Double, size: Double, measure: B) -> [String] {
        func fits(_ line: String) -> Bool { measure.measureText(line, size: size).width <= width }
        guard !fits(text) else { return [text] }
        func greedy(_ pieces: [String], separator: String) -> [String] {
            var lines: [String] = []
            for piece in pieces {
                if let last = lines.last, fits(last + separator + piece) { lines[lines.count - 1] = last + separator + piece }
                else { lines.append(piece) }
            }
            return lines
        }
        let parts = text.components(separatedBy: "; ")
        let lines = greedy(parts, separator: "; ")
        return lines.flatMap { fits($0) ? [$0] : greedy($0.components(separatedBy: " "), separator: " ") }
    }

    /// X ticks whose labels do not collide: starts from about one tick per 70 px and lowers the count until
    /// neighbouring labels keep a gap of at least `pad`.
    static func fittingXTicks<B: DrawingBackend>(_ limits: ClosedRange<Double>, scale: Scale, mapping: AxisMapping,
                                                 size: Double, pad: Double, measure: B) -> Ticks {
        var maxMajor = max(2, min(10, Int((mapping.pixels.1 - mapping.pixels.0) / (5.5 * size))))
        while true {
            let t = TickLocator.ticks(limits, scale: scale, maxMajor: maxMajor)
            let spans: [(Double, Double)] = zip(t.major, t.labels).compactMap { v, label in
                guard let p = mapping.map(v) else { return nil }
                let w = measure.measureText(label, size: size).width
                return (p - w / 2, p + w / 2)
            }
            let fits = zip(spans, spans.dropFirst()).allSatisfy { $0.1 + 1.5 * pad <= $1.0 }
            if fits || maxMajor <= 2 { return t }
            maxMajor -= 1
        }
    }
}
