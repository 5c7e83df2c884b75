import Foundation
import Plot
import Raster

/// Small deterministic figures, one per element kind, shared by the layout and golden tests.
enum Scenes {
    static let xs = (0...60).map { Double($0) * 5 }

    /// Line, step, scatter, band, horizontal and vertical reference lines, an annotation, a legend.
    static func lines() -> Figure {
        var a = Axes(title: "Series kinds", xLabel: "step", yLabel: "value")
        let mean = xs.map { 2 + sin($0 / 40) }
        a.add(.band(x: xs, lower: mean.map { $0 - 0.3 }, upper: mean.map { $0 + 0.3 }, label: "mean ± sd", color: Palette.color(0)))
        a.add(.line(x: xs, y: mean, label: "mean", color: Palette.color(0)))
        a.add(.step(x: xs.enumerated().filter { $0.offset % 6 == 0 }.map(\.element),
                    y: xs.enumerated().filter { $0.offset % 6 == 0 }.map { 0.5 + Double($0.offset / 6) * 0.1 },
                    label: "step", color: Palette.color(1)))
        a.add(.scatter(x: [20, 80, 140, 200, 260], y: [3.4, 3.1, 2.6, 1.2, 1.0], label: "points", color: Palette.color(2)))
        a.add(.horizontal(3.0, label: "threshold"))
        a.add(.vertical(150, color: Palette.color(3), dash: [2, 3]))
        a.add(.annotation(x: 150, y: mean[30], text: "crossing", color: Palette.color(3)))
        return Figure(a, width: 640, height: 400)
    }

    /// Log y across many decades, log x, minor ticks, a dashed threshold, NaN gaps.
    static func logAxes() -> Figure {
        var a = Axes(title: "Log axes", xLabel: "step", yLabel: "loss", xScale: .log, yScale: .log)
        let x = (1...400).map(Double.init)
        var y = x.map { 3 * pow($0, -1.5) + 1e-4 }
        for i in 100..<120 { y[i] = .nan }
        a.add(.line(x: x, y: y, label: "train"))
        a.add(.line(x: x, y: x.map { 5 * pow($0, -1.2) + 1e-3 }, label: "test", dash: [5, 3]))
        a.add(.horizontal(1e-3, label: "floor"))
        return Figure(a, width: 640, height: 400)
    }

    /// A heatmap with a log colour scale and its colorbar, a line on top.
    static func heatmap() -> Figure {
        let cols = 40, rows = 30
        var v = [Double]()
        for r in 0..<rows { for c in 0..<cols {
            let y = Double(r) / Double(rows - 1) * 10, x = Double(c)
            v.append(exp(-pow(y - 2 - x / 10, 2)) + 1e-3)
        } }
        var h = Heatmap(values: v, columns: cols, rows: rows, x: 0...40, y: 0...10, colorScale: .log, label: "density")
        h.colorRange = 1e-3...1
        var a = Axes(title: "Heatmap", xLabel: "step", yLabel: "eigenvalue")
        a.heatmap = h
        a.add(.line(x: [0, 40], y: [2, 6], label: "λ_max", color: .white))
        a.add(.horizontal(8, label: "2/η", color: Palette.color(1)))
        return Figure(a, width: 640, height: 400)
    }

    /// Two by two panels: linear, symlog, a single point, and an empty axes.
    static func grid() -> Figure {
        var a = Axes(title: "linear", xLabel: "x", yLabel: "y")
        a.add(.line(x: [0, 1, 2, 3], y: [1e6, 3e6, 2e6, 4e6]))
        var b = Axes(title: "symlog", xLabel: "x", yLabel: "y", yScale: .symlog(threshold: 1))
        b.add(.line(x: (0...40).map(Double.init), y: (0...40).map { pow(Double($0) - 20, 3) }))
        var c = Axes(title: "one point", xLabel: "x", yLabel: "y")
        c.add(.scatter(x: [5], y: [5]))
        var d = Axes(title: "tiny values", xLabel: "x", yLabel: "y")
        d.add(.line(x: [0, 1, 2], y: [1.2e-6, 3.5e-6, 2e-6], label: "tiny"))
        return Figure(width: 800, height: 600, rows: 2, columns: 2, panels: [a, b, c, d], title: "Grid of panels")
    }

    static let all: [(String, Figure)] = [("lines", lines()), ("log-axes", logAxes()), ("heatmap", heatmap()), ("grid", grid())]
}
