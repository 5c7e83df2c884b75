import Foundation
import Testing
@testable import Raster

/// The accumulator's fast paths (steep single-column segments, block skipping in the sweep, exact clipping at
/// the region edges) against a plain reference: the area of the polygon clipped to each pixel square.
@Suite("Coverage against a per-pixel polygon clipping reference")
struct ReferenceTests {
    /// Area of a simple polygon inside the unit square at (px, py), by Sutherland-Hodgman clipping.
    static func clippedArea(_ polygon: [Point], _ px: Double, _ py: Double) -> Double {
        var poly = polygon
        let edges: [(Point) -> Double] = [{ $0.x - px }, { px + 1 - $0.x }, { $0.y - py }, { py + 1 - $0.y }]
        for inside in edges {
            var out: [Point] = []
            for i in 0..<poly.count {
                let a = poly[i], b = poly[(i + 1) % poly.count]
                let da = inside(a), db = inside(b)
                if da >= 0 { out.append(a) }
                if (da >= 0) != (db >= 0) { out.append(a.lerp(b, da / (da - db))) }
            }
            poly = out
            if poly.isEmpty { return 0 }
        }
        var area = 0.0
        for i in 0..<poly.count { area += poly[i].cross(poly[(i + 1) % poly.count]) }
        return abs(area) / 2
    }

    /// A reproducible generator (SplitMix64).
    struct Random {
        var state: UInt64
        mutating func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
    }

    @Test("random triangles and thin slivers, partly outside the grid", arguments: [1, 2, 3, 4])
    func randomTriangles(seed: Int) {
        var random = Random(state: UInt64(seed))
        let size = 24
        var worst = 0.0
        for _ in 0..<40 {
            var tri: [Point] = (0..<3).map { _ in Point(random.next() * 34 - 5, random.next() * 34 - 5) }
            if random.next() < 0.3 { tri[2] = tri[0].lerp(tri[1], 0.5) + Point(random.next() * 0.6, random.next() * 0.6) }
            let grid = coverageGrid(.polyline(tri), width: size, height: size)
            for y in 0..<size {
                for x in 0..<size {
                    let expected = Self.clippedArea(tri, Double(x), Double(y))
                    worst = max(worst, abs(Double(grid[y * size + x]) - expected))
                }
            }
        }
        print("seed \(seed): worst pixel error \(worst)")
        #expect(worst < 1e-4)
    }

    @Test("a long shallow edge and a long steep edge crossing many blocks")
    func longEdges() {
        let quad = [Point(-3, 2.3), Point(70.7, 3.1), Point(71.2, 60.9), Point(1.1, 50.4)]
        let grid = coverageGrid(.polyline(quad), width: 72, height: 64)
        var worst = 0.0
        for y in 0..<64 {
            for x in 0..<72 {
                worst = max(worst, abs(Double(grid[y * 72 + x]) - Self.clippedArea(quad, Double(x), Double(y))))
            }
        }
        #expect(worst < 1e-4, "worst pixel error \(worst)")
    }
}
