import Foundation

/// How data values map to positions along an axis.
///
/// Each scale is a monotone transform `t(v)`; the axis maps `t` linearly onto pixels.
public enum Scale: Sendable, Hashable {
    /// `t = v`.
    case linear
    /// `t = log10(v)`; values <= 0 are not drawn.
    case log
    /// Symmetric log: `t = sign(v) log10(1 + |v| / threshold)`. Linear near 0 (|v| << threshold),
    /// logarithmic beyond it, defined for every real value.
    case symlog(threshold: Double)

    /// The transformed coordinate, or nil when the value cannot be shown on this scale (NaN, infinite,
    /// or <= 0 on a log scale).
    public func transform(_ v: Double) -> Double? {
        guard v.isFinite else { return nil }
        switch self {
        case .linear: return v
        case .log: return v > 0 ? Foundation.log10(v) : nil
        case .symlog(let c):
            let t = Foundation.log10(1 + abs(v) / c)
            return v < 0 ? -t : t
        }
    }

    /// Inverse of `transform`.
    public func inverse(_ t: Double) -> Double {
        switch self {
        case .linear: return t
        case .log: return pow(10, t)
        case .symlog(let c):
            let v = c * (pow(10, abs(t)) - 1)
            return t < 0 ? -v : v
        }
    }

    /// True for `.log`.
    public var isLog: Bool { if case .log = self { return true } else { return false } }
}

/// Maps a data interval on a scale to a pixel interval. `pixels` may be decreasing (y axes: larger
/// values are higher on screen, so smaller y).
public struct AxisMapping: Sendable {
    public var scale: Scale
    /// Data limits (in data units), lower < upper.
    public var limits: ClosedRange<Double>
    /// Pixel coordinates of `limits.lowerBound` and `limits.upperBound`.
    public var pixels: (Double, Double)

    public init(scale: Scale, limits: ClosedRange<Double>, pixels: (Double, Double)) {
        self.scale = scale
        self.limits = limits
        self.pixels = pixels
    }

    /// Pixel position of a data value (nil when the scale cannot show it). Values outside the limits map
    /// outside the pixel interval (clipping is the caller's job).
    public func map(_ v: Double) -> Double? {
        guard let t = scale.transform(v), let t0 = scale.transform(limits.lowerBound),
              let t1 = scale.transform(limits.upperBound), t1 != t0 else { return nil }
        let f = (t - t0) / (t1 - t0)
        return pixels.0 + f * (pixels.1 - pixels.0)
    }

    /// Data value at a pixel position.
    public func value(at pixel: Double) -> Double {
        let t0 = scale.transform(limits.lowerBound) ?? 0, t1 = scale.transform(limits.upperBound) ?? 1
        let f = (pixel - pixels.0) / (pixels.1 - pixels.0)
        return scale.inverse(t0 + f * (t1 - t0))
    }
}

/// Data limits with a margin: `fraction` of the transformed span on each side (matplotlib uses 5%).
/// A degenerate range (one value) widens to something visible: +-10% of the value on linear scales
/// (+-1 around 0), a factor of 10^0.5 each way on log scales.
public func paddedLimits(_ values: [Double], scale: Scale, fraction: Double = 0.05) -> ClosedRange<Double>? {
    let ts = values.compactMap { scale.transform($0) }
    guard var lo = ts.min(), var hi = ts.max() else { return nil }
    if hi - lo < 1e-12 * max(1, abs(lo)) {
        switch scale {
        case .log: lo -= 0.5; hi += 0.5
        case .linear:
            let d = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= d; hi += d
        case .symlog: lo -= 0.5; hi += 0.5
        }
    } else {
        let d = (hi - lo) * fraction
        lo -= d; hi += d
    }
    return scale.inverse(lo)...scale.inverse(hi)
}
