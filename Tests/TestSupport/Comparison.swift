import Tensor

/// Relative error `|observed - expected| / max(|expected|, floor)` over whole vectors (Euclidean norms).
public func relativeError<T: TensorScalar>(_ observed: [T], _ expected: [T], floor: Double = 1e-300) -> Double {
    precondition(observed.count == expected.count, "relativeError: \(observed.count) vs \(expected.count) elements")
    var diff = 0.0, ref = 0.0
    for (o, e) in zip(observed, expected) {
        diff += (Double(o) - Double(e)) * (Double(o) - Double(e))
        ref += Double(e) * Double(e)
    }
    return diff.squareRoot() / max(ref.squareRoot(), floor)
}

/// Largest `|observed - expected|` over the elements.
public func maxAbsoluteError<T: TensorScalar>(_ observed: [T], _ expected: [T]) -> Double {
    precondition(observed.count == expected.count)
    return zip(observed, expected).map { abs(Double($0) - Double($1)) }.max() ?? 0
}

/// A one-line report of a comparison, for test messages: expected, observed, error, bound.
public func report(_ what: String, expected: Any, observed: Any, error: Double, bound: Double) -> String {
    "\(what): expected \(expected), observed \(observed), error \(error) (bound \(bound))"
}

/// A naive triple-loop matrix product, as an independent reference for GEMM.
public func referenceProduct(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
    var c = [Double](repeating: 0, count: m * n)
    for i in 0..<m { for j in 0..<n { for l in 0..<k { c[i * n + j] += a[i * k + l] * b[l * n + j] } } }
    return c
}

/// The transpose of a row-major `rows x cols` matrix.
public func transposed(_ a: [Double], rows: Int, cols: Int) -> [Double] {
    var t = [Double](repeating: 0, count: rows * cols)
    for i in 0..<rows { for j in 0..<cols { t[j * rows + i] = a[i * cols + j] } }
    return t
}
