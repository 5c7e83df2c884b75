/// An axis-aligned rectangle in canvas pixel units (y down). `width` and `height` are not negative
/// for a well-formed rectangle; an empty rectangle has zero area.
public struct Rect: Hashable, Sendable, CustomStringConvertible {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The smallest rectangle holding both corners, in any order.
    public init(corner a: Point, _ b: Point) {
        x = min(a.x, b.x)
        y = min(a.y, b.y)
        width = abs(a.x - b.x)
        height = abs(a.y - b.y)
    }

    public var minX: Double { x }
    public var minY: Double { y }
    public var maxX: Double { x + width }
    public var maxY: Double { y + height }
    public var center: Point { Point(x + width / 2, y + height / 2) }
    public var isEmpty: Bool { !(width > 0 && height > 0) }
    public var description: String { "Rect(x: \(x), y: \(y), w: \(width), h: \(height))" }

    /// The rectangle grown by `d` on every side (shrunk when `d` is negative).
    public func insetBy(_ d: Double) -> Rect {
        Rect(x: x + d, y: y + d, width: max(0, width - 2 * d), height: max(0, height - 2 * d))
    }

    /// The smallest rectangle that holds both.
    public func union(_ other: Rect) -> Rect {
        let x0 = min(minX, other.minX), y0 = min(minY, other.minY)
        return Rect(x: x0, y: y0, width: max(maxX, other.maxX) - x0, height: max(maxY, other.maxY) - y0)
    }
}

/// A rectangle of whole pixels: columns `x ..< x + width`, rows `y ..< y + height`. Used for clipping.
public struct PixelRect: Hashable, Sendable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    /// The pixels whose centres lie inside `rect` (so a rectangle on pixel edges maps to exactly its pixels).
    public init(enclosing rect: Rect) {
        let x0 = Int((rect.minX).rounded(.toNearestOrAwayFromZero))
        let y0 = Int((rect.minY).rounded(.toNearestOrAwayFromZero))
        let x1 = Int((rect.maxX).rounded(.toNearestOrAwayFromZero))
        let y1 = Int((rect.maxY).rounded(.toNearestOrAwayFromZero))
        self.init(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }

    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width <= 0 || height <= 0 }
    public var description: String { "PixelRect(x: \(x), y: \(y), w: \(width), h: \(height))" }

    /// The overlap of the two rectangles (empty when they do not meet).
    public func intersection(_ other: PixelRect) -> PixelRect {
        let x0 = max(x, other.x), y0 = max(y, other.y)
        let x1 = min(maxX, other.maxX), y1 = min(maxY, other.maxY)
        return PixelRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }
}
