/// Largest distance, in device pixels, allowed between a Bézier curve and the chords that replace it.
/// 0.01 px keeps the area of a circle of radius 3 px within 0.3% (chords always cut a convex curve short);
/// curves stay cheap because the chord count grows only as 1 / sqrt(tolerance).
public let flatteningTolerance = 0.01

/// Most chords one curve may become; bounds the work for absurd control points.
let maxChordsPerCurve = 1000

/// A run of straight segments in device pixels: one subpath after transformation and flattening.
struct Polyline {
    var points: [Point]
    var closed: Bool
}

extension Path {
    /// Maps the path by `transform` and replaces curves by chords within `tolerance` device pixels.
    /// Subpaths are returned in order; a lone `move` is dropped, a zero-length line is kept (it strokes as a dot).
    func flattened(_ transform: Transform = .identity, tolerance: Double = flatteningTolerance) -> [Polyline] {
        var result: [Polyline] = []
        var current: [Point] = []
        var start = Point.zero
        var last = Point.zero
        let identity = transform == .identity

        func finish(closed: Bool) {
            if current.count > 1 {
                result.append(Polyline(points: current, closed: closed))
            }
            current = []
        }
        func begin() {
            if current.isEmpty { current.append(last) }
        }
        for element in elements {
            switch element {
            case .move(let p):
                finish(closed: false)
                last = identity ? p : transform.apply(p)
                start = last
                current = [last]
            case .line(let p):
                begin()
                last = identity ? p : transform.apply(p)
                current.append(last)
            case .quad(let c, let p):
                begin()
                let c1 = identity ? c : transform.apply(c)
                let p1 = identity ? p : transform.apply(p)
                appendQuad(&current, last, c1, p1, tolerance)
                last = p1
            case .cubic(let c1, let c2, let p):
                begin()
                let d1 = identity ? c1 : transform.apply(c1)
                let d2 = identity ? c2 : transform.apply(c2)
                let p1 = identity ? p : transform.apply(p)
                appendCubic(&current, last, d1, d2, p1, tolerance)
                last = p1
            case .close:
                if !current.isEmpty {
                    finish(closed: true)
                    last = start
                }
            }
        }
        finish(closed: false)
        return result
    }
}

/// Appends chords of the quadratic p0-c-p1 (p0 already present). With n equal parameter steps the chord
/// error is at most |p0 - 2c + p1| / (4 n^2), so n = ceil(sqrt(|p0 - 2c + p1| / (4 tol))).
func appendQuad(_ out: inout [Point], _ p0: Point, _ c: Point, _ p1: Point, _ tol: Double) {
    let dd = (p0 - 2 * c + p1).length
    let n = min(maxChordsPerCurve, max(1, Int((dd / (4 * tol)).squareRoot().rounded(.up))))
    if n > 1 {
        let step = 1 / Double(n)
        for i in 1..<n {
            let t = Double(i) * step, u = 1 - t
            out.append(Point(u * u * p0.x + 2 * u * t * c.x + t * t * p1.x,
                             u * u * p0.y + 2 * u * t * c.y + t * t * p1.y))
        }
    }
    out.append(p1)
}

/// Appends chords of the cubic p0-c1-c2-p1 (p0 already present). The second derivative is bounded by
/// 6 max(|p0 - 2c1 + c2|, |c1 - 2c2 + p1|) = 6M, so the chord error with n steps is at most 3M / (4 n^2).
func appendCubic(_ out: inout [Point], _ p0: Point, _ c1: Point, _ c2: Point, _ p1: Point, _ tol: Double) {
    let m = max((p0 - 2 * c1 + c2).length, (c1 - 2 * c2 + p1).length)
    let n = min(maxChordsPerCurve, max(1, Int((0.75 * m / tol).squareRoot().rounded(.up))))
    if n > 1 {
        let step = 1 / Double(n)
        for i in 1..<n {
            let t = Double(i) * step, u = 1 - t
            let b0 = u * u * u, b1 = 3 * u * u * t, b2 = 3 * u * t * t, b3 = t * t * t
            out.append(Point(b0 * p0.x + b1 * c1.x + b2 * c2.x + b3 * p1.x,
                             b0 * p0.y + b1 * c1.y + b2 * c2.y + b3 * p1.y))
        }
    }
    out.append(p1)
}
