import Foundation

/// Major and minor tick positions of one axis, with the labels of the major ticks.
public struct Ticks: Sendable, Equatable {
    /// Major tick values (data units), ascending, within the limits.
    public var major: [Double]
    /// Labels for `major`, same count.
    public var labels: [String]
    /// Minor tick values, ascending, within the limits, excluding major positions.
    public var minor: [Double]
}

extension Ticks {
    /// The ticks at whole numbers (for an axis of steps: no "2.5"). When fractions were dropped the
    /// kept ticks were labelled at the fractions' precision ("1.0"), so they are relabelled as integers.
    func integersOnly() -> Ticks {
        let keep = major.indices.filter { major[$0] == major[$0].rounded() }
        let kept = keep.map { major[$0] }
        let relabel = keep.count < major.count && kept.allSatisfy { abs($0) < 1e15 }
        return Ticks(major: kept, labels: relabel ? kept.map { String(Int($0)) } : keep.map { labels[$0] },
                     minor: minor.filter { $0 == $0.rounded() })
    }
}

/// Tick placement for linear, log and symlog axes.
public enum TickLocator {
    /// The ticks of `limits` on `scale`, with at most `maxMajor` major ticks (>= 2). Limits beyond
    /// the scale's usable range (infinite ends or span) have none.
    public static func ticks(_ limits: ClosedRange<Double>, scale: Scale, maxMajor: Int = 7) -> Ticks {
        guard limits.lowerBound.isFinite, limits.upperBound.isFinite, (limits.upperBound - limits.lowerBound).isFinite else {
            return Ticks(major: [], labels: [], minor: [])
        }
        switch scale {
        case .linear: return linear(limits, maxMajor: maxMajor)
        case .log: return log(limits, maxMajor: maxMajor)
        case .symlog(let c): return symlog(limits, threshold: c, maxMajor: maxMajor)
        }
    }

    /// The smallest step of the form {1, 2, 5} x 10^k that puts at most `maxMajor` ticks in the limits.
    /// Returns the mantissa (1, 2 or 5) and the exponent k.
    /// A span below 1e-12 of the limits' magnitude counts as that much: ticks are then at most
    /// about 10^13 steps from zero, so their indices stay far inside `Int` (a span of one ulp
    /// at 1e300 would otherwise ask for tick number 10^300).
    public static func niceStep(_ limits: ClosedRange<Double>, maxMajor: Int) -> (mantissa: Int, exponent: Int) {
        let magnitude = max(abs(limits.lowerBound), abs(limits.upperBound))
        let span = max(limits.upperBound - limits.lowerBound, magnitude * 1e-12, 1e-300)
        var e = Int(floor(Foundation.log10(span / Double(max(maxMajor, 2))))) - 1
        while true {
            for m in [1, 2, 5] {
                let step = Double(m) * pow(10, Double(e))
                let first = ceil(limits.lowerBound / step - 1e-9), last = floor(limits.upperBound / step + 1e-9)
                if last - first + 1 <= Double(maxMajor) { return (m, e) }
            }
            e += 1
        }
    }

    /// `k * m * 10^e` computed so that decimal values come out as the nearest double (0.3, not 0.30000000000000004).
    static func value(_ k: Double, _ m: Int, _ e: Int) -> Double {
        e >= 0 ? k * Double(m) * pow(10, Double(e)) : k * Double(m) / pow(10, Double(-e))
    }

    /// 1-2-5 ticks; minor ticks split each major interval in 5 (steps 1 and 5) or 4 (step 2).
    public static func linear(_ limits: ClosedRange<Double>, maxMajor: Int = 7) -> Ticks {
        let (m, e) = niceStep(limits, maxMajor: maxMajor)
        let step = value(1, m, e)
        let first = ceil(limits.lowerBound / step - 1e-9), last = floor(limits.upperBound / step + 1e-9)
        var major: [Double] = []
        if first <= last, last - first < Double(maxMajor) + 1, abs(first) < 1e15, abs(last) < 1e15 {
            for k in Int(first)...Int(last) { major.append(value(Double(k), m, e)) }
        }
        let parts = m == 2 ? 4 : 5
        let minorStep = step / Double(parts)
        var minor: [Double] = []
        let mf = ceil(limits.lowerBound / minorStep - 1e-9), ml = floor(limits.upperBound / minorStep + 1e-9)
        if mf <= ml, ml - mf < 1000, abs(mf) < 1e15, abs(ml) < 1e15 {
            for k in Int(mf)...Int(ml) where k % parts != 0 { minor.append(value(Double(k), m, e) / Double(parts)) }
        }
        let labels = TickFormat.linearLabels(major, mantissa: m, exponent: e)
        return Ticks(major: major, labels: labels, minor: minor)
    }

    /// Log ticks. Across three or more decades: one major tick per decade (or per 2, 3, 5, 10... decades when
    /// there are too many), labelled 10ⁿ, with minor ticks at 2..9 x 10ⁿ when every decade is labelled.
    /// Across less: majors at 1, 2, 5 x 10ⁿ labelled as plain numbers (0.05, 2, 500), minors at the other
    /// integer multiples; when that gives fewer than 3 labels, every integer multiple is labelled
    /// (3, 4, 5, ... 10); within a sliver of a decade, linear ticks.
    public static func log(_ limits: ClosedRange<Double>, maxMajor: Int = 7) -> Ticks {
        let lo = max(limits.lowerBound, 1e-300), hi = max(limits.upperBound, lo)
        let d0 = Int(ceil(Foundation.log10(lo) - 1e-9)), d1 = Int(floor(Foundation.log10(hi) + 1e-9))
        let inRange = { (v: Double) in v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9) }
        let fine = oneTwoFive(lo: lo, hi: hi, inRange: inRange)
        if d1 - d0 + 1 >= 3 || (d1 - d0 + 1 == 2 && fine.major.count > maxMajor) {
            let count = d1 - d0 + 1
            var every = 1
            for s in [1, 2, 3, 4, 5, 10, 20, 25, 50, 100] where (count + s - 1) / s <= maxMajor { every = s; break }
            if (count + every - 1) / every > maxMajor { every = (count + maxMajor - 1) / maxMajor }
            let start = Int(ceil(Double(d0) / Double(every))) * every
            let decades = stride(from: start, through: d1, by: every).map { $0 }
            let major = decades.map { pow(10, Double($0)) }
            var minor: [Double] = []
            if every == 1 {
                for d in (d0 - 1)...d1 { for k in 2...9 { let v = TickLocator.value(Double(k), 1, d); if inRange(v) { minor.append(v) } } }
            } else {
                for d in d0...d1 where !decades.contains(d) { minor.append(pow(10, Double(d))) }
            }
            return Ticks(major: major, labels: decades.map(TickFormat.powerOfTen), minor: minor)
        }
        // Up to two decades: 1-2-5 majors (or every integer multiple when that gives too few), else linear.
        if fine.major.count >= 3 || (fine.major.count >= 2 && fine.all.count > maxMajor) {
            return Ticks(major: fine.major, labels: fine.major.map(TickFormat.plain), minor: fine.minor)
        }
        if fine.all.count >= 2 && fine.all.count <= maxMajor {
            return Ticks(major: fine.all, labels: fine.all.map(TickFormat.plain), minor: [])
        }
        var t = linear(lo...hi, maxMajor: max(3, maxMajor - 2))
        t.minor = []
        return t
    }

    /// The values {1..9} x 10ⁿ inside the range, split into 1-2-5 majors and the rest.
    static func oneTwoFive(lo: Double, hi: Double, inRange: (Double) -> Bool) -> (major: [Double], minor: [Double], all: [Double]) {
        var major: [Double] = [], minor: [Double] = [], all: [Double] = []
        let e0 = Int(floor(Foundation.log10(lo))), e1 = Int(floor(Foundation.log10(hi)))
        guard e1 - e0 < 400 else { return ([], [], []) }
        for e in e0...e1 {
            for k in 1...9 {
                let v = TickLocator.value(Double(k), 1, e)
                guard inRange(v) else { continue }
                all.append(v)
                if k == 1 || k == 2 || k == 5 { major.append(v) } else { minor.append(v) }
            }
        }
        return (major, minor, all)
    }

    /// Symlog ticks: 0 (when in range) and +-10ⁿ at least ~3 thresholds away from 0, thinned to fit.
    public static func symlog(_ limits: ClosedRange<Double>, threshold c: Double, maxMajor: Int = 7) -> Ticks {
        let e0 = Int(ceil(Foundation.log10(c) - 1e-9))
        var candidates: [Double] = []
        let big = max(abs(limits.lowerBound), abs(limits.upperBound))
        let eMax = big > 0 ? Int(floor(Foundation.log10(big) + 1e-9)) : e0
        if eMax >= e0 {
            for e in e0...eMax {
                let v = pow(10, Double(e))
                // Powers of ten closer to 0 than ~0.6 decade crowd the 0 label: skip them.
                if Foundation.log10(1 + v / c) < 0.6 { continue }
                if limits.contains(v) { candidates.append(v) }
                if limits.contains(-v) { candidates.append(-v) }
            }
        }
        if limits.contains(0) { candidates.append(0) }
        candidates.sort()
        var every = 1
        while (candidates.count + every - 1) / every > maxMajor { every += 1 }
        let kept = candidates.enumerated().filter { $0.offset % every == 0 || $0.element == 0 }.map(\.element)
        let labels = kept.map { v -> String in
            if v == 0 { return "0" }
            let p = TickFormat.powerOfTen(Int(Foundation.log10(abs(v)).rounded()))
            return v < 0 ? "\u{2212}" + p : p
        }
        return Ticks(major: kept, labels: labels, minor: [])
    }
}
