import Foundation

/// Largest distance, in pixels, between a round join or cap and the chords that replace it. Coarser than
/// `flatteningTolerance`: joins of dense data lines are the bulk of a plot's edges, and 0.05 px is invisible
/// (a round cap of a 1.5 px line keeps about 5 points per half turn).
public let strokeArcTolerance = 0.05

/// Turns polylines into closed outlines that, filled with the nonzero rule, draw the stroke.
///
/// Pure geometry in canvas pixels: it knows nothing about pixels or coverage. Each open polyline becomes one
/// contour (left side forward, end cap, right side backward, start cap); a closed polyline becomes two
/// (its left and right sides). Outer corners get the style's join; inner corners pass through the vertex
/// itself, which leaves overlapping but same-signed regions that the nonzero rule fills once.
struct Stroker {
    let halfWidth: Double
    let cap: LineCap
    let join: LineJoin
    let miterLimit: Double
    /// Chord tolerance for round joins and caps, in pixels.
    let tolerance: Double

    init(_ style: StrokeStyle, tolerance: Double = strokeArcTolerance) {
        halfWidth = max(0, style.width) / 2
        cap = style.cap
        join = style.join
        miterLimit = max(1, style.miterLimit)
        self.tolerance = tolerance
    }

    /// The outlines of `line`'s stroke, to be filled together with `FillRule.nonZero`.
    func stroke(_ line: Polyline) -> [Polyline] {
        guard halfWidth > 0 else { return [] }
        var pts = deduplicated(line.points)
        var closed = line.closed
        if closed, pts.count > 1, (pts[pts.count - 1] - pts[0]).length < 1e-9 { pts.removeLast() }
        if closed && pts.count < 3 { closed = false }
        if pts.count == 1 { return dot(pts[0]) }
        let dirs = directions(pts, closed: closed)
        if closed {
            var left: [Point] = [], right: [Point] = []
            side(pts, dirs, closed: true, reversed: false, into: &left)
            side(pts, dirs, closed: true, reversed: true, into: &right)
            return [Polyline(points: left, closed: true), Polyline(points: right, closed: true)]
        }
        var outline: [Point] = []
        outline.reserveCapacity(8 * pts.count)
        side(pts, dirs, closed: false, reversed: false, into: &outline)
        appendCap(&outline, at: pts[pts.count - 1], direction: dirs[dirs.count - 1])
        side(pts, dirs, closed: false, reversed: true, into: &outline)
        appendCap(&outline, at: pts[0], direction: -dirs[0])
        return [Polyline(points: outline, closed: true)]
    }

    /// Drops points closer than 1e-9 px to their predecessor.
    private func deduplicated(_ points: [Point]) -> [Point] {
        var out: [Point] = []
        out.reserveCapacity(points.count)
        for p in points where out.isEmpty || (p - out[out.count - 1]).length > 1e-9 { out.append(p) }
        return out
    }

    /// A zero-length stroke: round and square caps draw a dot, butt caps draw nothing.
    private func dot(_ p: Point) -> [Polyline] {
        switch cap {
        case .butt:
            return []
        case .square:
            let h = halfWidth
            return [Polyline(points: [Point(p.x - h, p.y - h), Point(p.x + h, p.y - h),
                                      Point(p.x + h, p.y + h), Point(p.x - h, p.y + h)], closed: true)]
        case .round:
            var pts = [p + Point(halfWidth, 0)]
            appendArcInterior(&pts, center: p, from: Point(halfWidth, 0), sweep: 2 * .pi)
            return [Polyline(points: pts, closed: true)]
        }
    }

    /// Unit direction of each segment: pts[i] -> pts[i + 1] (and back to pts[0] when closed).
    private func directions(_ pts: [Point], closed: Bool) -> [Point] {
        let n = pts.count
        let segments = closed ? n : n - 1
        var dirs: [Point] = []
        dirs.reserveCapacity(segments)
        for i in 0..<segments { dirs.append(unit(pts[i + 1 < n ? i + 1 : 0] - pts[i])) }
        return dirs
    }

    /// Appends the offset points on the left of travel (normal = direction turned by +90 degrees in the
    /// cross-product sense), with joins at interior vertices (at every vertex when closed). `reversed`
    /// walks the polyline backwards, which traces the right side of the forward direction.
    private func side(_ pts: [Point], _ dirs: [Point], closed: Bool, reversed: Bool, into out: inout [Point]) {
        let n = pts.count
        let segments = dirs.count
        // Vertex k and segment k (from vertex k to k + 1) in walking order.
        @inline(__always) func point(_ k: Int) -> Point { reversed ? pts[n - 1 - k] : pts[k] }
        @inline(__always) func dir(_ k: Int) -> Point {
            guard reversed else { return dirs[k] }
            let j = n - 2 - k
            return -dirs[j >= 0 ? j : j + n]
        }
        out.reserveCapacity(out.count + 3 * n)
        if closed {
            for k in 0..<n { appendJoin(&out, at: point(k), from: dir(k == 0 ? segments - 1 : k - 1), to: dir(k)) }
        } else {
            out.append(point(0) + normal(dir(0)) * halfWidth)
            if n > 2 {
                for k in 1..<(n - 1) { appendJoin(&out, at: point(k), from: dir(k - 1), to: dir(k)) }
            }
            out.append(point(n - 1) + normal(dir(segments - 1)) * halfWidth)
        }
    }

    /// Appends the offset corner at vertex `p` between incoming direction `d0` and outgoing `d1`.
    private func appendJoin(_ out: inout [Point], at p: Point, from d0: Point, to d1: Point) {
        let n0 = normal(d0), n1 = normal(d1)
        let a = p + n0 * halfWidth, b = p + n1 * halfWidth
        let turn = d0.cross(d1), along = d0.dot(d1)
        if along > 0 && abs(turn) < 1e-9 {
            out.append(b)  // straight on
            return
        }
        if turn > 0 {
            // Turning toward this side: it is the inner side. Route through the vertex.
            out.append(a)
            out.append(p)
            out.append(b)
            return
        }
        out.append(a)
        switch join {
        case .bevel:
            break
        case .miter:
            // Miter length / width = 1 / sin(phi / 2), phi the angle between the segments; sin(phi / 2) = sqrt((1 + d0.d1) / 2).
            let sinHalf = ((1 + along) / 2).squareRoot()
            if sinHalf > 1e-12 && 1 / sinHalf <= miterLimit {
                let bisector = unit(n0 + n1)
                out.append(p + bisector * (halfWidth / sinHalf))
            }
        case .round:
            var sweep = atan2(n0.cross(n1), n0.dot(n1))
            if turn == 0 { sweep = -.pi }  // exact reversal: go round the front
            appendArcInterior(&out, center: p, from: n0 * halfWidth, sweep: sweep)
        }
        out.append(b)
    }

    /// Appends the cap at end point `p` of a segment travelling along unit `d`, from the left offset to the right.
    private func appendCap(_ out: inout [Point], at p: Point, direction d: Point) {
        let n = normal(d) * halfWidth
        switch cap {
        case .butt:
            break
        case .square:
            let e = d * halfWidth
            out.append(p + n + e)
            out.append(p - n + e)
        case .round:
            // From +n through +d to -n: with n = d turned by +90 degrees, that is a sweep of -pi.
            // The left side ended at p + n and the right side starts at p - n.
            appendArcInterior(&out, center: p, from: n, sweep: -.pi)
        }
    }

    /// Appends the points strictly between the ends of a circular arc around `center`: it starts at
    /// `center + start` (|start| = halfWidth) and turns by `sweep` radians. Steps are at most
    /// 2 acos(1 - tolerance / r), so chords stay within `tolerance` of the circle; points come from
    /// rotating a vector (one sin/cos per arc, not per point). Callers append the end points.
    private func appendArcInterior(_ out: inout [Point], center: Point, from start: Point, sweep: Double) {
        let r = halfWidth
        let maxStep = r > tolerance ? 2 * acos(1 - tolerance / r) : .pi / 2
        let steps = max(1, Int((abs(sweep) / maxStep).rounded(.up)))
        guard steps > 1 else { return }
        let step = sweep / Double(steps)
        let cs = cos(step), sn = sin(step)
        var v = start
        for _ in 1..<steps {
            v = Point(v.x * cs - v.y * sn, v.x * sn + v.y * cs)
            out.append(center + v)
        }
    }

    @inline(__always) private func normal(_ d: Point) -> Point { Point(-d.y, d.x) }

    @inline(__always) private func unit(_ v: Point) -> Point {
        let l = v.length
        return l > 0 ? v * (1 / l) : Point(1, 0)
    }
}
