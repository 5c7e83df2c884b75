import Foundation

/// A TrueType font (glyf outlines) parsed by Raster itself: cmap (formats 4 and 12), loca/glyf (simple and
/// composite glyphs), hmtx/hhea/head/maxp, OS/2 heights and the legacy kern table (format 0).
///
/// All metrics are in font units (`unitsPerEm` per em, y up from the baseline); multiply by
/// `size / unitsPerEm` to get pixels at a font size of `size` px per em. Immutable after loading; glyph
/// outlines are parsed on first use and cached, so a font can be shared across threads.
public final class Font: @unchecked Sendable {
    public let unitsPerEm: Int
    /// Typographic ascent above the baseline (hhea), font units.
    public let ascender: Int
    /// Typographic descent (hhea), font units; negative (below the baseline).
    public let descender: Int
    public let lineGap: Int
    /// Height of flat capitals (OS/2 sCapHeight, or the height of "H" when absent), font units.
    public let capHeight: Int
    public let glyphCount: Int

    /// Where characters this font lacks come from (nil: they draw the missing-glyph box).
    public let fallback: Font?

    private let cmap: [UInt32: UInt16]
    private let kerning: [UInt32: Int16]
    private let advances: [UInt16]
    private let reader: GlyphOutlineReader
    private let lock = NSLock()
    private var outlines: [UInt16: Path] = [:]
    private var flattenedOutlines: [FlatGlyphKey: FlatGlyph] = [:]
    /// Most flattened glyphs kept (the cache is emptied when it fills: labels reuse few sizes and glyphs).
    static let flattenedCacheLimit = 4096

    /// Parses a TrueType font from its bytes. Throws `FontError` when the data is malformed or not TrueType.
    public init(data: [UInt8], fallback: Font? = nil) throws {
        self.fallback = fallback
        let bytes = FontBytes(bytes: data)
        let version = try bytes.u32(0)
        guard version == 0x0001_0000 || version == 0x7472_7565 else {
            throw FontError.unsupported(version == 0x4F54_544F ? "CFF outlines (OTTO)" : String(format: "sfnt version 0x%08x", version))
        }
        var tables: [String: (offset: Int, length: Int)] = [:]
        let tableCount = Int(try bytes.u16(4))
        for i in 0..<tableCount {
            let record = 12 + 16 * i
            guard record + 16 <= data.count else { throw FontError.truncated(offset: record) }
            let tagBytes = (0..<4).map { bytes.bytes[record + $0] }
            let tag = String(decoding: tagBytes, as: UTF8.self)
            let offset = Int(try bytes.u32(record + 8)), length = Int(try bytes.u32(record + 12))
            guard offset + length <= data.count else { throw FontError.truncated(offset: offset + length) }
            tables[tag] = (offset, length)
        }
        func table(_ tag: String) throws -> (offset: Int, length: Int) {
            guard let t = tables[tag] else { throw FontError.missingTable(tag) }
            return t
        }
        let head = try table("head").offset, hhea = try table("hhea").offset, maxp = try table("maxp").offset
        unitsPerEm = Int(try bytes.u16(head + 18))
        guard unitsPerEm > 0 else { throw FontError.unsupported("unitsPerEm is 0") }
        let longLoca = try bytes.i16(head + 50) == 1
        ascender = Int(try bytes.i16(hhea + 4))
        descender = Int(try bytes.i16(hhea + 6))
        lineGap = Int(try bytes.i16(hhea + 8))
        let metricsCount = Int(try bytes.u16(hhea + 34))
        glyphCount = Int(try bytes.u16(maxp + 4))

        let hmtx = try table("hmtx").offset
        var adv: [UInt16] = []
        adv.reserveCapacity(glyphCount)
        for g in 0..<glyphCount {
            adv.append(try bytes.u16(hmtx + 4 * min(g, max(metricsCount - 1, 0))))
        }
        advances = adv

        let loca = try table("loca").offset
        let glyf = try table("glyf")
        var locations: [Int] = []
        locations.reserveCapacity(glyphCount + 1)
        for g in 0...glyphCount {
            locations.append(longLoca ? Int(try bytes.u32(loca + 4 * g)) : 2 * Int(try bytes.u16(loca + 2 * g)))
        }
        reader = GlyphOutlineReader(data: bytes, glyf: glyf.offset, glyfLength: glyf.length, locations: locations)
        cmap = try CharacterMap.parse(bytes, at: try table("cmap").offset)
        if let kern = tables["kern"] {
            kerning = (try? KerningTable.parse(bytes, at: kern.offset, length: kern.length)) ?? [:]
        } else {
            kerning = [:]
        }
        var cap = 0
        if let os2 = tables["OS/2"], try bytes.u16(os2.offset) >= 2, os2.length >= 90 {
            cap = Int(try bytes.i16(os2.offset + 88))
        }
        if cap <= 0, let h = cmap[0x48], Int(h) + 1 < locations.count, locations[Int(h) + 1] > locations[Int(h)] {
            cap = Int(try bytes.i16(glyf.offset + locations[Int(h)] + 8))  // yMax of "H"
        }
        capHeight = cap > 0 ? cap : unitsPerEm * 7 / 10
    }

    /// Loads a TrueType file from disk.
    public convenience init(contentsOfFile path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw FontError.unreadable(path: path) }
        try self.init(data: [UInt8](data))
    }

    /// The glyph for a character, or nil when the font lacks it.
    public func glyph(for scalar: Unicode.Scalar) -> UInt16? { cmap[scalar.value] }

    /// Advance width of a glyph in font units.
    public func advance(_ glyph: UInt16) -> Int {
        Int(glyph) < advances.count ? Int(advances[Int(glyph)]) : 0
    }

    /// Kerning adjustment between two consecutive glyphs in font units (negative pulls them together).
    public func kerning(_ left: UInt16, _ right: UInt16) -> Int {
        Int(kerning[KerningTable.key(left, right)] ?? 0)
    }

    /// Number of kerning pairs read from the kern table.
    public var kerningPairCount: Int { kerning.count }

    /// The outline of a glyph in font units (y up, origin on the baseline at the pen position).
    /// A glyph whose data is malformed yields an empty path.
    public func outline(_ glyph: UInt16) -> Path {
        lock.lock()
        if let cached = outlines[glyph] {
            lock.unlock()
            return cached
        }
        lock.unlock()
        let path = (try? reader.outline(glyph)) ?? Path()
        lock.lock()
        outlines[glyph] = path
        lock.unlock()
        return path
    }

    /// The glyph (nil: the missing-glyph box) mapped by the linear part of `linear` (font units to pixels,
    /// no translation) and flattened, with bounds; cached per glyph and map.
    func flattened(_ glyph: UInt16?, linear: Transform) -> FlatGlyph {
        let key = FlatGlyphKey(glyph: glyph.map { Int32($0) } ?? -1, a: linear.a, b: linear.b, c: linear.c, d: linear.d)
        lock.lock()
        if let cached = flattenedOutlines[key] {
            lock.unlock()
            return cached
        }
        lock.unlock()
        let outline = glyph.map { self.outline($0) } ?? missingGlyphOutline()
        let polylines = outline.flattened(Transform(a: linear.a, b: linear.b, c: linear.c, d: linear.d, tx: 0, ty: 0))
        let flat = FlatGlyph(polylines: polylines, bounds: pointBounds(polylines))
        lock.lock()
        if flattenedOutlines.count >= Self.flattenedCacheLimit { flattenedOutlines.removeAll(keepingCapacity: true) }
        flattenedOutlines[key] = flat
        lock.unlock()
        return flat
    }

    /// Glyph bounding box from the glyf header (xMin, yMin, xMax, yMax) in font units, nil for empty glyphs.
    public func bounds(_ glyph: UInt16) -> (xMin: Int, yMin: Int, xMax: Int, yMax: Int)? {
        let i = Int(glyph)
        guard i + 1 < reader.locations.count, reader.locations[i + 1] > reader.locations[i] else { return nil }
        let base = reader.glyf + reader.locations[i]
        guard let x0 = try? reader.data.i16(base + 2), let y0 = try? reader.data.i16(base + 4),
              let x1 = try? reader.data.i16(base + 6), let y1 = try? reader.data.i16(base + 8) else { return nil }
        return (Int(x0), Int(y0), Int(x1), Int(y1))
    }
}

extension Font {
    /// DejaVu Sans (a subset: ASCII, Latin-1, Greek, dashes, the minus sign, super- and subscripts, common math
    /// symbols, ℓ), embedded in the library so text renders the same on every machine; other characters come
    /// from the system's full DejaVu Sans when it is installed (`systemDejaVuSans`), else draw a box.
    /// Licence: Sources/Raster/Font/DejaVuSans-LICENSE.txt (Bitstream Vera / Arev licence).
    public static let dejaVuSans: Font = {
        guard let data = Data(base64Encoded: embeddedDejaVuSansBase64, options: .ignoreUnknownCharacters) else {
            fatalError("Font.dejaVuSans: the embedded font is not valid base64; rerun scripts/make-font-subset")
        }
        do {
            return try Font(data: [UInt8](data), fallback: systemDejaVuSans)
        } catch {
            fatalError("Font.dejaVuSans: the embedded font does not parse (\(error)); rerun scripts/make-font-subset")
        }
    }()

    /// Where the full DejaVu Sans is looked for (Debian's fonts-dejavu-core, other distributions' paths).
    public static let systemDejaVuSansPaths = [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf", "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
    ]

    /// The system's full DejaVu Sans (about 5900 characters), the embedded subset's fallback; nil when
    /// none of `systemDejaVuSansPaths` holds a font that parses. The subset's glyphs are the same
    /// font's, so text mixes without a seam.
    public static let systemDejaVuSans: Font? = {
        for path in systemDejaVuSansPaths {
            guard let data = FileManager.default.contents(atPath: path), let font = try? Font(data: [UInt8](data)) else { continue }
            return font
        }
        return nil
    }()
}

/// Cache key of a flattened glyph: glyph id (-1 for the missing-glyph box) and the 2x2 linear map.
struct FlatGlyphKey: Hashable {
    var glyph: Int32
    var a: Double, b: Double, c: Double, d: Double
}

/// A glyph outline flattened in pixels relative to its pen position, with its bounds (nil when blank).
struct FlatGlyph {
    var polylines: [Polyline]
    var bounds: Rect?
}
