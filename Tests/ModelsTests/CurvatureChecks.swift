import Models
import Testing
import TestSupport

/// ∇L from the autodiff against central differences of L, coordinate by coordinate.
func expectGradientMatchesDifferences(_ probe: DerivativeProbe<Objective<Double>>, bound: Double = 1e-8) {
    let (expected, observed) = (probe.centralDifferenceGradient(), probe.gradient)
    let err = relativeError(observed, expected)
    #expect(err < bound, "\(report("∇L", expected: expected.prefix(3), observed: observed.prefix(3), error: err, bound: bound))")
}

/// Column j of the explicit Hessian from the exact product `H e_j`, against central differences
/// of reverse-mode gradients along `e_j` (relative error below `bound`); the exact one is
/// symmetric to rounding, and a random product (direction from `seed`) is the explicit matrix
/// times the vector.
func expectExactHessian(_ probe: DerivativeProbe<Objective<Double>>, bound: Double, seed: UInt64) {
    let n = probe.dimension
    let h = probe.hessian()
    let reference = probe.gradientDifferenceHessian()
    let err = relativeError(h, reference)
    #expect(err < bound, "\(report("H", expected: reference.prefix(3), observed: h.prefix(3), error: err, bound: bound))")
    let (asym, scale) = asymmetry(h, dimension: n)
    #expect(asym <= 1e-12 * scale, "max |H - Hᵀ| = \(asym), max |H| = \(scale) (bound 1e-12 max |H|)")
    let v = normalVector(n, seed: seed)
    let hv = probe.hessianVectorProduct(v), expected = matrixVectorProduct(h, v)
    let productError = relativeError(hv, expected)
    #expect(productError < 1e-12, "\(report("Hv vs H·v", expected: expected.prefix(3), observed: hv.prefix(3), error: productError, bound: 1e-12))")
}
