import Foundation
import Testing
@testable import Raster

@Suite("Strokes: ink equals geometry")
struct StrokeTests {
    @Test("a thin line's total ink equals length x width", arguments: [
        (Point(10.3, 20.7), Point(80.1, 20.7), 0.5),
        (Point(10.3, 20.7), Point(80.1, 63.2), 1.0),
        (Point(5.5, 90.2), Point(60.25, 7.75), 0.25),
        (Point(50, 10), Point(50.4, 90), 1.5),
    ])
    func lineInk(a: Point, b: Point, width: Double) {
        let observed = strokeInk(.line(from: a, to: b), StrokeStyle(width: width))
        let expected = (b - a).length * width
        print("line width \(width): expected ink \(expected), observed \(observed)")
        #expect(relativeError(observed, expected) < 1e-4)
    }

    @Test("caps add their exact areas")
    func caps() {
        let line = Path.line(from: Point(20, 30), to: Point(70, 60))
        let length = (Point(70, 60) - Point(20, 30)).length, w = 6.0
        let square = strokeInk(line, StrokeStyle(width: w, cap: .square))
        let round = strokeInk(line, StrokeStyle(width: w, cap: .round))
        #expect(relativeError(square, (length + w) * w) < 1e-4, "square \(square)")
        #expect(abs(round - (length * w + .pi * w * w / 4)) < 2.0 / 3 * strokeArcTolerance * .pi * w + 1e-3, "round \(round)")
    }

    @Test("joins: miter, bevel and round corners of a right angle")
    func joins() {
        let corner = Path.polyline([Point(10, 10), Point(50, 10), Point(50, 50)])
        let miter = strokeInk(corner, StrokeStyle(width: 4, join: .miter))
        let bevel = strokeInk(corner, StrokeStyle(width: 4, join: .bevel))
        let round = strokeInk(corner, StrokeStyle(width: 4, join: .round))
        print("right-angle corner ink: miter \(miter) bevel \(bevel) round \(round)")
        #expect(abs(miter - 320) < 0.01)
        #expect(abs(bevel - 318) < 0.01)
        // Round parts are chords within strokeArcTolerance of the arc: they lose at most 2/3 x tol x arc length.
        #expect(abs(round - (316 + .pi)) < 2.0 / 3 * strokeArcTolerance * .pi + 1e-3)
    }

    @Test("a miter sharper than the limit becomes a bevel")
    func miterLimit() {
        let spike = Path.polyline([Point(10, 50), Point(90, 45), Point(10, 40)])
        let limited = strokeInk(spike, StrokeStyle(width: 4, join: .miter, miterLimit: 4))
        let bevel = strokeInk(spike, StrokeStyle(width: 4, join: .bevel))
        let unlimited = strokeInk(spike, StrokeStyle(width: 4, join: .miter, miterLimit: 100))
        #expect(abs(limited - bevel) < 1e-6)
        #expect(unlimited > bevel + 10)
    }

    @Test("a closed rectangle strokes as a frame")
    func closedFrame() {
        let frame = strokeInk(.rect(Rect(x: 20, y: 20, width: 40, height: 30)), StrokeStyle(width: 2))
        #expect(abs(frame - (42 * 32 - 38 * 28)) < 0.01)
    }

    @Test("collinear points and a dense polyline add no ink of their own")
    func densePolyline() {
        var points: [Point] = []
        for i in 0...500 { points.append(Point(10 + Double(i) * 0.16, 40)) }
        let dense = strokeInk(.polyline(points), StrokeStyle(width: 1.5, join: .round))
        #expect(abs(dense - 80 * 1.5) < 0.01)
    }

    @Test("dashes keep only the on lengths")
    func dashes() {
        let line = Path.line(from: Point(10, 50), to: Point(90, 50))
        let dashed = strokeInk(line, StrokeStyle(width: 2, dash: [6, 4]))
        // 80 px = 8 periods of 10: 8 dashes of 6.
        #expect(abs(dashed - 8 * 6 * 2) < 0.01)
        let shifted = strokeInk(line, StrokeStyle(width: 2, dash: [6, 4], dashPhase: 3))
        // Starts 3 px into a dash: 3 + 7 x 6 + the last 5 px of on (pattern ends at 80 - 77 = 3 -> 3 on).
        #expect(abs(shifted - (3 + 7 * 6 + 3) * 2) < 0.01, "shifted \(shifted)")
        let dots = strokeInk(line, StrokeStyle(width: 2, cap: .round, dash: [0, 10]))
        #expect(abs(dots - 8 * .pi) < 8 * 2.0 / 3 * strokeArcTolerance * 2 * .pi + 1e-3, "dots \(dots)")
    }

    @Test("dashes run on around a closed path")
    func closedDashes() {
        // Perimeter 160 = 8 periods of [10 on, 10 off]; every dash starts on a corner or mid-edge, none bends.
        let square = Path.rect(Rect(x: 20, y: 20, width: 40, height: 40))
        #expect(abs(strokeInk(square, StrokeStyle(width: 2, dash: [10, 10])) - 8 * 10 * 2) < 0.01)
        // A dash bending round a right-angle corner with a miter join: the outer corner square it gains equals
        // the inner overlap it loses, so the ink is still length x width.
        let bent = strokeInk(square, StrokeStyle(width: 2, dash: [50, 110]))
        #expect(abs(bent - 50 * 2) < 0.01, "bent \(bent)")
    }

    @Test("a 1 px hairline at a pixel centre covers exactly one row or column")
    func crispHairline() {
        var canvas = Canvas(width: 40, height: 40, background: .white)
        canvas.stroke(.line(from: Point(2, pixelAligned(10.2)), to: Point(30, pixelAligned(10.2))), color: .black)
        canvas.stroke(.line(from: Point(pixelAligned(20.9), 15), to: Point(pixelAligned(20.9), 35)), color: .black)
        for x in 2..<30 {
            #expect(canvas.pixel(x, 10) == Pixel(r: 0, g: 0, b: 0, a: 255))
            #expect(canvas.pixel(x, 9) == Pixel(r: 255, g: 255, b: 255, a: 255))
            #expect(canvas.pixel(x, 11) == Pixel(r: 255, g: 255, b: 255, a: 255))
        }
        for y in 15..<35 {
            #expect(canvas.pixel(20, y).r == 0 && canvas.pixel(19, y).r == 255 && canvas.pixel(21, y).r == 255)
        }
        #expect(pixelAligned(10.2, lineWidth: 2) == 10)
    }

    @Test("a zero-length stroke draws a dot for round caps and nothing for butt caps")
    func zeroLength() {
        let p = Path.line(from: Point(30, 30), to: Point(30, 30))
        #expect(abs(strokeInk(p, StrokeStyle(width: 8, cap: .round)) - 16 * .pi) < 2.0 / 3 * strokeArcTolerance * 8 * .pi + 1e-3)
        #expect(strokeInk(p, StrokeStyle(width: 8, cap: .butt)) == 0)
    }
}
