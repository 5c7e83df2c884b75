/// Reads TrueType `glyf` outlines into paths in font units (y up, origin at the glyph's baseline origin).
///
/// Simple glyphs: contours of on-curve and off-curve points; two off-curve points in a row imply an on-curve
/// point midway, so each contour becomes lines and quadratic Béziers. Composite glyphs: components placed by
/// x/y offsets and an optional scale, x/y scale or 2x2 matrix (point-matching placement is treated as no offset).
struct GlyphOutlineReader {
    let data: FontBytes
    let glyf: Int
    let glyfLength: Int
    /// Byte offsets of each glyph in `glyf`, numGlyphs + 1 entries.
    let locations: [Int]

    /// Deepest composite nesting followed (guards against cyclic references).
    static let maxDepth = 8

    func outline(_ glyph: UInt16) throws -> Path {
        var path = Path()
        try append(glyph, transform: .identity, into: &path, depth: 0)
        return path
    }

    private func append(_ glyph: UInt16, transform: Transform, into path: inout Path, depth: Int) throws {
        let index = Int(glyph)
        guard index + 1 < locations.count, depth <= Self.maxDepth else { return }
        let start = locations[index], end = locations[index + 1]
        guard end > start else { return }  // empty glyph (e.g. space)
        guard end <= glyfLength else { throw FontError.truncated(offset: glyf + end) }
        let base = glyf + start
        let contours = Int(try data.i16(base))
        if contours >= 0 {
            try appendSimple(base, contours: contours, transform: transform, into: &path)
        } else {
            try appendComposite(base, transform: transform, into: &path, depth: depth)
        }
    }

    private func appendSimple(_ base: Int, contours: Int, transform: Transform, into path: inout Path) throws {
        guard contours > 0 else { return }
        var endPoints: [Int] = []
        for c in 0..<contours { endPoints.append(Int(try data.u16(base + 10 + 2 * c))) }
        let pointCount = (endPoints.last ?? -1) + 1
        let instructionLength = Int(try data.u16(base + 10 + 2 * contours))
        var cursor = base + 12 + 2 * contours + instructionLength
        // Flags, with repeats.
        var flags: [UInt8] = []
        flags.reserveCapacity(pointCount)
        while flags.count < pointCount {
            let flag = try data.u8(cursor)
            cursor += 1
            flags.append(flag)
            if flag & 0x08 != 0 {
                let repeats = Int(try data.u8(cursor))
                cursor += 1
                for _ in 0..<repeats where flags.count < pointCount { flags.append(flag) }
            }
        }
        // Coordinates are deltas: 1-byte with a sign flag, or 2-byte, or "same as before".
        func readCoordinates(shortBit: UInt8, sameBit: UInt8) throws -> [Int] {
            var values: [Int] = []
            values.reserveCapacity(pointCount)
            var value = 0
            for flag in flags {
                if flag & shortBit != 0 {
                    let delta = Int(try data.u8(cursor))
                    cursor += 1
                    value += flag & sameBit != 0 ? delta : -delta
                } else if flag & sameBit == 0 {
                    value += Int(try data.i16(cursor))
                    cursor += 2
                }
                values.append(value)
            }
            return values
        }
        let xs = try readCoordinates(shortBit: 0x02, sameBit: 0x10)
        let ys = try readCoordinates(shortBit: 0x04, sameBit: 0x20)
        var first = 0
        for last in endPoints {
            guard last >= first, last < pointCount else { break }
            var points: [(Point, Bool)] = []
            for i in first...last {
                points.append((transform.apply(Point(Double(xs[i]), Double(ys[i]))), flags[i] & 0x01 != 0))
            }
            appendContour(points, into: &path)
            first = last + 1
        }
    }

    /// Adds one closed contour of (point, on-curve) pairs.
    private func appendContour(_ points: [(Point, Bool)], into path: inout Path) {
        let n = points.count
        guard n > 1 else { return }
        // Start at an on-curve point, or (all points off-curve) at the midpoint of the first two.
        let start: Point
        var control: Point?
        let order: [Int]
        if let s = points.firstIndex(where: { $0.1 }) {
            start = points[s].0
            order = (1..<n).map { (s + $0) % n }
        } else {
            start = points[0].0.lerp(points[1].0, 0.5)
            control = points[1].0
            order = (2...n).map { $0 % n }
        }
        path.move(to: start)
        for i in order {
            let (p, on) = points[i]
            if on {
                if let c = control { path.quad(to: p, control: c) } else { path.line(to: p) }
                control = nil
            } else {
                if let c = control { path.quad(to: c.lerp(p, 0.5), control: c) }
                control = p
            }
        }
        if let c = control { path.quad(to: start, control: c) } else { path.line(to: start) }
        path.close()
    }

    private func appendComposite(_ base: Int, transform: Transform, into path: inout Path, depth: Int) throws {
        var cursor = base + 10
        while true {
            let flags = try data.u16(cursor)
            let component = try data.u16(cursor + 2)
            cursor += 4
            var dx = 0.0, dy = 0.0
            let xyValues = flags & 0x0002 != 0
            if flags & 0x0001 != 0 {
                if xyValues { dx = Double(try data.i16(cursor)); dy = Double(try data.i16(cursor + 2)) }
                cursor += 4
            } else {
                if xyValues { dx = Double(try data.i8(cursor)); dy = Double(try data.i8(cursor + 1)) }
                cursor += 2
            }
            var a = 1.0, b = 0.0, c = 0.0, d = 1.0
            if flags & 0x0008 != 0 {
                a = try data.f2dot14(cursor); d = a
                cursor += 2
            } else if flags & 0x0040 != 0 {
                a = try data.f2dot14(cursor); d = try data.f2dot14(cursor + 2)
                cursor += 4
            } else if flags & 0x0080 != 0 {
                a = try data.f2dot14(cursor); b = try data.f2dot14(cursor + 2)
                c = try data.f2dot14(cursor + 4); d = try data.f2dot14(cursor + 6)
                cursor += 8
            }
            if flags & 0x0800 != 0 {  // SCALED_COMPONENT_OFFSET: the offset is in the component's scaled space.
                let scaled = Transform(a: a, b: b, c: c, d: d, tx: 0, ty: 0).apply(Point(dx, dy))
                dx = scaled.x; dy = scaled.y
            }
            let placement = Transform(a: a, b: b, c: c, d: d, tx: dx, ty: dy)
            try append(component, transform: transform.concatenating(placement), into: &path, depth: depth + 1)
            if flags & 0x0020 == 0 { break }  // MORE_COMPONENTS
        }
    }
}
