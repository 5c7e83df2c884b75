import Testing
@testable import Raster

@Suite("Golden images")
struct GoldenTests {
    @Test("strokes, joins, caps, dashes, hairlines, fill rules") func strokes() throws { try checkGolden(Scenes.strokes(), "strokes") }
    @Test("text at several sizes, kerning, Greek, rotation, missing glyph") func text() throws { try checkGolden(Scenes.text(), "text") }
    @Test("heatmap: scalar field nearest and bilinear, RGBA image") func heatmap() throws { try checkGolden(Scenes.heatmap(), "heatmap") }
    @Test("markers") func markers() throws { try checkGolden(Scenes.markers(), "markers") }
}
