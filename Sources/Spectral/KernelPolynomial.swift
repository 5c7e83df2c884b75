/// The kernel polynomial method (KPM): a spectral density from Chebyshev moments, independent of
/// Lanczos quadrature, used to cross-check SLQ.
///
/// The operator is mapped to `[-1, 1]` by `x = (lambda - c) / d` with bounds `[c - d, c + d]` that
/// must contain the spectrum; moments `mu_k = E[vᵀ T_k(x) v] / n` are estimated with `probes`
/// random vectors (k < degree, one matvec each), damped by the Jackson kernel (no Gibbs
/// oscillations; resolution about `pi d / degree`), and summed at `gridPoints` cell centres
/// spanning the bounds.
public func kpmDensity(of op: SymmetricOperator, bounds: ClosedRange<Double>, degree: Int, probes: Int,
                       gridPoints: Int = 1000, kind: ProbeKind = .rademacher, seed: UInt64 = 0) throws -> (grid: [Double], density: [Double]) {
    guard degree >= 2, probes >= 1, gridPoints >= 2 else {
        throw SpectralError.invalidArgument("KPM needs degree >= 2, probes >= 1, grid >= 2 (got \(degree), \(probes), \(gridPoints))")
    }
    let c = (bounds.lowerBound + bounds.upperBound) / 2, d = (bounds.upperBound - bounds.lowerBound) / 2
    guard d > 0 else { throw SpectralError.invalidArgument("KPM bounds must have positive width") }
    let n = op.dimension
    let scaled = op.affine(scale: 1 / d, shift: -c / d)
    var moments = [Double](repeating: 0, count: degree)
    for l in 0..<probes {
        var rng = probeGenerator(seed: seed, probe: l)
        let v = kind.draw(n, using: &rng)
        var previous = v
        var current = scaled.apply(v)
        moments[0] += dot(v, v)
        moments[1] += dot(v, current)
        if degree > 2 {
            for k in 2..<degree {
                var next = scaled.apply(current)
                guard next.allSatisfy({ $0.isFinite }) else { throw SpectralError.nonFiniteProduct(step: k, probe: l + 1) }
                scale(2, &next)
                axpy(-1, previous, &next)
                moments[k] += dot(v, next)
                previous = current
                current = next
            }
        }
    }
    for k in 0..<degree { moments[k] /= Double(probes * n) }
    let N = Double(degree), theta = Double.pi / (N + 1)
    let jackson = (0..<degree).map { k in
        ((N - Double(k) + 1) * _cos(theta * Double(k)) + _sin(theta * Double(k)) * _cos(theta) / _sin(theta)) / (N + 1)
    }
    // Grid points at cell centres, so none sits on the 1/sqrt(1 - x^2) singularity at x = ±1.
    let step = (bounds.upperBound - bounds.lowerBound) / Double(gridPoints)
    var grid = [Double](), density = [Double]()
    for g in 0..<gridPoints {
        let lambda = bounds.lowerBound + (Double(g) + 0.5) * step
        let x = (lambda - c) / d
        var t0 = 1.0, t1 = x
        var sum = jackson[0] * moments[0] + 2 * jackson[1] * moments[1] * t1
        if degree > 2 {
            for k in 2..<degree {
                let t2 = 2 * x * t1 - t0
                sum += 2 * jackson[k] * moments[k] * t2
                (t0, t1) = (t1, t2)
            }
        }
        grid.append(lambda)
        density.append(sum / (Double.pi * (1 - x * x).squareRoot() * d))
    }
    return (grid, density)
}
