import Testing
@testable import Plot

/// Tick placement against hand-checked expectations.
@Suite("Tick placement")
struct TickTests {
    @Test("linear 1-2-5 steps over ordinary ranges")
    func linearOrdinary() {
        let unit = TickLocator.linear(0...1, maxMajor: 6)
        #expect(unit.major == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(unit.labels == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        #expect(unit.minor.count == 15)   // step 0.2 split in 4 -> 0.05 apart: 21 positions minus 6 majors
        let hundred = TickLocator.linear(0...100, maxMajor: 6)
        #expect(hundred.major == [0, 20, 40, 60, 80, 100])
        #expect(hundred.labels == ["0", "20", "40", "60", "80", "100"])
        let steps = TickLocator.linear(0...300, maxMajor: 7)
        #expect(steps.major == [0, 50, 100, 150, 200, 250, 300])
    }

    @Test("negative and straddling ranges use a true minus sign")
    func negative() {
        let t = TickLocator.linear(-3.7...12.1, maxMajor: 6)
        #expect(t.major == [0, 5, 10])
        let n = TickLocator.linear(-1...1, maxMajor: 5)
        #expect(n.major == [-1, -0.5, 0, 0.5, 1])
        #expect(n.labels == ["\u{2212}1.0", "\u{2212}0.5", "0.0", "0.5", "1.0"])
        let all = TickLocator.linear(-250 ... -20, maxMajor: 6)
        #expect(all.major == [-250, -200, -150, -100, -50])
        #expect(all.labels.first == "\u{2212}250")
    }

    @Test("tiny ranges: decimals or a shared power of ten, never 0.30000000000000004")
    func tiny() {
        let t = TickLocator.linear(0.0012...0.0047, maxMajor: 6)
        #expect(t.major == [0.002, 0.003, 0.004])
        #expect(t.labels == ["0.002", "0.003", "0.004"])
        let thirds = TickLocator.linear(0.1...0.35, maxMajor: 6)
        #expect(thirds.major == [0.1, 0.15, 0.2, 0.25, 0.3, 0.35])
        #expect(thirds.labels == ["0.10", "0.15", "0.20", "0.25", "0.30", "0.35"])
        let micro = TickLocator.linear(1e-6...5e-6, maxMajor: 5)
        #expect(micro.major.count == 5)
        #expect(micro.labels == ["1×10⁻⁶", "2×10⁻⁶", "3×10⁻⁶", "4×10⁻⁶", "5×10⁻⁶"])
    }

    @Test("huge ranges are written with a power of ten")
    func huge() {
        let t = TickLocator.linear(1.3e6...4.2e6, maxMajor: 6)
        #expect(t.major == [1.5e6, 2e6, 2.5e6, 3e6, 3.5e6, 4e6])
        #expect(t.labels == ["1.5×10⁶", "2.0×10⁶", "2.5×10⁶", "3.0×10⁶", "3.5×10⁶", "4.0×10⁶"])
        let big = TickLocator.linear(0...3e12, maxMajor: 4)
        #expect(big.labels == ["0", "1×10¹²", "2×10¹²", "3×10¹²"])
    }

    /// Found by the runplan fuzzer: a log axis over [1e300, 1e300 + 1 ulp] fell back to linear
    /// ticks with a step of 1e-8, and the tick index 1e308 trapped in Int(_:).
    @Test("a span of a few ulps at any magnitude gives ticks, never a trap", arguments: [1e300, -1e300, 1e20, 3.0, 1e-200, 1.7976931348623157e308])
    func ulpSpan(x: Double) {
        for scale in [Scale.linear, .log, .symlog(threshold: 1)] where scale != .log || x > 0 {
            let limits = min(x, x.nextUp)...max(x, x.nextUp.nextUp)
            let t = TickLocator.ticks(limits, scale: scale)
            #expect(t.major.count == t.labels.count && t.major.count <= 7)
            let slack = max(abs(limits.lowerBound), abs(limits.upperBound)) * 1e-9
            #expect(t.major.allSatisfy { $0 >= limits.lowerBound - slack && $0 <= limits.upperBound + slack }, "\(t.major) outside \(limits.lowerBound)...\(limits.upperBound)")
        }
        let lone = TickLocator.linear(x...x)
        #expect(lone.major.count <= 1 && lone.minor.count < 1000)
    }

    @Test("a single value widens to a visible range with ticks")
    func singleValue() {
        let lim = paddedLimits([3, 3], scale: .linear)!
        #expect(abs(lim.lowerBound - 2.7) < 1e-12 && abs(lim.upperBound - 3.3) < 1e-12)
        #expect(TickLocator.linear(lim, maxMajor: 5).major == [2.8, 3.0, 3.2])
        let zero = paddedLimits([0], scale: .linear)!
        #expect(zero == -1...1)
        let logOne = paddedLimits([100], scale: .log)!
        #expect(abs(logOne.lowerBound - 100 / 10.0.squareRoot()) < 1e-9)
        #expect(TickLocator.log(logOne).major == [50, 100, 200])
    }

    @Test("log across many decades: powers of ten with superscripts, thinned when crowded")
    func logManyDecades() {
        let t = TickLocator.log(1e-3...1e3, maxMajor: 7)
        #expect(t.major == [1e-3, 1e-2, 1e-1, 1, 10, 100, 1000])
        #expect(t.labels == ["10⁻³", "10⁻²", "10⁻¹", "10⁰", "10¹", "10²", "10³"])
        #expect(t.minor.count == 6 * 8)   // 2..9 in each of the six decades
        let wide = TickLocator.log(1e-12...1e12, maxMajor: 7)
        #expect(wide.labels == ["10⁻¹²", "10⁻⁸", "10⁻⁴", "10⁰", "10⁴", "10⁸", "10¹²"])
        #expect(wide.minor.contains(1e-11) && !wide.minor.contains(2e-11))
    }

    @Test("log across 1 and within a decade: 1-2-5 ticks as plain numbers")
    func logAcrossOne() {
        let t = TickLocator.log(0.3...30, maxMajor: 7)
        #expect(t.major == [0.5, 1, 2, 5, 10, 20])
        #expect(t.labels == ["0.5", "1", "2", "5", "10", "20"])
        #expect(t.minor.contains(0.3) && t.minor.contains(3) && t.minor.contains(30))
        let twoDecades = TickLocator.log(0.05...5, maxMajor: 5)   // 1-2-5 would need 7 labels: decades
        #expect(twoDecades.labels == ["10⁻¹", "10⁰"])
        let sharp = TickLocator.log(2.9...10.5, maxMajor: 8)     // 1-2-5 gives only 5 and 10: every integer
        #expect(sharp.major == [3, 4, 5, 6, 7, 8, 9, 10])
        let narrow = TickLocator.log(1.5...40, maxMajor: 7)
        #expect(narrow.major == [2, 5, 10, 20])
        #expect(narrow.labels == ["2", "5", "10", "20"])
        let small = TickLocator.log(0.0015...0.03, maxMajor: 7)
        #expect(small.labels == ["0.002", "0.005", "0.01", "0.02"])
        let sliver = TickLocator.log(3.1...3.9, maxMajor: 7)
        #expect(sliver.major.count >= 2 && sliver.major.allSatisfy { (3.1...3.9).contains($0) })
    }

    @Test("symlog: zero and signed powers of ten")
    func symlog() {
        let t = TickLocator.symlog(-1000...1000, threshold: 1, maxMajor: 9)
        #expect(t.major == [-1000, -100, -10, 0, 10, 100, 1000])
        #expect(t.labels == ["\u{2212}10³", "\u{2212}10²", "\u{2212}10¹", "0", "10¹", "10²", "10³"])
        let s = Scale.symlog(threshold: 1)
        #expect(s.transform(-9)! == -1 && abs(s.inverse(s.transform(123)!) - 123) < 1e-9)
    }

    @Test("scales map values to pixels and back")
    func mapping() {
        let m = AxisMapping(scale: .log, limits: 1...1000, pixels: (400, 100))
        #expect(m.map(10)! == 300 && m.map(1000)! == 100)
        #expect(m.map(0) == nil && m.map(.nan) == nil)
        #expect(abs(m.value(at: 200) - 100) < 1e-9)
    }

    @Test("superscript exponents")
    func superscripts() {
        #expect(TickFormat.powerOfTen(-12) == "10⁻¹²")
        #expect(TickFormat.plain(2e-7) == "2×10⁻⁷")
        #expect(TickFormat.fixed(-0.0001, decimals: 2) == "0.00")
    }
}
