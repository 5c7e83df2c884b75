import Foundation
import Testing
@testable import Raster

/// Reference values come from fontTools reading the same embedded subset (scripts/make-font-subset):
/// hmtx advances, kern pairs, glyf bounding boxes, and AreaPen outline areas.
@Suite("TrueType font and text")
struct FontTests {
    let font = Font.dejaVuSans

    @Test("the embedded DejaVu Sans subset loads with its metrics")
    func metrics() {
        #expect(font.unitsPerEm == 2048)
        #expect(font.glyphCount == 344)
        #expect(font.ascender == 1901 && font.descender == -483)
        #expect(font.capHeight == 1493)
        #expect(font.kerningPairCount > 1000)
    }

    @Test("cmap covers ASCII, Greek, the minus sign, super- and subscripts, ℓ and math brackets", arguments: Array("Az09λησβΔ−⁻³⁴±×·≈≤≥∞ℓ⟨⟩⊤∘₀½".unicodeScalars))
    func coverage(_ scalar: Unicode.Scalar) {
        #expect(font.glyph(for: scalar) != nil)
    }

    @Test("a character outside the subset has no glyph")
    func missing() {
        #expect(font.glyph(for: "漢") == nil)
    }

    @Test("text widths include kerning", arguments: [
        ("AVATAR", 7698.0), ("Sharpness", 10687), ("Hello, world", 12132), ("10⁻³", 4508), ("To", 2156), ("AV", 2671),
    ])
    func widths(text: String, fontUnits: Double) {
        let m = font.measure(text, size: 12)
        let expected = fontUnits * 12 / 2048
        #expect(abs(m.width - expected) < 1e-9, "\(text): expected \(expected) px, observed \(m.width)")
    }

    @Test("extents: ascent, descent, cap height, ink bounds")
    func extents() throws {
        let m = font.measure("H", size: 2048)
        #expect(m.ascent == 1901 && m.descent == 483 && m.capHeight == 1493)
        let ink = try #require(m.inkBounds)
        #expect(ink == Rect(x: 201, y: -1493, width: 1138, height: 1493))
        let g = try #require(font.measure("g", size: 2048).inkBounds)
        #expect(g.maxY == 426)
        #expect(font.measure("", size: 12).inkBounds == nil)
        #expect(font.measure("a\u{0}b", size: 12).width == font.measure("ab", size: 12).width)
    }

    @Test("outline areas match fontTools, for a simple and a composite glyph", arguments: [
        ("O", 785709.5833333333), ("é", 635586.75),
    ])
    func outlineArea(character: String, fontUnitArea: Double) throws {
        let glyph = try #require(font.glyph(for: character.unicodeScalars.first!))
        let s = 0.05
        let path = font.outline(glyph).transformed(by: Transform(a: s, b: 0, c: 0, d: -s, tx: 10, ty: 100))
        let area = Double(coverageGrid(path, width: 120, height: 120).reduce(0, +))
        let expected = fontUnitArea * s * s
        print("\(character): expected \(expected) px^2, observed \(area)")
        #expect(relativeError(area, expected) < 1e-3)
    }

    @Test("a missing glyph draws a visible box and advances 0.6 em")
    func missingBox() {
        var canvas = Canvas(width: 60, height: 40, background: .white)
        canvas.drawText("漢", at: Point(10, 30), style: TextStyle(size: 20))
        #expect(abs(font.measure("漢", size: 20).width - Double(2048 * 6 / 10) * 20 / 2048) < 1e-9)
        var dark = 0
        for y in 0..<40 { for x in 0..<60 where canvas.pixel(x, y).r < 128 { dark += 1 } }
        #expect(dark > 20)
        #expect(canvas.pixel(16, 22).r == 255, "the box is hollow")
    }

    @Test("a character outside the subset comes from the system's full DejaVu Sans, placed and scaled as that font draws it")
    func fallback() throws {
        let full = try #require(Font.systemDejaVuSans, "fonts-dejavu-core (scripts/setup) provides the fallback")
        #expect(font.fallback === full)
        let outside: Unicode.Scalar = "∮"   // in DejaVu Sans, not in the subset
        #expect(font.glyph(for: outside) == nil && full.glyph(for: outside) != nil)
        // Widths: the subset's own characters plus the fallback glyph's advance, as the full font measures the line.
        for text in ["∮ f dℓ", "a∮b", "↦ x ⇒ y"] {
            #expect(abs(font.measure(text, size: 17).width - full.measure(text, size: 17).width) < 1e-9, "\(text)")
        }
        // Drawn: the same pixels as the full font draws (no box).
        var mixed = Canvas(width: 120, height: 40, background: .white), reference = mixed
        mixed.drawText("a∮b", at: Point(10, 30), style: TextStyle(size: 20))
        reference.drawText("a∮b", at: Point(10, 30), style: TextStyle(font: full, size: 20))
        #expect(mixed.image == reference.image)
        // Missing from both: still the box.
        #expect(full.glyph(for: "漢") == nil && abs(font.measure("漢", size: 20).width - Double(2048 * 6 / 10) * 20 / 2048) < 1e-9)
    }

    @Test("rotated text: a label turned by 90 degrees has the transposed extent")
    func rotated() throws {
        let style = TextStyle(size: 20)
        let text = "Sharpness λ"
        let m = font.measure(text, size: 20)
        let ink = try #require(m.inkBounds)
        for angle in [Double.pi / 2, -Double.pi / 2] {
            var canvas = Canvas(width: 100, height: 200)
            canvas.drawText(text, at: Point(50, 100), style: style, alignment: .center, baseline: .middle, angle: angle)
            let box = try #require(inkBox(canvas))
            print("angle \(angle): ink box \(box), unrotated ink \(ink)")
            #expect(abs(Double(box.width) - ink.height) <= 2)
            #expect(abs(Double(box.height) - ink.width) <= 2)
            // Reading bottom to top (pi/2): the first letter is at the bottom.
            let firstLetterBottom = angle > 0
            let rowOfS = firstLetterBottom ? box.maxY - 3 : box.y + 3
            var inked = false
            for x in box.x..<box.maxX where canvas.pixel(x, rowOfS).a > 100 { inked = true }
            #expect(inked)
        }
    }

    @Test("malformed font data throws instead of crashing")
    func malformed() throws {
        #expect(throws: FontError.self) { try Font(data: []) }
        #expect(throws: FontError.self) { try Font(data: Array("OTTO".utf8) + [UInt8](repeating: 0, count: 20)) }
        let good = [UInt8](Data(base64Encoded: embeddedDejaVuSansBase64, options: .ignoreUnknownCharacters)!)
        for length in [12, 100, 1000, good.count / 2] {
            #expect(throws: FontError.self) { try Font(data: Array(good.prefix(length))) }
        }
        #expect(throws: FontError.self) { try Font(contentsOfFile: "/no/such/font.ttf") }
    }

    @Test("the full system DejaVu Sans (cmap format 12) agrees with the subset (skipped when absent)")
    func systemFont() throws {
        let path = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
        guard FileManager.default.fileExists(atPath: path) else { return }
        let full = try Font(contentsOfFile: path)
        #expect(full.glyphCount > 5000)
        for text in ["AVATAR", "Sharpness λ ≈ 2/η", "10⁻³ −1"] {
            #expect(full.measure(text, size: 13).width == font.measure(text, size: 13).width)
        }
    }
}

/// Pixels with alpha above 0 as a bounding box, or nil for a blank canvas.
func inkBox(_ canvas: Canvas) -> PixelRect? {
    var x0 = Int.max, y0 = Int.max, x1 = Int.min, y1 = Int.min
    for y in 0..<canvas.height {
        for x in 0..<canvas.width where canvas.pixel(x, y).a > 0 {
            x0 = min(x0, x); x1 = max(x1, x); y0 = min(y0, y); y1 = max(y1, y)
        }
    }
    return x0 <= x1 ? PixelRect(x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1) : nil
}
