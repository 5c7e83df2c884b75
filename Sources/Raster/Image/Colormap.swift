/// Maps a value in 0...1 to a colour by linear interpolation between equally spaced stops, through a
/// 256-entry lookup table (values are quantized to 1/255, as matplotlib's 256-colour maps do). Raster ships only simple maps; Plot defines the perceptual ones (viridis etc.)
/// by their stops.
public struct Colormap: Sendable {
    /// 256 premultiplied pixels, index = round(t * 255).
    let table: [Pixel]
    /// Colour for NaN values.
    public var invalid: Color

    /// Stops are spread evenly over 0...1 (the first at 0, the last at 1); at least one is needed.
    public init(stops: [Color], invalid: Color = .clear) {
        precondition(!stops.isEmpty, "Colormap(stops:): needs at least one colour")
        var t: [Pixel] = []
        t.reserveCapacity(256)
        for i in 0..<256 {
            let x = Double(i) / 255 * Double(stops.count - 1)
            let k = min(Int(x), stops.count - 1), f = x - Double(k)
            let a = stops[k], b = stops[min(k + 1, stops.count - 1)]
            t.append(Pixel(Color(red: a.red + (b.red - a.red) * f, green: a.green + (b.green - a.green) * f,
                                 blue: a.blue + (b.blue - a.blue) * f, alpha: a.alpha + (b.alpha - a.alpha) * f)))
        }
        table = t
        self.invalid = invalid
    }

    /// The colour at `t` (clamped to 0...1), 8-bit premultiplied.
    public func pixel(_ t: Double) -> Pixel {
        guard t.isFinite else { return Pixel(invalid) }
        return table[Int((min(max(t, 0), 1) * 255).rounded())]
    }

    /// Black to white.
    public static let grays = Colormap(stops: [.black, .white])
}
