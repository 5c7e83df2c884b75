/// How source pixels are sampled when an image is drawn into a rectangle.
public enum Interpolation: Sendable, Hashable {
    /// Each canvas pixel takes the source pixel under its centre (sharp cells, right for heatmaps).
    case nearest
    /// Linear blend of the four source pixels around the centre (smooth; edges clamp).
    case bilinear
}

/// A grid of values drawn through a colormap: `values[row * width + column]`, row 0 at the top.
public struct ScalarField: Sendable {
    public let width: Int
    public let height: Int
    public var values: [Double]

    public init(width: Int, height: Int, values: [Double]) {
        precondition(width >= 0 && height >= 0 && values.count == width * height,
                     "ScalarField: \(values.count) values do not make a \(width)x\(height) grid")
        self.width = width
        self.height = height
        self.values = values
    }
}

extension Canvas {
    /// Draws `image` stretched over `rect` (canvas pixels). Canvas pixels whose centres fall inside `rect`
    /// are painted (so a rectangle on pixel edges paints exactly its pixels); source-over with the image's alpha.
    public mutating func drawImage(_ image: RGBAImage, in rect: Rect, interpolation: Interpolation = .nearest) {
        guard image.width > 0, image.height > 0 else { return }
        let premultiplied: [Pixel] = stride(from: 0, to: image.bytes.count, by: 4).map { i in
            Pixel(Color(r8: image.bytes[i], g8: image.bytes[i + 1], b8: image.bytes[i + 2], a8: image.bytes[i + 3]))
        }
        drawSamples(premultiplied, width: image.width, height: image.height, in: rect, interpolation: interpolation)
    }

    /// Draws a scalar field through `colormap`, mapping `range` to 0...1 (values outside are clamped,
    /// NaN takes the colormap's invalid colour). With bilinear sampling the values are interpolated
    /// before the colormap, as a continuous field should be.
    public mutating func drawScalarField(_ field: ScalarField, in rect: Rect, colormap: Colormap,
                                         range: ClosedRange<Double>, interpolation: Interpolation = .nearest) {
        guard field.width > 0, field.height > 0 else { return }
        let span = range.upperBound - range.lowerBound
        let scale = span > 0 ? 1 / span : 0
        let normalized = field.values.map { ($0 - range.lowerBound) * scale }
        let target = PixelRect(enclosing: rect).intersection(clip)
        guard !target.isEmpty, rect.width > 0, rect.height > 0 else { return }
        let w = width
        for y in target.y..<target.maxY {
            let v = (Double(y) + 0.5 - rect.minY) / rect.height * Double(field.height) - 0.5
            for x in target.x..<target.maxX {
                let u = (Double(x) + 0.5 - rect.minX) / rect.width * Double(field.width) - 0.5
                let t: Double
                switch interpolation {
                case .nearest:
                    let i = min(max(Int((u + 0.5).rounded(.down)), 0), field.width - 1)
                    let j = min(max(Int((v + 0.5).rounded(.down)), 0), field.height - 1)
                    t = normalized[j * field.width + i]
                case .bilinear:
                    t = bilinear(normalized, field.width, field.height, u, v)
                }
                blendPixel(4 * (y * w + x), colormap.pixel(t))
            }
        }
    }

    private mutating func drawSamples(_ source: [Pixel], width sw: Int, height sh: Int, in rect: Rect,
                                      interpolation: Interpolation) {
        let target = PixelRect(enclosing: rect).intersection(clip)
        guard !target.isEmpty, rect.width > 0, rect.height > 0 else { return }
        let w = width
        for y in target.y..<target.maxY {
            let v = (Double(y) + 0.5 - rect.minY) / rect.height * Double(sh) - 0.5
            for x in target.x..<target.maxX {
                let u = (Double(x) + 0.5 - rect.minX) / rect.width * Double(sw) - 0.5
                let p: Pixel
                switch interpolation {
                case .nearest:
                    let i = min(max(Int((u + 0.5).rounded(.down)), 0), sw - 1)
                    let j = min(max(Int((v + 0.5).rounded(.down)), 0), sh - 1)
                    p = source[j * sw + i]
                case .bilinear:
                    p = bilinearPixel(source, sw, sh, u, v)
                }
                blendPixel(4 * (y * w + x), p)
            }
        }
    }

    /// Source-over of one premultiplied pixel at byte offset `i`.
    @inline(__always) private mutating func blendPixel(_ i: Int, _ p: Pixel) {
        if p.a == 255 {
            pixels[i] = p.r; pixels[i + 1] = p.g; pixels[i + 2] = p.b; pixels[i + 3] = 255
        } else if p.a > 0 {
            let k = Float(255 - Int(p.a)) / 255
            pixels[i] = UInt8(Float(p.r) + Float(pixels[i]) * k + 0.5)
            pixels[i + 1] = UInt8(Float(p.g) + Float(pixels[i + 1]) * k + 0.5)
            pixels[i + 2] = UInt8(Float(p.b) + Float(pixels[i + 2]) * k + 0.5)
            pixels[i + 3] = UInt8(Float(p.a) + Float(pixels[i + 3]) * k + 0.5)
        }
    }
}

/// Bilinear sample of a row-major grid at continuous cell coordinates (u, v), cell centres at integers; edges clamp.
func bilinear(_ g: [Double], _ w: Int, _ h: Int, _ u: Double, _ v: Double) -> Double {
    let uc = min(max(u, 0), Double(w - 1)), vc = min(max(v, 0), Double(h - 1))
    let i0 = Int(uc), j0 = Int(vc)
    let i1 = min(i0 + 1, w - 1), j1 = min(j0 + 1, h - 1)
    let fu = uc - Double(i0), fv = vc - Double(j0)
    let top = g[j0 * w + i0] * (1 - fu) + g[j0 * w + i1] * fu
    let bottom = g[j1 * w + i0] * (1 - fu) + g[j1 * w + i1] * fu
    return top * (1 - fv) + bottom * fv
}

/// Bilinear sample of premultiplied pixels (interpolating premultiplied values avoids dark fringes).
func bilinearPixel(_ g: [Pixel], _ w: Int, _ h: Int, _ u: Double, _ v: Double) -> Pixel {
    let uc = min(max(u, 0), Double(w - 1)), vc = min(max(v, 0), Double(h - 1))
    let i0 = Int(uc), j0 = Int(vc)
    let i1 = min(i0 + 1, w - 1), j1 = min(j0 + 1, h - 1)
    let fu = uc - Double(i0), fv = vc - Double(j0)
    let w00 = (1 - fu) * (1 - fv), w10 = fu * (1 - fv), w01 = (1 - fu) * fv, w11 = fu * fv
    let a = g[j0 * w + i0], b = g[j0 * w + i1], c = g[j1 * w + i0], d = g[j1 * w + i1]
    func mix(_ k: KeyPath<Pixel, UInt8>) -> UInt8 {
        let value = Double(a[keyPath: k]) * w00 + Double(b[keyPath: k]) * w10 + Double(c[keyPath: k]) * w01 + Double(d[keyPath: k]) * w11
        return UInt8(min(255, max(0, value.rounded())))
    }
    return Pixel(r: mix(\.r), g: mix(\.g), b: mix(\.b), a: mix(\.a))
}
