import Raster

/// The TrueType parser: tables at load, then each glyph's outline (parsed lazily), bounds and
/// advance, kerning, and a line of text measured and drawn (the outlines flattened and filled).
enum FontFuzz {
    /// Glyphs visited by id per input, besides those the sample text maps to. A glyph may hold
    /// 65535 points from a few hundred bytes (repeated flags, unchanged coordinates), so visiting
    /// hundreds made every input slow without reaching more of the parser.
    static let glyphLimit = 8
    static let sample = "Ag Hx|ÅéΣλ∞−²₀ AV To"

    static func run(_ bytes: [UInt8]) {
        guard let font = try? Font(data: bytes) else { return }
        for g in 0..<min(font.glyphCount, glyphLimit) {
            let glyph = UInt16(g)
            _ = font.outline(glyph)
            _ = font.bounds(glyph)
            _ = font.advance(glyph)
        }
        let glyphs = sample.unicodeScalars.compactMap { font.glyph(for: $0) }
        for (left, right) in zip(glyphs, glyphs.dropFirst()) { _ = font.kerning(left, right) }
        _ = font.measure(sample, size: 12)
        var canvas = Canvas(width: 96, height: 24, background: .white)
        canvas.drawText(sample, at: Point(2, 18), style: TextStyle(font: font, size: 12))
    }
}
