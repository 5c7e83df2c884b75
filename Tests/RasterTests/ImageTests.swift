import Foundation
import Testing
@testable import Raster

@Suite("Images, colormaps, transforms")
struct ImageTests {
    let map = Colormap(stops: [.black, Color(red: 1, green: 0, blue: 0), .white], invalid: Color(hex: 0x00FF00))

    @Test("colormap ends, middle, clamping and NaN")
    func colormap() {
        #expect(map.pixel(0) == Pixel(r: 0, g: 0, b: 0, a: 255))
        // 256 table entries (like matplotlib's N = 256): t = 0.5 lands on entry 128, 1/510 past the middle stop.
        let middle = map.pixel(0.5)
        #expect(middle.r == 255 && middle.g <= 1 && middle.b <= 1)
        #expect(map.pixel(1) == Pixel(r: 255, g: 255, b: 255, a: 255))
        #expect(map.pixel(-3) == map.pixel(0) && map.pixel(7) == map.pixel(1))
        #expect(map.pixel(.nan) == Pixel(r: 0, g: 255, b: 0, a: 255))
    }

    @Test("nearest sampling paints each cell as a block of whole pixels")
    func nearestField() {
        var canvas = Canvas(width: 20, height: 20, background: .white)
        let field = ScalarField(width: 2, height: 2, values: [0, 0.5, 1, .nan])
        canvas.drawScalarField(field, in: Rect(x: 0, y: 0, width: 20, height: 20), colormap: map, range: 0...1)
        #expect(canvas.pixel(0, 0) == map.pixel(0) && canvas.pixel(9, 9) == map.pixel(0))
        #expect(canvas.pixel(10, 0) == map.pixel(0.5) && canvas.pixel(19, 9) == map.pixel(0.5))
        #expect(canvas.pixel(0, 10) == map.pixel(1) && canvas.pixel(9, 19) == map.pixel(1))
        #expect(canvas.pixel(15, 15) == map.pixel(.nan))
    }

    @Test("bilinear sampling keeps cell centres and interpolates between them")
    func bilinearField() {
        var canvas = Canvas(width: 40, height: 4, background: .white)
        let field = ScalarField(width: 2, height: 1, values: [0, 1])
        let grays = Colormap.grays
        canvas.drawScalarField(field, in: Rect(x: 0, y: 0, width: 40, height: 4), colormap: grays, range: 0...1,
                               interpolation: .bilinear)
        // Cell centres at x = 10 and 30: pixel 9 (centre 9.5) is just left of the first.
        #expect(canvas.pixel(2, 1).r == 0)
        #expect(canvas.pixel(37, 1).r == 255)
        var previous = -1
        for x in 0..<40 {
            let v = Int(canvas.pixel(x, 2).r)
            #expect(v >= previous)
            previous = v
        }
        #expect(abs(Int(canvas.pixel(20, 1).r) - 134) <= 1)  // centre 20.5: t = 10.5 / 20
    }

    @Test("an RGBA image drawn with nearest sampling, blended by its alpha, limited to the clip")
    func rgbaImage() {
        var canvas = Canvas(width: 8, height: 8, background: .white)
        let image = RGBAImage(width: 2, height: 1, bytes: [255, 0, 0, 255, 0, 0, 255, 128])
        canvas.withClip(PixelRect(x: 0, y: 0, width: 8, height: 2)) { c in
            c.drawImage(image, in: Rect(x: 0, y: 0, width: 8, height: 4))
        }
        #expect(canvas.pixel(1, 1) == Pixel(r: 255, g: 0, b: 0, a: 255))
        #expect(canvas.pixel(6, 1) == Pixel(r: 127, g: 127, b: 255, a: 255))
        #expect(canvas.pixel(1, 2) == Pixel(r: 255, g: 255, b: 255, a: 255), "outside the clip")
    }

    @Test("source-over keeps an opaque canvas opaque, so PNG output skips un-premultiplying")
    func opaqueStaysOpaque() {
        for canvas in [Scenes.strokes(), Scenes.text(), Scenes.heatmap(), Scenes.markers()] {
            #expect(canvas.isOpaque)
            var alphaOK = true
            for i in stride(from: 3, to: canvas.pixels.count, by: 4) where canvas.pixels[i] != 255 { alphaOK = false }
            #expect(alphaOK)
        }
        var c = Canvas(width: 4, height: 4, background: .white)
        c.withClip(PixelRect(x: 0, y: 0, width: 2, height: 2)) { $0.clear(.clear) }
        #expect(!c.isOpaque)
        #expect(c.image.bytes[3] == 0 && c.image.bytes[4 * 3 + 3] == 255)
    }

    @Test("transforms compose right to left and paths map exactly")
    func transforms() {
        let t = Transform.translation(10, 5).concatenating(.rotation(.pi / 2)).concatenating(.scale(2, 3))
        let p = t.apply(Point(1, 1))
        #expect(abs(p.x - 7) < 1e-12 && abs(p.y - 7) < 1e-12)  // scale (2, 3), rotate to (-3, 2), move
        #expect(abs(Transform.rotation(0.3).maxScale - 1) < 1e-12 && abs(Transform.scale(2, -5).maxScale - 5) < 1e-12)
        // A rectangle rotated by 45 degrees keeps its area.
        let square = Path.rect(Rect(x: -5, y: -5, width: 10, height: 10))
        let grid = coverageGrid(square, width: 30, height: 30,
                                transform: Transform.translation(15.2, 14.9).concatenating(.rotation(.pi / 4)))
        #expect(abs(grid.reduce(0, +) - 100) < 1e-3)
    }
}
