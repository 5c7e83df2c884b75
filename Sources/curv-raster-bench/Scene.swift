import Foundation
import Raster

/// The issue-6 benchmark scene, 1600x1000 px: a 10,000-point antialiased polyline, 200 markers, 50 labels.
/// scripts/bench-raster draws the same data with matplotlib (the formulas are repeated there: keep them in step).
struct Scene {
    static let width = 1600, height = 1000
    static let lineCount = 10_000, markerCount = 200, labelCount = 50

    let line: [Point]
    let markers: [(Point, MarkerShape)]
    let labels: [(Point, String)]

    init() {
        var pts: [Point] = []
        pts.reserveCapacity(Self.lineCount)
        for i in 0..<Self.lineCount {
            let t = Double(i) / Double(Self.lineCount - 1)
            let x = 100 + 1400 * t
            let y = 500 - 300 * sin(2 * .pi * 3 * t) * exp(-t) - 25 * sin(Double(i) * 1.7) * cos(Double(i) * 0.31)
            pts.append(Point(x, y))
        }
        line = pts
        let shapes: [MarkerShape] = [.circle, .square, .triangle, .diamond, .cross]
        markers = (0..<Self.markerCount).map { k in
            (Point(100 + 1400 * (Double(k) + 0.5) / Double(Self.markerCount), 500 + 250 * cos(Double(k) * 0.7)),
             shapes[k % shapes.count])
        }
        labels = (0..<Self.labelCount).map { k in
            (Point(120 + Double(k % 5) * 300, 60 + Double(k / 5) * 90), "label \(k): λ = 1.23×10⁻³")
        }
    }

    /// Draws everything onto a fresh canvas.
    func render() -> Canvas {
        var canvas = Canvas(width: Self.width, height: Self.height, background: .white)
        drawLine(&canvas)
        drawMarkers(&canvas)
        drawLabels(&canvas)
        return canvas
    }

    /// The same drawing, timed part by part with `time`.
    func timedSections(_ time: (() -> Void) -> Double) -> [(String, Double)] {
        var canvas = Canvas(width: 1, height: 1)
        let c = time { canvas = Canvas(width: Self.width, height: Self.height, background: .white) }
        let l = time { drawLine(&canvas) }
        let m = time { drawMarkers(&canvas) }
        let t = time { drawLabels(&canvas) }
        return [("canvas", c), ("line", l), ("markers", m), ("labels", t)]
    }

    func drawLine(_ canvas: inout Canvas) {
        canvas.stroke(polyline: line, style: StrokeStyle(width: 1.5, cap: .square, join: .round), color: Color(hex: 0x1F77B4))
    }

    func drawMarkers(_ canvas: inout Canvas) {
        for (p, shape) in markers {
            canvas.drawMarker(at: p, style: MarkerStyle(shape: shape, size: 8, fill: Color(hex: 0xFF7F0E), edge: .black, lineWidth: 1))
        }
    }

    func drawLabels(_ canvas: inout Canvas) {
        let style = TextStyle(size: 10 * 100 / 72)
        for (p, text) in labels { canvas.drawText(text, at: p, style: style) }
    }
}
