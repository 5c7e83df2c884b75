import Foundation
@testable import Raster

/// Scenes rendered by the golden tests. Each exercises one area; keep them small so goldens stay reviewable.
enum Scenes {
    /// Joins, caps, miter limit, dashes, hairlines, curves, fill rules.
    static func strokes() -> Canvas {
        var c = Canvas(width: 360, height: 240, background: .white)
        let zig = [Point(0, 30), Point(25, 0), Point(50, 30), Point(70, 5)]
        for (k, join) in [LineJoin.miter, .round, .bevel].enumerated() {
            let pts = zig.map { $0 + Point(15 + Double(k) * 85, 15) }
            c.stroke(.polyline(pts), style: StrokeStyle(width: 9, join: join), color: Color(hex: 0x1F77B4))
            c.stroke(.polyline(pts), style: StrokeStyle(width: 1), color: .black)
        }
        for (k, cap) in [LineCap.butt, .round, .square].enumerated() {
            let y = 75.5 + Double(k) * 18
            c.stroke(.line(from: Point(30, y), to: Point(120, y)), style: StrokeStyle(width: 10, cap: cap), color: Color(hex: 0xFF7F0E))
            c.stroke(.line(from: Point(30, y), to: Point(120, y)), style: StrokeStyle(width: 1), color: .black)
        }
        // A sharp spike under two miter limits.
        c.stroke(.polyline([Point(150, 70), Point(200, 85), Point(150, 100)]), style: StrokeStyle(width: 6, miterLimit: 10), color: .black)
        c.stroke(.polyline([Point(215, 70), Point(265, 85), Point(215, 100)]), style: StrokeStyle(width: 6, miterLimit: 2), color: .black)
        // Dashes on a curve and a circle.
        var curve = Path()
        curve.move(to: Point(280, 70))
        curve.cubic(to: Point(350, 110), control1: Point(360, 40), control2: Point(270, 140))
        c.stroke(curve, style: StrokeStyle(width: 2, cap: .round, dash: [8, 5]), color: Color(hex: 0x2CA02C))
        c.stroke(.circle(center: Point(310, 170), radius: 30), style: StrokeStyle(width: 1.5, dash: [4, 3, 1, 3]), color: Color(hex: 0xD62728))
        // Hairlines at pixel centres next to hairlines between pixels, and a diagonal.
        for k in 0..<5 {
            let y = pixelAligned(135 + Double(k) * 5)
            c.stroke(.line(from: Point(20, y), to: Point(120, y)), color: .black)
            c.stroke(.line(from: Point(20, y + 2.5), to: Point(120, y + 2.5)), color: .gray)
        }
        c.stroke(.line(from: Point(20, 225), to: Point(130, 165)), style: StrokeStyle(width: 1), color: .black)
        // Fill rules on a five-pointed star, with a translucent overlap.
        var star = Path()
        var pts: [Point] = []
        for k in 0..<5 {
            let a = -Double.pi / 2 + Double(k) * 4 * .pi / 5
            pts.append(Point(cos(a) * 32, sin(a) * 32))
        }
        star.addPolygon(pts)
        c.fill(star, color: Color(hex: 0x9467BD), rule: .nonZero, transform: .translation(170, 175))
        c.fill(star, color: Color(hex: 0x9467BD), rule: .evenOdd, transform: .translation(245, 175))
        c.fill(.circle(center: Point(195, 205), radius: 18), color: Color(red: 1, green: 0.8, blue: 0, alpha: 0.6))
        return c
    }

    /// Text at several sizes, Greek, minus and superscripts, kerning, alignment, rotation, a missing glyph.
    static func text() -> Canvas {
        var c = Canvas(width: 560, height: 300, background: .white)
        var y = 22.0
        for size in [8.0, 10, 12, 16, 24] {
            c.drawText("Sharpness λ ≈ 2/η at step 10⁴ (−3.5 ± 0.2)", at: Point(40, y), style: TextStyle(size: size))
            y += size * 1.45 + 4
        }
        c.drawText("AVATAR Wave To Ty VA", at: Point(40, y + 20), style: TextStyle(size: 30, color: Color(hex: 0x1F77B4)))
        c.drawText("αβγδεηθκλμνπρστφψω ΔΣΩ ×10⁻³", at: Point(40, y + 50), style: TextStyle(size: 14))
        // Alignment marks: a cross at each anchor.
        let anchors: [(TextAlignment, TextBaseline, Point)] = [
            (.left, .top, Point(250, 220)), (.center, .middle, Point(330, 245)), (.right, .bottom, Point(420, 280)),
        ]
        for (align, base, p) in anchors {
            c.stroke(MarkerShape.plus.path(center: p, size: 8), color: .red)
            c.drawText("Ag \(align)", at: p, style: TextStyle(size: 13), alignment: align, baseline: base)
        }
        // Y-axis label reading bottom to top, and a label reading top to bottom, centred on their anchors.
        c.drawText("loss (log scale)", at: Point(16, 200), style: TextStyle(size: 13), alignment: .center, baseline: .middle, angle: .pi / 2)
        c.drawText("rotated −90°", at: Point(228, 250), style: TextStyle(size: 11), alignment: .center, baseline: .middle, angle: -.pi / 2)
        c.drawText("Missing: 漢 → box", at: Point(40, 285), style: TextStyle(size: 14, color: Color(hex: 0xD62728)))
        return c
    }

    /// A scalar field through a colormap, nearest and bilinear, and an RGBA image with alpha.
    static func heatmap() -> Canvas {
        var c = Canvas(width: 300, height: 140, background: .white)
        let n = 12
        var values: [Double] = []
        for j in 0..<n {
            for i in 0..<n {
                let x = Double(i) / Double(n - 1) * 2 - 1, y = Double(j) / Double(n - 1) * 2 - 1
                values.append(exp(-3 * (x * x + y * y)) + 0.3 * x)
            }
        }
        values[5] = .nan
        let field = ScalarField(width: n, height: n, values: values)
        let map = Colormap(stops: [Color(hex: 0x440154), Color(hex: 0x3B528B), Color(hex: 0x21918C),
                                   Color(hex: 0x5EC962), Color(hex: 0xFDE725)], invalid: Color(hex: 0xFF00FF))
        c.drawScalarField(field, in: Rect(x: 10, y: 10, width: 120, height: 120), colormap: map, range: -0.3...1.3)
        c.drawScalarField(field, in: Rect(x: 140, y: 10, width: 120, height: 120), colormap: map, range: -0.3...1.3,
                          interpolation: .bilinear)
        var bytes: [UInt8] = []
        for j in 0..<4 {
            for i in 0..<4 { bytes += [UInt8(i * 80), UInt8(j * 80), 200, UInt8(255 - (i + j) * 25)] }
        }
        c.drawImage(RGBAImage(width: 4, height: 4, bytes: bytes), in: Rect(x: 268, y: 10, width: 24, height: 120))
        return c
    }

    /// Every marker shape, filled, edged and translucent.
    static func markers() -> Canvas {
        var c = Canvas(width: 260, height: 90, background: .white)
        for (k, shape) in MarkerShape.allCases.enumerated() {
            let x = 20 + Double(k) * 40
            c.drawMarker(at: Point(x, 20), style: MarkerStyle(shape: shape, size: 14, fill: Color(hex: 0x1F77B4)))
            c.drawMarker(at: Point(x, 48), style: MarkerStyle(shape: shape, size: 14, fill: Color(hex: 0xFF7F0E), edge: .black, lineWidth: 1.5))
            c.drawMarker(at: Point(x + 0.3, 74.6), style: MarkerStyle(shape: shape, size: 5, fill: .black))
        }
        return c
    }
}
