import Foundation

/// An RGBA raster image that paths, strokes, text and images are drawn onto.
///
/// Pixels are 8-bit premultiplied RGBA, row-major, top row first (`pixels[4 * (y * width + x) + channel]`).
/// Coordinates are canvas pixels with the origin at the top-left corner and y down; pixel (i, j) covers
/// [i, i+1) x [j, j+1), so its centre is (i + 0.5, j + 0.5). A 1 px line along y = j + 0.5 covers row j exactly.
///
/// Every drawing operation blends with premultiplied source-over and is limited to `clip`.
public struct Canvas: Sendable {
    public let width: Int
    public let height: Int
    /// Premultiplied RGBA bytes, `4 * width * height` of them.
    public internal(set) var pixels: [UInt8]
    /// Drawing is limited to these whole pixels (always within the canvas). Defaults to the whole canvas.
    public var clip: PixelRect {
        didSet { clip = clip.intersection(bounds) }
    }
    var accumulator = CoverageAccumulator()
    /// True when every pixel is known to be opaque (an opaque background, and only source-over since:
    /// source-over never lowers an opaque pixel's alpha). Lets PNG output skip un-premultiplying.
    private(set) var isOpaque: Bool

    /// A canvas filled with `background` (transparent by default). Zero sizes are allowed (nothing draws,
    /// and writing such a canvas to PNG throws); negative sizes are a programmer error.
    public init(width: Int, height: Int, background: Color = .clear) {
        precondition(width >= 0 && height >= 0, "Canvas(width:height:): sizes must not be negative, got \(width)x\(height)")
        self.width = width
        self.height = height
        let p = Pixel(background)
        isOpaque = p.a == 255 || width * height == 0
        let word = UInt32(p.r) | UInt32(p.g) << 8 | UInt32(p.b) << 16 | UInt32(p.a) << 24
        let count = width * height
        pixels = [UInt8](unsafeUninitializedCapacity: 4 * count) { buffer, initialized in
            if count > 0 {
                if p.r == p.g && p.g == p.b && p.b == p.a {
                    memset(buffer.baseAddress!, Int32(p.r), 4 * count)  // transparent or opaque white
                } else {
                    UnsafeMutableRawPointer(buffer.baseAddress!).bindMemory(to: UInt32.self, capacity: count)
                        .initialize(repeating: word.littleEndian, count: count)
                }
            }
            initialized = 4 * count
        }
        clip = PixelRect(x: 0, y: 0, width: width, height: height)
    }

    /// The whole canvas as a pixel rectangle.
    public var bounds: PixelRect { PixelRect(x: 0, y: 0, width: width, height: height) }

    /// The premultiplied pixel at column x, row y (programmer error when outside the canvas).
    public func pixel(_ x: Int, _ y: Int) -> Pixel {
        precondition(x >= 0 && x < width && y >= 0 && y < height, "Canvas.pixel: (\(x), \(y)) is outside \(width)x\(height)")
        let i = 4 * (y * width + x)
        return Pixel(r: pixels[i], g: pixels[i + 1], b: pixels[i + 2], a: pixels[i + 3])
    }

    /// Runs `body` with `clip` narrowed to its intersection with `rect`, then restores the previous clip.
    public mutating func withClip(_ rect: PixelRect, _ body: (inout Canvas) throws -> Void) rethrows {
        let saved = clip
        clip = clip.intersection(rect)
        defer { clip = saved }
        try body(&self)
    }

    /// Replaces every pixel inside `clip` by `color` (no blending).
    public mutating func clear(_ color: Color) {
        let p = Pixel(color)
        let c = clip
        let w = width
        isOpaque = p.a == 255 && (isOpaque || c == bounds)
        pixels.withUnsafeMutableBufferPointer { px in
            for y in c.y..<c.maxY {
                var i = 4 * (y * w + c.x)
                for _ in 0..<c.width {
                    px[i] = p.r; px[i + 1] = p.g; px[i + 2] = p.b; px[i + 3] = p.a
                    i += 4
                }
            }
        }
    }

    /// Fills `path` (mapped by `transform`) with `color` using exact-area antialiasing.
    public mutating func fill(_ path: Path, color: Color, rule: FillRule = .nonZero, transform: Transform = .identity) {
        fill(path.flattened(transform), color: color, rule: rule)
    }

    /// Fills a rectangle given in canvas pixels (fractional edges are antialiased).
    public mutating func fill(_ rect: Rect, color: Color) {
        fill(Path.rect(rect), color: color)
    }

    /// Fills flattened subpaths, each closed implicitly.
    mutating func fill(_ polylines: [Polyline], color: Color, rule: FillRule) {
        guard let box = pointBounds(polylines) else { return }
        fillRegion(box, color: color, rule: rule) { $0.add(polylines) }
    }

    /// Fills several groups of flattened subpaths, each moved by its offset, as one shape
    /// (used for text: cached glyph outlines placed along a baseline).
    mutating func fill(placed pieces: [PlacedOutlines], color: Color, rule: FillRule) {
        var box: Rect?
        for piece in pieces {
            guard let b = piece.bounds else { continue }
            let moved = Rect(x: b.x + piece.offset.x, y: b.y + piece.offset.y, width: b.width, height: b.height)
            box = box.map { $0.union(moved) } ?? moved
        }
        guard let box else { return }
        fillRegion(box, color: color, rule: rule) { acc in
            for piece in pieces { acc.add(piece.polylines, offset: piece.offset) }
        }
    }

    /// Accumulates whatever `add` adds over the pixels of `box` within the clip, then blends `color`.
    private mutating func fillRegion(_ box: Rect, color: Color, rule: FillRule, _ add: (inout CoverageAccumulator) -> Void) {
        guard color.alpha > 0, !clip.isEmpty,
              box.minX.isFinite, box.minY.isFinite, box.maxX.isFinite, box.maxY.isFinite else { return }
        let x0 = Int(max(box.minX, -1e9).rounded(.down)), y0 = Int(max(box.minY, -1e9).rounded(.down))
        let x1 = Int(min(box.maxX, 1e9).rounded(.up)), y1 = Int(min(box.maxY, 1e9).rounded(.up))
        // Parts of an outline left of the clip are clamped onto its left edge by the accumulator,
        // so the intersection is the whole region that can change.
        let region = PixelRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0).intersection(clip)
        guard !region.isEmpty else { return }
        accumulator.begin(region)
        add(&accumulator)
        blendAccumulated(color: color, rule: rule)
    }

    /// Blends the accumulator's coverage with a solid colour (premultiplied source-over).
    mutating func blendAccumulated(color: Color, rule: FillRule) {
        let src = Pixel(color)
        let sr = Float(src.r), sg = Float(src.g), sb = Float(src.b), sa = Float(src.a)
        let opaque = src.a == 255
        let w = width
        var acc = accumulator
        accumulator = CoverageAccumulator()
        pixels.withUnsafeMutableBufferPointer { buffer in
            let px = buffer.baseAddress!
            acc.sweep(rule) { row, x, coverage in
                var p = px + 4 * (row * w + x)
                for c in coverage {
                    if c >= fullCoverage && opaque {
                        p[0] = src.r; p[1] = src.g; p[2] = src.b; p[3] = 255
                    } else if c > zeroCoverage {
                        let k = 1 - sa * c * (1.0 / 255)
                        p[0] = roundToByte(sr * c + Float(p[0]) * k)
                        p[1] = roundToByte(sg * c + Float(p[1]) * k)
                        p[2] = roundToByte(sb * c + Float(p[2]) * k)
                        p[3] = roundToByte(sa * c + Float(p[3]) * k)
                    }
                    p += 4
                }
            }
        }
        accumulator = acc
    }
}

/// Rounds v in 0...255.5 to the nearest byte without the range checks of `UInt8(_:)`: adding 1.5 * 2^23
/// leaves round(v) in the low mantissa bits.
@inline(__always) func roundToByte(_ v: Float) -> UInt8 {
    UInt8(truncatingIfNeeded: (v + 12_582_912).bitPattern)
}

/// Coverage at or above which an opaque colour simply replaces the pixel (the blend would round to it anyway:
/// 255 * (1 - 0.998) < 0.5).
let fullCoverage: Float = 0.998
/// Coverage at or below which a pixel is left alone (it would change by less than half a level).
let zeroCoverage: Float = 0.001

/// Flattened closed outlines in canvas pixels relative to `offset`, with their bounds (nil when empty).
struct PlacedOutlines {
    var polylines: [Polyline]
    var bounds: Rect?
    var offset: Point
}

/// Bounds of all points of the polylines, nil when there are none.
func pointBounds(_ polylines: [Polyline]) -> Rect? {
    var x0 = Double.infinity, y0 = Double.infinity, x1 = -Double.infinity, y1 = -Double.infinity
    for line in polylines {
        for p in line.points {
            x0 = min(x0, p.x); x1 = max(x1, p.x); y0 = min(y0, p.y); y1 = max(y1, p.y)
        }
    }
    return x0 <= x1 && y0 <= y1 ? Rect(x: x0, y: y0, width: x1 - x0, height: y1 - y0) : nil
}
