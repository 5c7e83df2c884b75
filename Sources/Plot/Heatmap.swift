import Raster

/// A grid of values drawn as coloured cells with a colorbar.
///
/// Cells are evenly spaced in data units between `x` and `y` (the edges of the outer cells); put the
/// heatmap on linear axes. `values[row * columns + column]`, row 0 at the bottom (smallest y).
/// NaN cells are left white.
public struct Heatmap: Sendable {
    public enum ColorScale: Sendable, Hashable { case linear, log }

    public var values: [Double]
    public var columns: Int
    public var rows: Int
    public var x: ClosedRange<Double>
    public var y: ClosedRange<Double>
    public var colormap: Colormap = .viridis
    public var colorScale: ColorScale = .linear
    /// Colour limits in data units; nil takes the finite (and, for log, positive) minimum and maximum.
    public var colorRange: ClosedRange<Double>?
    /// Colorbar label.
    public var label: String?

    public init(values: [Double], columns: Int, rows: Int, x: ClosedRange<Double>, y: ClosedRange<Double>,
                colorScale: ColorScale = .linear, label: String? = nil) {
        precondition(values.count == columns * rows, "Heatmap: \(values.count) values do not make \(columns)x\(rows) cells")
        self.values = values
        self.columns = columns
        self.rows = rows
        self.x = x
        self.y = y
        self.colorScale = colorScale
        self.label = label
    }

    var scale: Scale { colorScale == .log ? .log : .linear }

    /// The colour limits in use.
    public var resolvedColorRange: ClosedRange<Double> {
        if let r = colorRange { return r }
        let usable = values.filter { $0.isFinite && (colorScale == .linear || $0 > 0) }
        guard let lo = usable.min(), let hi = usable.max() else { return colorScale == .log ? 1...10 : 0...1 }
        if hi <= lo { return colorScale == .log ? (lo / 10)...(hi * 10) : (lo - 1)...(hi + 1) }
        return lo...hi
    }

    /// The field handed to the raster layer: transformed values (log10 for a log colour scale),
    /// rows flipped so row 0 is the top.
    func field() -> (ScalarField, ClosedRange<Double>) {
        let r = resolvedColorRange
        var out = [Double](repeating: .nan, count: values.count)
        for row in 0..<rows {
            for c in 0..<columns {
                out[(rows - 1 - row) * columns + c] = scale.transform(values[row * columns + c]) ?? .nan
            }
        }
        let t0 = scale.transform(r.lowerBound) ?? 0, t1 = scale.transform(r.upperBound) ?? 1
        return (ScalarField(width: columns, height: rows, values: out), t0...t1)
    }
}
