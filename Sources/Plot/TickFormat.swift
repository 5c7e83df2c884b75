import Foundation

/// Text of tick labels: true minus signs (U+2212), superscript exponents, no trailing zeros.
public enum TickFormat {
    static let superscriptDigits: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]

    /// `n` written with superscript digits and a superscript minus (for exponents).
    public static func superscript(_ n: Int) -> String {
        let digits = String(abs(n)).map { superscriptDigits[Int(String($0))!] }
        return (n < 0 ? "⁻" : "") + String(digits)
    }

    /// "10ⁿ" (n may be negative: 10⁻³).
    public static func powerOfTen(_ n: Int) -> String { "10" + superscript(n) }

    /// A number with `decimals` digits after the point, a true minus, and "0" for negative zero.
    public static func fixed(_ v: Double, decimals: Int) -> String {
        var s = String(format: "%.\(max(0, decimals))f", v)
        if s.hasPrefix("-") {
            let rest = s.dropFirst()
            s = rest.allSatisfy { $0 == "0" || $0 == "." } ? String(rest) : "\u{2212}" + rest
        }
        return s
    }

    /// Shortest plain text for a value that is a 1-digit mantissa times a power of ten (log ticks):
    /// 0.002, 0.5, 20, 5000; beyond 10⁵ or below 10⁻⁴ "2×10⁻⁵".
    public static func plain(_ v: Double) -> String {
        let e = Int(floor(Foundation.log10(abs(v)) + 1e-9))
        if e >= 5 || e <= -5 {
            let m = v / pow(10, Double(e))
            return fixed(m, decimals: 0) + "×" + powerOfTen(e)
        }
        return fixed(v, decimals: max(0, -e))
    }

    /// Labels for linear ticks with step m x 10^e. Plain decimals normally; when the values are huge
    /// (>= 10⁵) or tiny (step < 10⁻⁴), each label is a mantissa times a shared power of ten ("2.5×10⁶").
    public static func linearLabels(_ values: [Double], mantissa m: Int, exponent e: Int) -> [String] {
        let biggest = values.map(abs).max() ?? 0
        let step = TickLocator.value(1, m, e)
        if biggest >= 1e5 || (step < 1e-4 && biggest < 1e-2) {
            let p = Int(floor(Foundation.log10(max(biggest, step)) + 1e-9))
            let decimals = max(0, p - e)
            return values.map { v in
                if v == 0 { return "0" }
                return fixed(v / pow(10, Double(p)), decimals: decimals) + "×" + powerOfTen(p)
            }
        }
        return values.map { fixed($0, decimals: max(0, -e)) }
    }
}
