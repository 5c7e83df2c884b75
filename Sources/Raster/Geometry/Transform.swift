import Foundation

/// An affine map of the plane: `x' = a*x + c*y + tx`, `y' = b*x + d*y + ty`.
///
/// Composition reads right to left like matrices: `t.concatenating(u)` applies `u` first, then `t`.
/// With y down, a positive `rotation` angle turns points clockwise on screen.
public struct Transform: Hashable, Sendable {
    public var a: Double, b: Double, c: Double, d: Double, tx: Double, ty: Double

    public init(a: Double, b: Double, c: Double, d: Double, tx: Double, ty: Double) {
        self.a = a; self.b = b; self.c = c; self.d = d; self.tx = tx; self.ty = ty
    }

    public static let identity = Transform(a: 1, b: 0, c: 0, d: 1, tx: 0, ty: 0)

    public static func translation(_ dx: Double, _ dy: Double) -> Transform {
        Transform(a: 1, b: 0, c: 0, d: 1, tx: dx, ty: dy)
    }

    public static func scale(_ sx: Double, _ sy: Double) -> Transform {
        Transform(a: sx, b: 0, c: 0, d: sy, tx: 0, ty: 0)
    }

    /// Rotation by `radians` about the origin; clockwise on screen for positive angles (y down).
    public static func rotation(_ radians: Double) -> Transform {
        let cs = cos(radians), sn = sin(radians)
        return Transform(a: cs, b: sn, c: -sn, d: cs, tx: 0, ty: 0)
    }

    /// The transform that applies `first`, then `self`.
    public func concatenating(_ first: Transform) -> Transform {
        Transform(a: a * first.a + c * first.b,
                  b: b * first.a + d * first.b,
                  c: a * first.c + c * first.d,
                  d: b * first.c + d * first.d,
                  tx: a * first.tx + c * first.ty + tx,
                  ty: b * first.tx + d * first.ty + ty)
    }

    @inlinable public func apply(_ p: Point) -> Point {
        Point(a * p.x + c * p.y + tx, b * p.x + d * p.y + ty)
    }

    /// True when the map is a pure translation (lets callers skip work).
    public var isTranslation: Bool { a == 1 && b == 0 && c == 0 && d == 1 }

    /// The largest factor by which the map stretches lengths (the larger singular value).
    public var maxScale: Double {
        let p = a * a + b * b, q = c * c + d * d, r = a * c + b * d
        let mean = (p + q) / 2, diff = (p - q) / 2
        return (mean + (diff * diff + r * r).squareRoot()).squareRoot()
    }
}
