import Foundation
import Testing
@testable import Raster

@Suite("Coverage against exact areas")
struct CoverageTests {
    @Test("axis-aligned rectangle at fractional coordinates: every pixel's coverage is its exact overlap")
    func fractionalRectangle() {
        let r = Rect(x: 3.3, y: 2.75, width: 10.45, height: 6.2)
        let grid = coverageGrid(.rect(r), width: 20, height: 12)
        var worst: Float = 0
        for y in 0..<12 {
            for x in 0..<20 {
                let ox = max(0, min(Double(x + 1), r.maxX) - max(Double(x), r.minX))
                let oy = max(0, min(Double(y + 1), r.maxY) - max(Double(y), r.minY))
                worst = max(worst, abs(grid[y * 20 + x] - Float(ox * oy)))
            }
        }
        let total = grid.reduce(0, +)
        print("rectangle: expected area \(r.width * r.height), observed \(total), worst pixel error \(worst)")
        #expect(worst < 1e-5)
        #expect(abs(Double(total) - r.width * r.height) < 1e-3)
    }

    @Test("the same rectangle drawn on a canvas keeps its area within 8-bit rounding")
    func rectangleOnCanvas() {
        var canvas = Canvas(width: 40, height: 30)
        let r = Rect(x: 5.2, y: 7.9, width: 20.35, height: 11.6)
        canvas.fill(r, color: .black)
        let observed = ink(canvas)
        print("canvas rectangle: expected \(r.width * r.height), observed \(observed)")
        #expect(abs(observed - r.width * r.height) < 0.5)
        #expect(canvas.pixel(10, 12) == Pixel(r: 0, g: 0, b: 0, a: 255))
        #expect(canvas.pixel(5, 12).a == UInt8((0.8 * 255).rounded()))
    }

    @Test("circle area within 0.5% of pi r^2", arguments: [3.0, 7.3, 25.0, 80.5])
    func circleArea(radius: Double) {
        let size = Int(2 * radius + 4)
        let grid = coverageGrid(.circle(center: Point(radius + 1.7, radius + 2.1), radius: radius), width: size, height: size)
        let observed = Double(grid.reduce(0, +))
        let expected = Double.pi * radius * radius
        print("circle r=\(radius): expected \(expected), observed \(observed), relative error \(relativeError(observed, expected))")
        #expect(relativeError(observed, expected) < 0.005)
    }

    @Test("a shape partly outside the grid keeps the exact area of its visible part")
    func clippedByRegion() {
        // Square from (-5, -3) to (5, 7) on a 6x6 grid: visible part 5 x 6 minus nothing = 30... capped at 6 rows.
        let grid = coverageGrid(.rect(Rect(x: -5.5, y: -3.25, width: 10, height: 10)), width: 6, height: 6)
        let observed = Double(grid.reduce(0, +))
        #expect(abs(observed - 4.5 * 6) < 1e-4, "observed \(observed)")
        // A triangle crossing the left and right edges diagonally.
        var tri = Path()
        tri.addPolygon([Point(-4, 0), Point(10, 1), Point(-2, 6)])
        let inside = coverageGrid(tri, width: 6, height: 6)
        // Reference: the same triangle on a wide grid, summed over columns 4...9 of it.
        let wide = coverageGrid(tri.transformed(by: .translation(10, 0)), width: 30, height: 6)
        var reference: Float = 0
        for y in 0..<6 { for x in 10..<16 { reference += wide[y * 30 + x] } }
        #expect(abs(inside.reduce(0, +) - reference) < 1e-4)
    }

    @Test("nonzero keeps overlaps filled, even-odd cuts holes")
    func fillRules() {
        var p = Path()
        p.addRect(Rect(x: 1, y: 1, width: 8, height: 8))
        p.addRect(Rect(x: 3, y: 3, width: 4, height: 4))  // same orientation
        let nonzero = coverageGrid(p, width: 10, height: 10, rule: .nonZero)
        let evenodd = coverageGrid(p, width: 10, height: 10, rule: .evenOdd)
        #expect(abs(nonzero.reduce(0, +) - 64) < 1e-4)
        #expect(abs(evenodd.reduce(0, +) - 48) < 1e-4)
        #expect(evenodd[5 * 10 + 5] == 0)
        #expect(nonzero[5 * 10 + 5] == 1)
    }

    @Test("coverage does not depend on the direction an outline is drawn")
    func orientation() {
        let cw = coverageGrid(.circle(center: Point(8.3, 8.6), radius: 6), width: 17, height: 17)
        let ccw = coverageGrid(.circle(center: Point(8.3, 8.6), radius: 6).transformed(by: Transform(a: 1, b: 0, c: 0, d: -1, tx: 0, ty: 17.2)), width: 17, height: 17)
        #expect(abs(cw.reduce(0, +) - ccw.reduce(0, +)) < 1e-3)
    }

    @Test("the clip rectangle limits drawing to its pixels")
    func clipRect() {
        var canvas = Canvas(width: 20, height: 20)
        canvas.withClip(PixelRect(x: 5, y: 5, width: 10, height: 10)) { c in
            c.fill(Rect(x: 0, y: 0, width: 20, height: 20), color: .black)
        }
        #expect(abs(ink(canvas) - 100) < 1e-9)
        #expect(canvas.pixel(4, 10).a == 0 && canvas.pixel(5, 10).a == 255 && canvas.pixel(15, 10).a == 0)
        #expect(canvas.clip == canvas.bounds)
    }

    @Test("source-over blending of premultiplied colours")
    func blending() {
        var canvas = Canvas(width: 4, height: 4, background: .white)
        canvas.fill(Rect(x: 0, y: 0, width: 4, height: 4), color: Color(red: 1, green: 0, blue: 0, alpha: 0.5))
        // alpha 0.5 quantizes to 128/255, so white keeps 255 * (1 - 128/255) = 127.
        #expect(canvas.pixel(1, 1) == Pixel(r: 255, g: 127, b: 127, a: 255))
        var clear = Canvas(width: 2, height: 2)
        clear.fill(Rect(x: 0, y: 0, width: 2, height: 2), color: Color(red: 0, green: 0, blue: 1, alpha: 0.5))
        #expect(clear.pixel(0, 0) == Pixel(r: 0, g: 0, b: 128, a: 128))
        #expect(clear.image.bytes[0..<4] == [0, 0, 255, 128])
    }
}
