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

    /// The transformed coordinates axes keep their limits in: their inverses, and the span between
    /// any two, are finite (a quarter of Double's largest on linear axes, 10^±300 on log ones).
    /// Data beyond is drawn clipped; without this, limits padded past Double's range became
    /// infinite and tick placement trapped on Int(infinity).
    public var usableRange: ClosedRange<Double> {
        switch self {
        case .linear: return -Double.greatestFiniteMagnitude / 4...Double.greatestFiniteMagnitude / 4
        case .log: return -300...300
        case .symlog(let c):
            let top = c > 0 && c.isFinite ? min(300, Foundation.log10(Double.greatestFiniteMagnitude / 4 / c)) : 300
            return -top...top
        }
    }

    /// `limits` moved inside `usableRange`: finite ends (an infinite end, or one a log scale cannot
    /// show, goes to the usable end on its side).
    public func usable(_ limits: ClosedRange<Double>) -> ClosedRange<Double> {
        let range = usableRange
        func inside(_ v: Double) -> Double {
            guard let t = transform(v) else { return v > 0 ? range.upperBound : range.lowerBound }
            return min(max(t, range.lowerBound), range.upperBound)
        }
        let (a, b) = (inverse(inside(limits.lowerBound)), inverse(inside(limits.upperBound)))
        return min(a, b)...max(a, b)
    }
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
        let d = hi * fraction - lo * fraction   // (hi - lo) * fraction, which overflows for data near ±Double's largest
        lo -= d; hi += d
    }
    let range = scale.usableRange
    lo = min(max(lo, range.lowerBound), range.upperBound)
    hi = min(max(hi, range.lowerBound), range.upperBound)
    return scale.inverse(lo)...scale.inverse(hi)
}
