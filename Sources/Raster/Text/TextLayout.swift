/// Font, size and colour of a run of text. `size` is the em size in canvas pixels
/// (a 10 pt label at 100 dpi is 10 * 100 / 72 = 13.9 px).
public struct TextStyle: Sendable {
    public var font: Font
    public var size: Double
    public var color: Color

    public init(font: Font = .dejaVuSans, size: Double = 12, color: Color = .black) {
        self.font = font
        self.size = size
        self.color = color
    }
}

/// Measurements of one line of text, in canvas pixels. The origin is the start of the baseline;
/// `inkBounds` uses y down (negative y is above the baseline).
public struct TextMetrics: Sendable, Equatable {
    /// Total advance: where the next character would start (includes kerning and side bearings).
    public var width: Double
    /// The font's ascent above the baseline (same for every string at this size), positive.
    public var ascent: Double
    /// The font's descent below the baseline, positive.
    public var descent: Double
    /// Height of capital letters above the baseline.
    public var capHeight: Double
    /// The box around the glyphs' outlines (from glyph bounding boxes), or nil when nothing is drawn.
    public var inkBounds: Rect?
}

/// One positioned glyph: `glyph` nil means the character is missing from the font and its fallback,
/// and draws a box.
struct PlacedGlyph {
    var glyph: UInt16?
    /// The font the glyph is from: the laid-out font, or its fallback for a character it lacks.
    var font: Font
    /// Pen position along the baseline, in the laid-out font's units.
    var x: Double
}

/// Horizontal placement of text relative to its anchor point.
public enum TextAlignment: Sendable, Hashable {
    case left, center, right
}

/// Vertical placement of text relative to its anchor point.
public enum TextBaseline: Sendable, Hashable {
    /// The anchor is on the baseline.
    case baseline
    /// The anchor is at the font's ascent (the top of the line box).
    case top
    /// The anchor is half the capital height above the baseline: digits and capitals look centred on it
    /// (what tick labels want).
    case middle
    /// The anchor is at the font's descent (the bottom of the line box).
    case bottom
}

extension Font {
    /// Box drawn for a character the font lacks: width and stroke in font units, relative to the em.
    var missingAdvance: Int { unitsPerEm * 6 / 10 }

    /// Lays out one line: glyph lookup, advances and kerning. A character this font lacks comes from
    /// `fallback` when that has it (advance converted to this font's units; no kerning across fonts).
    /// Newlines and other control characters are skipped (one call is one line).
    func layout(_ text: String) -> (glyphs: [PlacedGlyph], advance: Double) {
        var placed: [PlacedGlyph] = []
        placed.reserveCapacity(text.unicodeScalars.count)
        var pen = 0.0
        var previous: UInt16?
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value) { continue }
            if let g = glyph(for: scalar) {
                if let p = previous { pen += Double(kerning(p, g)) }
                placed.append(PlacedGlyph(glyph: g, font: self, x: pen))
                pen += Double(advance(g))
                previous = g
            } else if let other = fallback, let g = other.glyph(for: scalar) {
                placed.append(PlacedGlyph(glyph: g, font: other, x: pen))
                pen += Double(other.advance(g)) * Double(unitsPerEm) / Double(other.unitsPerEm)
                previous = nil
            } else {
                placed.append(PlacedGlyph(glyph: nil, font: self, x: pen))
                pen += Double(missingAdvance)
                previous = nil
            }
        }
        return (placed, pen)
    }

    /// The outline of the missing-glyph box in font units: a hollow rectangle as tall as the capitals.
    func missingGlyphOutline() -> Path {
        let em = Double(unitsPerEm), w = Double(missingAdvance), h = Double(capHeight)
        let margin = 0.08 * em, stroke = 0.06 * em
        var p = Path()
        p.addRect(Rect(x: margin, y: 0, width: w - 2 * margin, height: h))
        // Inner rectangle in the opposite direction: a hole under the nonzero rule.
        let inner = Rect(x: margin + stroke, y: stroke, width: w - 2 * margin - 2 * stroke, height: h - 2 * stroke)
        p.addPolygon([Point(inner.minX, inner.minY), Point(inner.minX, inner.maxY),
                      Point(inner.maxX, inner.maxY), Point(inner.maxX, inner.minY)])
        return p
    }

    /// Measures one line of text at `size` px per em.
    public func measure(_ text: String, size: Double) -> TextMetrics {
        let s = size / Double(unitsPerEm)
        let (glyphs, advance) = layout(text)
        var ink: Rect?
        for placed in glyphs {
            let box: Rect
            if let g = placed.glyph {
                guard let b = placed.font.bounds(g) else { continue }
                let f = size / Double(placed.font.unitsPerEm)   // the glyph's own font units to pixels
                box = Rect(x: placed.x * s + Double(b.xMin) * f, y: -Double(b.yMax) * f,
                           width: Double(b.xMax - b.xMin) * f, height: Double(b.yMax - b.yMin) * f)
            } else {
                let margin = 0.08 * Double(unitsPerEm)
                box = Rect(x: (placed.x + margin) * s, y: -Double(capHeight) * s,
                           width: (Double(missingAdvance) - 2 * margin) * s, height: Double(capHeight) * s)
            }
            ink = ink.map { $0.union(box) } ?? box
        }
        return TextMetrics(width: advance * s, ascent: Double(ascender) * s, descent: -Double(descender) * s,
                           capHeight: Double(capHeight) * s, inkBounds: ink)
    }
}
