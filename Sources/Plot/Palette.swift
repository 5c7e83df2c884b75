import Raster

/// Colours for data: a colorblind-safe cycle and a perceptually uniform colormap.
public enum Palette {
    /// The Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design"), distinguishable under the common
    /// colour-vision deficiencies, reordered so the first colours contrast most: blue, vermillion,
    /// bluish green, reddish purple, orange, sky blue, black, yellow.
    public static let cycle: [Color] = [
        Color(hex: 0x0072B2), Color(hex: 0xD55E00), Color(hex: 0x009E73), Color(hex: 0xCC79A7),
        Color(hex: 0xE69F00), Color(hex: 0x56B4E9), Color(hex: 0x000000), Color(hex: 0xF0E442),
    ]

    /// The `i`-th colour of the cycle (wrapping).
    public static func color(_ i: Int) -> Color { cycle[((i % cycle.count) + cycle.count) % cycle.count] }

    /// Reference lines (thresholds) and other non-data ink.
    public static let reference = Color(hex: 0x333333)
    /// Axis frame, ticks and text.
    public static let ink = Color(hex: 0x1A1A1A)
    /// Major grid lines.
    public static let grid = Color(hex: 0xE3E3E3)
}

extension Colormap {
    /// A viridis-like perceptually uniform map (dark blue-purple -> teal -> yellow), monotone in lightness,
    /// readable in grayscale and by colorblind viewers. Built from the nine published anchor colours of
    /// the viridis scale (van der Walt & Smith, 2015; the R `viridis(9)` palette) interpolated linearly.
    public static let viridis = Colormap(stops: [
        Color(hex: 0x440154), Color(hex: 0x472D7B), Color(hex: 0x3B528B), Color(hex: 0x2C728E),
        Color(hex: 0x21908C), Color(hex: 0x27AD81), Color(hex: 0x5DC863), Color(hex: 0xAADC32),
        Color(hex: 0xFDE725),
    ], invalid: Color(hex: 0xFFFFFF))
}
