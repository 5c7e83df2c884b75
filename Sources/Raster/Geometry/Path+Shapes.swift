import Foundation

/// Shape builders. Angles are in radians measured from the +x axis; with y down, increasing angles turn
/// clockwise on screen. Circles and arcs are cubic Béziers (at most a quarter turn each; radial error
/// below 0.03% of the radius).
extension Path {
    /// Adds a closed rectangle (clockwise on screen).
    public mutating func addRect(_ r: Rect) {
        move(to: Point(r.minX, r.minY))
        line(to: Point(r.maxX, r.minY))
        line(to: Point(r.maxX, r.maxY))
        line(to: Point(r.minX, r.maxY))
        close()
    }

    /// Adds a closed ellipse with the given centre and radii.
    public mutating func addEllipse(center: Point, radiusX: Double, radiusY: Double) {
        move(to: Point(center.x + radiusX, center.y))
        appendArc(center: center, radiusX: radiusX, radiusY: radiusY, from: 0, to: 2 * .pi)
        close()
    }

    /// Adds a closed circle.
    public mutating func addCircle(center: Point, radius: Double) {
        addEllipse(center: center, radiusX: radius, radiusY: radius)
    }

    /// Adds an open circular arc from `startAngle` to `endAngle` (either direction), starting a new subpath.
    public mutating func addArc(center: Point, radius: Double, startAngle: Double, endAngle: Double) {
        move(to: Point(center.x + radius * cos(startAngle), center.y + radius * sin(startAngle)))
        appendArc(center: center, radiusX: radius, radiusY: radius, from: startAngle, to: endAngle)
    }

    /// Adds an open polyline through `points` (nothing for an empty list).
    public mutating func addPolyline(_ points: [Point]) {
        guard let first = points.first else { return }
        reserveCapacity(points.count)
        move(to: first)
        for p in points.dropFirst() { line(to: p) }
    }

    /// Adds a closed polygon through `points`.
    public mutating func addPolygon(_ points: [Point]) {
        guard !points.isEmpty else { return }
        addPolyline(points)
        close()
    }

    /// Continues the current subpath with an elliptical arc; the current point should be the arc's start.
    mutating func appendArc(center: Point, radiusX: Double, radiusY: Double, from a0: Double, to a1: Double) {
        let sweep = a1 - a0
        let pieces = max(1, Int((abs(sweep) / (.pi / 2) - 1e-9).rounded(.up)))
        let step = sweep / Double(pieces)
        let k = 4.0 / 3.0 * tan(step / 4)
        var angle = a0
        for _ in 0..<pieces {
            let next = angle + step
            let c0 = cos(angle), s0 = sin(angle), c1 = cos(next), s1 = sin(next)
            let p0 = Point(center.x + radiusX * c0, center.y + radiusY * s0)
            let p1 = Point(center.x + radiusX * c1, center.y + radiusY * s1)
            let ctrl1 = Point(p0.x - k * radiusX * s0, p0.y + k * radiusY * c0)
            let ctrl2 = Point(p1.x + k * radiusX * s1, p1.y - k * radiusY * c1)
            cubic(to: p1, control1: ctrl1, control2: ctrl2)
            angle = next
        }
    }

    /// A rectangle path.
    public static func rect(_ r: Rect) -> Path {
        var p = Path()
        p.addRect(r)
        return p
    }

    /// A circle path.
    public static func circle(center: Point, radius: Double) -> Path {
        var p = Path()
        p.addCircle(center: center, radius: radius)
        return p
    }

    /// A straight segment.
    public static func line(from a: Point, to b: Point) -> Path {
        Path(elements: [.move(a), .line(b)])
    }

    /// An open polyline.
    public static func polyline(_ points: [Point]) -> Path {
        var p = Path()
        p.addPolyline(points)
        return p
    }
}
