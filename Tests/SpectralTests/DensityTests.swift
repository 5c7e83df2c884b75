import Spectral
import Tensor
import Testing
import TestSupport

/// Trapezoid integral of samples on an even grid.
func integral(_ grid: [Double], _ f: [Double]) -> Double {
    let h = grid[1] - grid[0]
    return h * (f.reduce(0, +) - (f.first! + f.last!) / 2)
}

@Suite("Spectral densities against known spectra")
struct DensityTests {
    static let wishartN = 400, wishartRows = 800
    static let wishart = Matrices.wishart(n: wishartN, rows: wishartRows, seed: 61)

    @Test("the SLQ density integrates to 1 and its spread is zero for one probe, positive for several")
    func normalization() throws {
        let op = SymmetricOperator.dense(Self.wishart, dimension: Self.wishartN)
        let (density, tridiagonals) = try spectralDensity(of: op, settings: SLQSettings(probes: 5, steps: 40, seed: 1))
        #expect(tridiagonals.count == 5 && tridiagonals.allSatisfy { $0.size == 40 })
        #expect(abs(integral(density.grid, density.density) - 1) < 1e-6)
        #expect(density.spread.contains { $0 > 0 })
        let single = try spectralDensity(from: [tridiagonals[0]])
        #expect(single.spread.allSatisfy { $0 == 0 })
        for w in density.weights { #expect(abs(w.reduce(0, +) - 1) < 1e-12) }
    }

    @Test("a density rebuilt from stored tridiagonals equals the original; another sigma still integrates to 1")
    func rebuildFromTridiagonals() throws {
        let op = SymmetricOperator.dense(Self.wishart, dimension: Self.wishartN)
        let (density, tridiagonals) = try spectralDensity(of: op, settings: SLQSettings(probes: 3, steps: 30, seed: 2), gridPoints: 2000)
        let rebuilt = try spectralDensity(from: tridiagonals, gridPoints: 2000)
        #expect(rebuilt.grid == density.grid && rebuilt.density == density.density)
        let wider = try spectralDensity(from: tridiagonals, sigma: 0.05, gridPoints: 3000)
        #expect(wider.sigma == 0.05)
        #expect(abs(integral(wider.grid, wider.density) - 1) < 1e-6)
    }

    @Test("Wishart: SLQ's spectral CDF is within 0.03 of LAPACK's eigenvalues and 0.06 of Marchenko-Pastur")
    func wishartAgainstExactAndLimit() throws {
        // Bound: Gauss quadrature CDFs differ from the true CDF by at most the largest weight near
        // each point (Chebyshev-Markov-Stieltjes), ~1/m per probe, averaged over probes; the MP
        // limit adds a finite-n edge effect of order n^(-2/3).
        let op = SymmetricOperator.dense(Self.wishart, dimension: Self.wishartN)
        let (density, _) = try spectralDensity(of: op, settings: SLQSettings(probes: 10, steps: 80, seed: 3))
        let exact = try denseSymmetricEigenvalues(Self.wishart, dimension: Self.wishartN)
        let empirical = { (t: Double) in Double(exact.filter { $0 <= t }.count) / Double(exact.count) }
        let ksExact = kolmogorovDistance(density, empirical, range: 0...3.2)
        #expect(ksExact < 0.03, "KS distance to the exact eigenvalues: \(ksExact)")
        let ksLimit = kolmogorovDistance(density, { Matrices.marchenkoPasturCDF($0, gamma: 0.5) }, range: 0...3.2)
        #expect(ksLimit < 0.06, "KS distance to Marchenko-Pastur: \(ksLimit)")
    }

    @Test("spiked spectrum: the outliers carry weight ≈ k/n and the density is near zero between bulk and outliers")
    func spikedWeights() throws {
        let a = Matrices.withSpectrum(ExtremeEigenvalueTests.spikedSpectrum, seed: 62)
        let (density, _) = try spectralDensity(of: .dense(a, dimension: 600), settings: SLQSettings(probes: 20, steps: 60, seed: 4))
        // Mass above 4: the outliers 40, 25, 12, 8, 5, i.e. 5/600.
        let mass = zip(density.nodes, density.weights).reduce(0.0) { acc, probe in
            acc + zip(probe.0, probe.1).reduce(0) { $1.0 > 4 ? $0 + $1.1 : $0 }
        } / Double(density.nodes.count)
        #expect(abs(mass - 5.0 / 600) < 0.004, "outlier mass \(mass)")
        let gap = zip(density.grid, density.density).filter { $0.0 > 1.6 && $0.0 < 4.5 }.map(\.1).max() ?? 0
        #expect(gap < 1e-3, "density in the gap: \(gap)")
    }

    @Test("KPM and SLQ agree on the Wishart spectrum (independent estimators)")
    func kpmCrossCheck() throws {
        let op = SymmetricOperator.dense(Self.wishart, dimension: Self.wishartN)
        let kpm = try kpmDensity(of: op, bounds: -0.1...3.4, degree: 120, probes: 10, gridPoints: 700, seed: 5)
        let h = kpm.grid[1] - kpm.grid[0]
        #expect(abs(kpm.density.reduce(0, +) * h - 1) < 0.005)
        let slq = try spectralDensity(of: op, settings: SLQSettings(probes: 10, steps: 80, seed: 6), sigma: 0.04, gridPoints: 700).density
        // Compare the CDFs of both densities (integrated on their grids).
        func cdf(_ grid: [Double], _ f: [Double], _ t: Double) -> Double {
            let h = grid[1] - grid[0]
            return zip(grid, f).reduce(0) { $1.0 <= t ? $0 + $1.1 * h : $0 }
        }
        var worst = 0.0
        for i in 0...64 {
            let t = 3.2 * Double(i) / 64
            worst = max(worst, abs(cdf(kpm.grid, kpm.density, t) - cdf(slq.grid, slq.density, t)))
        }
        #expect(worst < 0.03, "largest CDF difference KPM vs SLQ: \(worst)")
    }
}

@Suite("Trace estimators")
struct TraceTests {
    @Test("Hutchinson and Hutch++ land within 3 standard errors of the exact trace; Hutch++ is tighter on a spiked spectrum")
    func traces() throws {
        let values = ExtremeEigenvalueTests.spikedSpectrum
        let a = Matrices.withSpectrum(values, seed: 71)
        let op = SymmetricOperator.dense(a, dimension: 600)
        let exact = values.reduce(0, +)
        let hutchinson = try hutchinsonTrace(of: op, probes: 60, seed: 1)
        let hpp = try hutchPlusPlusTrace(of: op, matvecs: 60, seed: 1)
        #expect(abs(hutchinson.value - exact) < 3 * hutchinson.standardError, "Hutchinson \(hutchinson.value) ± \(hutchinson.standardError) vs \(exact)")
        #expect(abs(hpp.value - exact) < 3 * hpp.standardError, "Hutch++ \(hpp.value) ± \(hpp.standardError) vs \(exact)")
        #expect(hpp.standardError < hutchinson.standardError / 2)
        #expect(hpp.matvecs <= 60)
    }
}

/// Stored tridiagonals are data from a file: any values must give a density or an error, never a trap.
@Suite("Spectral densities from unusable tridiagonals")
struct DensityInputTests {
    static func refused(_ tridiagonals: [Tridiagonal], sigma: Double? = nil, saying words: String) {
        do {
            _ = try spectralDensity(from: tridiagonals, sigma: sigma, gridPoints: 50)
            Issue.record("accepted \(tridiagonals) with sigma \(sigma.map(String.init(describing:)) ?? "nil")")
        } catch {
            #expect("\(error)".contains(words), "\(error)")
        }
    }

    // Each of these trapped before (Int of NaN or infinity, a force-unwrapped minimum); the fuzzer's
    // input is fuzz/corpus/runplan/regression-density-infinite-grid.
    @Test("Ritz values near ±1e308, or a sigma near Double's largest, give no finite grid: an error")
    func infiniteGrid() {
        Self.refused([Tridiagonal(alpha: [1e308, -1e308], beta: [1])], sigma: 1, saying: "does not make a grid")
        Self.refused([Tridiagonal(alpha: [1, 2], beta: [0.5])], sigma: .greatestFiniteMagnitude, saying: "does not make a grid")
        Self.refused([Tridiagonal(alpha: [1, 2], beta: [0.5])], sigma: 1e308, saying: "does not make a grid")
    }

    @Test("NaN or infinite entries, and tridiagonals of no Lanczos step, are errors")
    func unusableEntries() {
        Self.refused([Tridiagonal(alpha: [1, .nan, 3], beta: [0.5, 0.5])], saying: "NaN or infinite entries")
        Self.refused([Tridiagonal(alpha: [1, 2], beta: [.infinity])], saying: "NaN or infinite entries")
        Self.refused([Tridiagonal(alpha: [1e308, 1e308], beta: [1e308])], saying: "NaN or infinite ones")
        Self.refused([Tridiagonal(alpha: [], beta: [])], saying: "tridiagonals are empty")
    }

    @Test("a node far outside a given range adds nothing to the grid")
    func nodeOutsideRange() throws {
        let far = try spectralDensity(from: [Tridiagonal(alpha: [1e300], beta: [])], sigma: 1, gridPoints: 50, range: 0...1)
        #expect(far.density.allSatisfy { $0 == 0 })
        let near = try spectralDensity(from: [Tridiagonal(alpha: [0.5], beta: [])], sigma: 0.1, gridPoints: 51, range: 0...1)
        #expect(abs(near.density[25] - 1 / (0.1 * (2 * Double.pi).squareRoot())) < 1e-12)
    }
}
