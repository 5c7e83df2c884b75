import Foundation
import Plot
import Raster
import Sweep

/// What colours a stability grid's cells.
public enum GridColor: String, CaseIterable, Sendable {
    /// diverged / stalled / spiky / stable (docs/sweeps.md, "Outcomes"); each cell also shows max lr·λ_max
    /// over the threshold.
    case outcome
    case finalLoss = "final_loss"
    case initialLambdaMax = "initial_lambda_max"
    case maxLRLambda = "max_lr_lambda"
    case maxThresholdRatio = "max_threshold_ratio"
    case firstCrossing = "first_crossing"

    /// The number this colour reads from a point's result (nil for `outcome`, and where the run has none).
    func value(_ r: PointResult) -> Double? {
        switch self {
        case .outcome: return nil
        case .finalLoss: return r.finalLoss
        case .initialLambdaMax: return r.initialLambdaMax
        case .maxLRLambda: return r.maxLRLambda
        case .maxThresholdRatio: return r.maxThresholdRatio
        case .firstCrossing: return r.firstCrossingStep.map(Double.init)
        }
    }

    var title: String {
        switch self {
        case .outcome: return "outcome"
        case .finalLoss: return "final loss"
        case .initialLambdaMax: return "λ_max at the first measurement"
        case .maxLRLambda: return "max lr·λ_max"
        case .maxThresholdRatio: return "max lr·λ_max / threshold"
        case .firstCrossing: return "step of the first threshold crossing"
        }
    }
}

/// `grid`: a sweep folder's points as a grid of cells, one axis of the sweep across, one up (the
/// others fixed with `where`); each cell coloured by the point's outcome or by a number from its
/// run. Reads `DIR/index.json` (curv-sweep).
enum GridFigure {
    static let colors: [Outcome: Color] = [.stable: Color(hex: 0x4A9A5B), .spiky: Color(hex: 0xE8A33D), .diverged: Color(hex: 0xC8413B),
                                           .stalled: Color(hex: 0x7E74B4)]
    static let notRecorded = Color(hex: 0xD9D9D9), failed = Color(hex: 0x6E6E6E)

    static func axes(folder: String, options: FigureOptions) throws -> Axes {
        let index = try SweepIndex.read(folder: folder)
        let names = index.axes.map(\.name)
        func axisIndex(_ name: String, _ option: String) throws -> Int {
            guard let i = names.firstIndex(of: name) ?? names.firstIndex(where: { $0.split(separator: ".").last.map(String.init) == name }) else {
                throw FigureError("grid: \(option) \(name): \(folder) has no such axis; its axes are \(names.joined(separator: ", "))")
            }
            return i
        }
        let xi = try options.gridX.map { try axisIndex($0, "--x") } ?? 0
        let yi = try options.gridY.map { try axisIndex($0, "--y") } ?? (names.count > 1 ? (xi == 0 ? 1 : 0) : nil)
        if let yi, yi == xi { throw FigureError("grid: --x and --y name the same axis (\(names[xi]))") }
        // Every other axis is held at one value.
        var fixed: [Int: Int] = [:]
        for (key, label) in options.gridWhere {
            let a = try axisIndex(key, "--where")
            guard a != xi && a != yi else { throw FigureError("grid: --where \(key) is drawn on an axis of the figure; fix only the other axes") }
            guard let v = index.axes[a].labels.firstIndex(of: label) else {
                throw FigureError("grid: --where \(key)=\(label): not a value of \(names[a]) (its values: \(index.axes[a].labels.joined(separator: ", ")))")
            }
            fixed[a] = v
        }
        for a in names.indices where a != xi && a != yi && fixed[a] == nil {
            if index.axes[a].labels.count == 1 { fixed[a] = 0; continue }
            throw FigureError("grid: \(folder) has a third axis, \(names[a]); draw one slice with --where \(names[a])=VALUE (values: \(index.axes[a].labels.joined(separator: ", ")))")
        }

        let xs = index.axes[xi].labels, ys = yi.map { index.axes[$0].labels } ?? [""]
        var cells = [[SweepIndex.Point?]](repeating: [SweepIndex.Point?](repeating: nil, count: xs.count), count: ys.count)
        for p in index.points where fixed.allSatisfy({ p.coordinates[$0.key] == $0.value }) {
            cells[yi.map { p.coordinates[$0] } ?? 0][p.coordinates[xi]] = p
        }

        var a = Axes(title: "Stability grid: \(index.sweep)", xLabel: names[xi], yLabel: yi.map { names[$0] })
        a.grid = false
        a.xLimits = 0...Double(xs.count)
        a.yLimits = 0...Double(ys.count)
        a.xCategories = xs.enumerated().map { (Double($0.offset) + 0.5, $0.element) }
        a.yCategories = ys.enumerated().map { (Double($0.offset) + 0.5, $0.element) }
        let slice = fixed.keys.sorted().filter { index.axes[$0].labels.count > 1 }.map { "\(names[$0]) = \(index.axes[$0].labels[fixed[$0]!])" }
        let recorded = index.points.filter { $0.status == .done }.count
        let total = index.axes.reduce(1) { $0 * $1.labels.count }
        var subtitle = "\(recorded) of \(total) points recorded" + (slice.isEmpty ? "" : "; " + slice.joined(separator: ", "))

        if options.gridColor == .outcome {
            subtitle += "; number: max lr·λ_max / threshold"
            var labelled = Set<String>()
            for (r, row) in cells.enumerated() {
                for (c, point) in row.enumerated() {
                    let (color, name) = cellColor(point)
                    var band = Series.band(x: [Double(c), Double(c + 1)], lower: [Double(r), Double(r)],
                                           upper: [Double(r + 1), Double(r + 1)], color: color, opacity: 1)
                    if labelled.insert(name).inserted { band.label = name }
                    a.add(band)
                    if let ratio = point?.result?.maxThresholdRatio {
                        a.add(.text(x: Double(c) + 0.5, y: Double(r) + 0.5, String(format: "%.3g", ratio),
                                    color: [.stable, .stalled].contains(point?.result?.outcome) ? .white : Palette.ink))
                    }
                }
            }
            // Legend rows in a fixed order, whichever cell came first.
            let order = ["stable", "spiky", "stalled", "diverged", "failed", "not recorded"]
            a.series.sort { (order.firstIndex(of: $0.label ?? "") ?? 99) < (order.firstIndex(of: $1.label ?? "") ?? 99) }
            a.legend = .right
        } else {
            let metric = options.gridColor
            var values = [Double](repeating: .nan, count: xs.count * ys.count)
            for (r, row) in cells.enumerated() {
                for (c, point) in row.enumerated() { values[r * xs.count + c] = point?.result.flatMap(metric.value) ?? .nan }
            }
            let finite = values.filter(\.isFinite)
            let logScale = metric != .firstCrossing && finite.allSatisfy { $0 > 0 } && (finite.max() ?? 1) > 30 * (finite.min() ?? 1)
            var h = Heatmap(values: values, columns: xs.count, rows: ys.count, x: 0...Double(xs.count), y: 0...Double(ys.count),
                            colorScale: logScale ? .log : .linear, label: metric.title)
            h.colormap = .viridis
            // Each cell's number, white on the dark lower part of viridis.
            let range = h.resolvedColorRange
            let place = { (v: Double) -> Double in
                logScale ? log10(v / range.lowerBound) / log10(range.upperBound / range.lowerBound)
                    : (v - range.lowerBound) / (range.upperBound - range.lowerBound)
            }
            for (r, row) in cells.enumerated() {
                for (c, point) in row.enumerated() {
                    guard let result = point?.result else { continue }
                    let v = values[r * xs.count + c]
                    let text = v.isFinite ? (metric == .firstCrossing ? String(Int(v)) : String(format: "%.3g", v)) : "none"
                    let color = v.isFinite && place(v) < 0.6 ? Color.white : Palette.ink
                    // A diverged point says so on a second line, so that the text stays inside its cell.
                    let diverged = result.outcome == .diverged
                    a.add(.text(x: Double(c) + 0.5, y: Double(r) + (diverged ? 0.62 : 0.5), text, color: color))
                    if diverged { a.add(.text(x: Double(c) + 0.5, y: Double(r) + 0.38, "diverged", color: color)) }
                }
            }
            a.heatmap = h
            a.legend = .none
            subtitle += "; colour: \(metric.title) (white: none)"
        }
        a.subtitle = subtitle
        return a
    }

    /// A cell's colour and legend name.
    static func cellColor(_ point: SweepIndex.Point?) -> (Color, String) {
        guard let point else { return (notRecorded, "not recorded") }
        switch point.status {
        case .done:
            guard let result = point.result else { return (failed, "failed") }
            return (colors[result.outcome]!, result.outcome.rawValue)
        case .failed: return (failed, "failed")
        case .pending: return (notRecorded, "not recorded")
        }
    }
}
