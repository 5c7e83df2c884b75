// SVG output against an independent renderer: each scene's SVG, rasterized by rsvg-convert
// (librsvg), must match the scene's own PNG pixel for pixel except along text and antialiased
// edges, and the same comparison must fail for an SVG shifted by one pixel.

import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Plot
import Raster
import Testing
import TestSupport

@Suite("SVG figures")
struct SVGTests {
    /// The fraction of pixels whose largest channel difference exceeds 48 levels (of 255).
    static func differingFraction(_ a: RGBAImage, _ b: RGBAImage) -> Double {
        precondition(a.width == b.width && a.height == b.height)
        var differing = 0
        for p in stride(from: 0, to: a.bytes.count, by: 4) {
            var largest = 0
            for c in 0..<3 { largest = max(largest, abs(Int(a.bytes[p + c]) - Int(b.bytes[p + c]))) }
            if largest > 48 { differing += 1 }
        }
        return Double(differing) / Double(a.width * a.height)
    }

    /// rsvg-convert's rendering of `svg` (white background).
    static func rendered(_ svg: String, in dir: URL, name: String) throws -> RGBAImage {
        let source = dir.appendingPathComponent("\(name).svg"), png = dir.appendingPathComponent("\(name)-rsvg.png")
        try svg.write(to: source, atomically: true, encoding: .utf8)
        let result = try runProcess("/usr/bin/env", ["rsvg-convert", "--background-color", "white", source.path, "-o", png.path])
        guard result.status == 0 else { throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "rsvg-convert: \(result.stderr)"]) }
        return try RGBAImage(pngFile: png.path)
    }

    @Test("rsvg-convert draws each scene's SVG as our rasterizer draws its PNG; a one-pixel shift is caught",
          arguments: Scenes.all.map(\.0))
    func matchesTheRaster(_ name: String) throws {
        let figure = Scenes.all.first { $0.0 == name }!.1
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("curv-svg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let ours = figure.rasterize().image
        let svg = figure.svg()
        // Well-formed XML.
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "\(name): \(String(describing: parser.parserError))")
        let theirs = try Self.rendered(svg, in: dir, name: name)
        #expect(theirs.width == ours.width && theirs.height == ours.height)
        let same = Self.differingFraction(ours, theirs)
        // Text is drawn by another font engine (hinting, gamma): measured 0.4-0.7% of pixels.
        #expect(same < 0.012, "\(name): \(same * 100)% of pixels differ")
        // The same drawing moved by one pixel differs far more: the comparison sees placement.
        let shifted = svg.replacingOccurrences(of: "</desc>", with: "</desc>\n<g transform=\"translate(1 0)\">")
            .replacingOccurrences(of: "</svg>", with: "</g>\n</svg>")
        let moved = Self.differingFraction(ours, try Self.rendered(shifted, in: dir, name: name + "-shifted"))
        #expect(moved > 2 * same && moved > 0.015, "\(name): shifted by one pixel, only \(moved * 100)% of pixels differ (unshifted \(same * 100)%)")
        print("svg \(name): \(String(format: "%.3f", same * 100))% of pixels differ; shifted by 1 px: \(String(format: "%.3f", moved * 100))%")
    }

    @Test("text is escaped and stays text; numbers are short; clip regions nest as groups")
    func documentShape() throws {
        var b = SVGBackend(width: 100, height: 50)
        b.drawText("a < b & \"c\" λ_max\u{1}", at: Point(10, 20), size: 12, color: .black, alignment: .left, baseline: .baseline, angle: 0)
        b.setClip(Rect(x: 1, y: 2, width: 30, height: 40))
        b.strokePolyline([Point(0, 0), Point(10.25, 3.5)], style: StrokeStyle(width: 1.5, dash: [4, 2]), color: Color(red: 1, green: 0, blue: 0, alpha: 0.5))
        b.setClip(nil)
        let svg = b.document()
        #expect(svg.contains(">a &lt; b &amp; &quot;c&quot; λ_max</text>"))
        #expect(svg.contains(#"d="M0 0 L10.25 3.5""#) && svg.contains(#"stroke-dasharray="4 2""#) && svg.contains(#"stroke-opacity="0.5""#))
        #expect(svg.contains(#"<g clip-path="url(#clip1)">"#))
        #expect(XMLParser(data: Data(svg.utf8)).parse())
        // A left-aligned baseline anchor is the text's own origin.
        #expect(svg.contains(#"<text x="10" y="20""#))
    }
}
