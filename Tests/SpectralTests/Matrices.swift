import Spectral
import Tensor

/// Test matrices with known spectra, all row-major `n x n` Float64.
enum Matrices {
    /// A random symmetric matrix `(G + Gᵀ) / (2 sqrt(n))`, G standard normal (semicircle on [-√2, √2]).
    static func randomSymmetric(_ n: Int, seed: UInt64) -> [Double] {
        var rng = SeededGenerator(seed: seed)
        let g = (0..<(n * n)).map { _ in rng.normal() }
        var a = [Double](repeating: 0, count: n * n)
        let s = 1 / (2 * Double(n).squareRoot())
        for i in 0..<n { for j in 0..<n { a[i * n + j] = (g[i * n + j] + g[j * n + i]) * s } }
        return a
    }

    /// `Q diag(values) Qᵀ` with a random orthogonal Q (Householder reflections), so the spectrum is
    /// exactly `values` but the matrix is dense.
    static func withSpectrum(_ values: [Double], seed: UInt64) -> [Double] {
        let n = values.count
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { a[i * n + i] = values[i] }
        var rng = SeededGenerator(seed: seed)
        for _ in 0..<3 {
            // A <- (I - 2uuᵀ) A (I - 2uuᵀ)
            var u = (0..<n).map { _ in rng.normal() }
            let un = u.reduce(0) { $0 + $1 * $1 }.squareRoot()
            u = u.map { $0 / un }
            var au = [Double](repeating: 0, count: n)
            for i in 0..<n { for j in 0..<n { au[i] += a[i * n + j] * u[j] } }
            let uau = zip(u, au).reduce(0) { $0 + $1.0 * $1.1 }
            for i in 0..<n { for j in 0..<n {
                a[i * n + j] += -2 * au[i] * u[j] - 2 * u[i] * au[j] + 4 * uau * u[i] * u[j]
            } }
        }
        return a
    }

    /// A Wishart matrix `Xᵀ X / rows` for X of shape `[rows, n]` with standard normal entries;
    /// as n, rows grow with n/rows = gamma its spectrum tends to Marchenko-Pastur.
    static func wishart(n: Int, rows: Int, seed: UInt64) -> [Double] {
        var rng = SeededGenerator(seed: seed)
        let x = Tensor<Double>.randomNormal([rows, n], using: &rng)
        return (1.0 / Double(rows) * x.matmul(x, transposeSelf: true)).scalars
    }

    /// Marchenko-Pastur CDF for ratio gamma < 1 (unit variance), by midpoint integration.
    static func marchenkoPasturCDF(_ t: Double, gamma: Double) -> Double {
        let (a, b) = ((1 - gamma.squareRoot()) * (1 - gamma.squareRoot()), (1 + gamma.squareRoot()) * (1 + gamma.squareRoot()))
        if t <= a { return 0 }
        if t >= b { return 1 }
        let steps = 4000
        let h = (t - a) / Double(steps)
        var total = 0.0
        for i in 0..<steps {
            let x = a + (Double(i) + 0.5) * h
            total += ((b - x) * (x - a)).squareRoot() / (2 * Double.pi * gamma * x) * h
        }
        return total
    }
}

/// The CDF of a discrete measure (nodes, weights) at t.
func discreteCDF(_ t: Double, nodes: [Double], weights: [Double]) -> Double {
    zip(nodes, weights).reduce(0) { $1.0 <= t ? $0 + $1.1 : $0 }
}

/// The largest CDF difference between the average SLQ quadrature measure and a reference CDF,
/// checked at `points` evenly spaced locations over `range`.
func kolmogorovDistance(_ density: SpectralDensity, _ reference: (Double) -> Double, range: ClosedRange<Double>, points: Int = 400) -> Double {
    var worst = 0.0
    for i in 0...points {
        let t = range.lowerBound + (range.upperBound - range.lowerBound) * Double(i) / Double(points)
        let slq = zip(density.nodes, density.weights).reduce(0) { $0 + discreteCDF(t, nodes: $1.0, weights: $1.1) } / Double(density.nodes.count)
        worst = max(worst, abs(slq - reference(t)))
    }
    return worst
}
