/// A point or vector in canvas pixel units.
///
/// Canvas coordinates: the origin is the top-left corner of the image, x grows to the right and
/// y grows downward. Pixel (i, j) covers the square [i, i+1) x [j, j+1); its centre is (i + 0.5, j + 0.5).
public struct Point: Hashable, Sendable, CustomStringConvertible {
    public var x: Double
    public var y: Double

    @inlinable public init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }

    @inlinable public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }

    public static let zero = Point(0, 0)

    public var description: String { "(\(x), \(y))" }

    @inlinable public static func + (a: Point, b: Point) -> Point { Point(a.x + b.x, a.y + b.y) }
    @inlinable public static func - (a: Point, b: Point) -> Point { Point(a.x - b.x, a.y - b.y) }
    @inlinable public static func * (a: Point, s: Double) -> Point { Point(a.x * s, a.y * s) }
    @inlinable public static func * (s: Double, a: Point) -> Point { Point(a.x * s, a.y * s) }
    @inlinable public static prefix func - (a: Point) -> Point { Point(-a.x, -a.y) }

    /// Euclidean length of the vector.
    @inlinable public var length: Double { (x * x + y * y).squareRoot() }

    /// Dot product.
    @inlinable public func dot(_ b: Point) -> Double { x * b.x + y * b.y }

    /// z component of the 3-D cross product. With y down, a positive value means `b` turns clockwise on screen from `self`.
    @inlinable public func cross(_ b: Point) -> Double { x * b.y - y * b.x }

    /// Linear interpolation: `self` at t = 0, `b` at t = 1.
    @inlinable public func lerp(_ b: Point, _ t: Double) -> Point { Point(x + (b.x - x) * t, y + (b.y - y) * t) }
}
