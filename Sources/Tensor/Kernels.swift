/// The array loops of the tensor core, one generic implementation each.
///
/// Each loop is a protocol requirement with a default implementation below. `Float` and `Double`
/// take the defaults; since their conformances live in this module, the compiler emits a version
/// of every loop specialized (and auto-vectorized) for each of them. Callers in generic code then
/// pay one witness-table call per array. Pointers may alias only where a comment says so.
public protocol ArrayKernels {
    /// `out[i] = Self(x[i])`: Float64 to this precision (rounded to nearest).
    static func convert(fromDouble x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Self>, _ n: Int)
    /// `out[i] = Double(x[i])`: exact.
    static func convert(toDouble x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Double>, _ n: Int)
    /// `out = a + b` (out may be a or b).
    static func add(_ a: UnsafePointer<Self>, _ b: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int)
    /// `out = a * b` elementwise (out may be a or b).
    static func multiply(_ a: UnsafePointer<Self>, _ b: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int)
    /// `out = alpha * x + beta * y` (out may be x or y).
    static func linearCombination(_ alpha: Self, _ x: UnsafePointer<Self>, _ beta: Self, _ y: UnsafePointer<Self>,
                                  _ out: UnsafeMutablePointer<Self>, _ n: Int)
    /// `out = alpha * x` (out may be x).
    static func scale(_ alpha: Self, _ x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int)
    /// `out[i, j] = x[i, j] + b[j]` for a `rows x cols` matrix x (out may be x).
    static func addRowVector(_ x: UnsafePointer<Self>, _ b: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>,
                             rows: Int, cols: Int)
    /// `out[j] = sum_i x[i, j]` for a `rows x cols` matrix x.
    static func columnSums(_ x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, rows: Int, cols: Int)
    /// `sum_i x[i]`, with eight SIMD accumulators (a plain loop does not vectorize a reduction).
    static func sum(_ x: UnsafePointer<Self>, _ n: Int) -> Self
    /// `max_i x[i]` (NaN propagates).
    static func maximum(_ x: UnsafePointer<Self>, _ n: Int) -> Self

    /// `out = max(x, 0)`.
    static func relu(_ x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int)
    /// `out = g` where `x > 0`, else 0: relu's derivative applied to g.
    static func reluBackward(_ x: UnsafePointer<Self>, _ g: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int)
    /// `out = g * (1 - y^2)` with `y = tanh(x)`: tanh's derivative applied to g.
    static func tanhBackward(_ y: UnsafePointer<Self>, _ g: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int)
    /// The tangent of `g * (1 - y^2)`: `out = dg * (1 - y^2) - 2 * g * y * dy`.
    static func tanhBackwardTangent(_ y: UnsafePointer<Self>, _ g: UnsafePointer<Self>, _ dy: UnsafePointer<Self>,
                                    _ dg: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int)
    /// `out = x * Phi(x)`, the exact GELU (Phi: standard normal CDF).
    static func gelu(_ x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int)
    /// GELU's first derivative `Phi(x) + x phi(x)` into d1 and, when d2 is given, its second
    /// derivative `phi(x) (2 - x^2)` into d2 (phi: standard normal density).
    static func geluDerivatives(_ x: UnsafePointer<Self>, _ d1: UnsafeMutablePointer<Self>,
                                _ d2: UnsafeMutablePointer<Self>?, _ n: Int)
    /// Row-wise softmax of a `rows x cols` matrix, stable (the row maximum is subtracted first).
    static func softmaxRows(_ z: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, rows: Int, cols: Int)
    /// `out[i] = log sum_j exp(z[i, j])`, stable.
    static func logSumExpRows(_ z: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, rows: Int, cols: Int)
    /// Per row: `out = p * dz - p * (p . dz)`, the softmax Jacobian (at probabilities p) applied to dz.
    static func softmaxJacobianRows(_ p: UnsafePointer<Self>, _ dz: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>,
                                    rows: Int, cols: Int)
    /// Per row: `out = p * sum_j(y[i, j]) - y`, the cross-entropy gradient for targets y (one-hot or soft).
    static func crossEntropyResidualRows(_ p: UnsafePointer<Self>, _ y: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>,
                                         rows: Int, cols: Int)

    /// `out[i] = value` for i < n (out uninitialized or not).
    static func fill(_ value: Self, _ out: UnsafeMutablePointer<Self>, _ n: Int)
    /// `out[i] = f(x[i])` for the elementwise functions of `ElementwiseFunction`.
    static func apply(_ f: ElementwiseFunction, _ x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int)
    /// `out[i] = x[i] + c`.
    static func shift(_ c: Self, _ x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int)
    /// `out[j] = idx[j] >= 0 ? x[idx[j]] : 0` for j < n.
    static func gather(_ x: UnsafePointer<Self>, _ idx: UnsafePointer<Int32>, _ out: UnsafeMutablePointer<Self>, _ n: Int)
    /// `gather` by stretches `(output start, input start or -1, length)`: block copies and zero fills.
    static func gatherStretches(_ x: UnsafePointer<Self>, _ runs: UnsafePointer<SIMD3<Int32>>, _ count: Int, _ out: UnsafeMutablePointer<Self>)
    /// `scatterAdd` by stretches: block additions, padding skipped.
    static func scatterAddStretches(_ g: UnsafePointer<Self>, _ runs: UnsafePointer<SIMD3<Int32>>, _ count: Int, _ out: UnsafeMutablePointer<Self>)
    /// `out[idx[j]] += g[j]` for j < n with `idx[j] >= 0`.
    static func scatterAdd(_ g: UnsafePointer<Self>, _ idx: UnsafePointer<Int32>, _ out: UnsafeMutablePointer<Self>, _ n: Int)
    /// For each of `groups` consecutive groups of `size` offsets in `taps`, the offset whose `x` is
    /// largest (the first on ties; negative offsets skipped; NaN wins), or -1 when all are negative.
    static func groupArgmax(_ x: UnsafePointer<Self>, _ taps: UnsafePointer<Int32>, groups: Int, size: Int, _ out: UnsafeMutablePointer<Int32>)
    /// For every row-major index i of `shape`, `out[i] = x[j]` (`accumulate` false) or
    /// `out[j] += x[i]` (true), with `j = sum_k index_k * steps[k]`.
    static func strided(_ x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, shape: [Int], steps: [Int], accumulate: Bool)
}

extension ArrayKernels where Self: TensorScalar {
    @inline(__always)
    static func loadVector(_ p: UnsafePointer<Self>) -> SIMD8<Self> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Self>.self)
    }

    // convert(fromDouble:) and convert(toDouble:) are written out for Float and Double
    // (TensorScalar.swift): this generic `Self(x[i])` was not specialized, and converted through
    // a witness-table call per element (~10x slower than the vectorized loop).
    public static func add(_ a: UnsafePointer<Self>, _ b: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int) {
        for i in 0..<n { out[i] = a[i] + b[i] }
    }
    public static func multiply(_ a: UnsafePointer<Self>, _ b: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int) {
        for i in 0..<n { out[i] = a[i] * b[i] }
    }
    public static func linearCombination(_ alpha: Self, _ x: UnsafePointer<Self>, _ beta: Self, _ y: UnsafePointer<Self>,
                                         _ out: UnsafeMutablePointer<Self>, _ n: Int) {
        for i in 0..<n { out[i] = alpha * x[i] + beta * y[i] }
    }
    public static func scale(_ alpha: Self, _ x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int) {
        for i in 0..<n { out[i] = alpha * x[i] }
    }
    public static func addRowVector(_ x: UnsafePointer<Self>, _ b: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>,
                                    rows: Int, cols: Int) {
        for r in 0..<rows {
            let xr = x + r * cols, or = out + r * cols
            for j in 0..<cols { or[j] = xr[j] + b[j] }
        }
    }
    public static func columnSums(_ x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, rows: Int, cols: Int) {
        out.update(repeating: 0, count: cols)
        for r in 0..<rows {
            let xr = x + r * cols
            for j in 0..<cols { out[j] += xr[j] }
        }
    }
    public static func sum(_ x: UnsafePointer<Self>, _ n: Int) -> Self {
        var acc = (SIMD8<Self>.zero, SIMD8<Self>.zero, SIMD8<Self>.zero, SIMD8<Self>.zero)
        var i = 0
        while i + 32 <= n {
            acc.0 += loadVector(x + i); acc.1 += loadVector(x + i + 8)
            acc.2 += loadVector(x + i + 16); acc.3 += loadVector(x + i + 24)
            i += 32
        }
        var total = ((acc.0 + acc.1) + (acc.2 + acc.3)).sum()
        while i < n { total += x[i]; i += 1 }
        return total
    }
    public static func maximum(_ x: UnsafePointer<Self>, _ n: Int) -> Self {
        var m = -Self.infinity
        for i in 0..<n {
            if x[i].isNaN { return x[i] }
            m = Swift.max(m, x[i])
        }
        return m
    }
    public static func relu(_ x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int) {
        for i in 0..<n { out[i] = x[i] > 0 ? x[i] : 0 }
    }
    public static func reluBackward(_ x: UnsafePointer<Self>, _ g: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int) {
        // Both loads unconditional, so the select vectorizes (a load of g under the condition
        // kept this loop scalar and branchy: 3x slower).
        for i in 0..<n {
            let (xi, gi) = (x[i], g[i])
            out[i] = xi > 0 ? gi : 0
        }
    }
    public static func tanhBackward(_ y: UnsafePointer<Self>, _ g: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int) {
        for i in 0..<n { out[i] = g[i] * (1 - y[i] * y[i]) }
    }
    public static func tanhBackwardTangent(_ y: UnsafePointer<Self>, _ g: UnsafePointer<Self>, _ dy: UnsafePointer<Self>,
                                           _ dg: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int) {
        for i in 0..<n { out[i] = dg[i] * (1 - y[i] * y[i]) - 2 * g[i] * y[i] * dy[i] }
    }
    public static func gelu(_ x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int) {
        let invSqrt2 = 1 / Self(2).squareRoot()
        for i in 0..<n { out[i] = x[i] * invSqrt2 }
        erf(out, out, n)
        for i in 0..<n { out[i] = x[i] * (1 + out[i]) / 2 }
    }
    public static func geluDerivatives(_ x: UnsafePointer<Self>, _ d1: UnsafeMutablePointer<Self>,
                                       _ d2: UnsafeMutablePointer<Self>?, _ n: Int) {
        let invSqrt2 = 1 / Self(2).squareRoot()
        let invSqrt2Pi = 1 / (2 * Self.pi).squareRoot()
        let phi = UnsafeMutablePointer<Self>.allocate(capacity: n)
        defer { phi.deallocate() }
        for i in 0..<n { phi[i] = -x[i] * x[i] / 2; d1[i] = x[i] * invSqrt2 }
        exp(phi, phi, n)
        erf(d1, d1, n)
        for i in 0..<n {
            let density = phi[i] * invSqrt2Pi
            d1[i] = (1 + d1[i]) / 2 + x[i] * density
            phi[i] = density
        }
        if let d2 { for i in 0..<n { d2[i] = phi[i] * (2 - x[i] * x[i]) } }
    }
    public static func softmaxRows(_ z: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, rows: Int, cols: Int) {
        for r in 0..<rows {
            let zr = z + r * cols, or = out + r * cols
            let m = maximum(zr, cols)
            for j in 0..<cols { or[j] = zr[j] - m }
        }
        exp(out, out, rows * cols)
        for r in 0..<rows {
            let or = out + r * cols
            let s = 1 / sum(or, cols)
            for j in 0..<cols { or[j] *= s }
        }
    }
    public static func logSumExpRows(_ z: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, rows: Int, cols: Int) {
        let shifted = UnsafeMutablePointer<Self>.allocate(capacity: rows * cols)
        defer { shifted.deallocate() }
        for r in 0..<rows {
            let zr = z + r * cols, sr = shifted + r * cols
            out[r] = maximum(zr, cols)
            for j in 0..<cols { sr[j] = zr[j] - out[r] }
        }
        exp(shifted, shifted, rows * cols)
        for r in 0..<rows { out[r] += log(sum(shifted + r * cols, cols)) }
    }
    public static func softmaxJacobianRows(_ p: UnsafePointer<Self>, _ dz: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>,
                                           rows: Int, cols: Int) {
        for r in 0..<rows {
            let pr = p + r * cols, dr = dz + r * cols, or = out + r * cols
            var pd: Self = 0
            for j in 0..<cols { pd += pr[j] * dr[j] }
            for j in 0..<cols { or[j] = pr[j] * (dr[j] - pd) }
        }
    }
    public static func crossEntropyResidualRows(_ p: UnsafePointer<Self>, _ y: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>,
                                                rows: Int, cols: Int) {
        for r in 0..<rows {
            let pr = p + r * cols, yr = y + r * cols, or = out + r * cols
            var mass: Self = 0
            for j in 0..<cols { mass += yr[j] }
            for j in 0..<cols { or[j] = pr[j] * mass - yr[j] }
        }
    }

    public static func apply(_ f: ElementwiseFunction, _ x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int) {
        switch f {
        case .exp: exp(x, out, n)
        case .log: for i in 0..<n { out[i] = log(x[i]) }
        case .sqrt: for i in 0..<n { out[i] = x[i].squareRoot() }
        case .rsqrt: for i in 0..<n { out[i] = 1 / x[i].squareRoot() }
        case .reciprocal: for i in 0..<n { out[i] = 1 / x[i] }
        case .square: for i in 0..<n { out[i] = x[i] * x[i] }
        }
    }
    public static func shift(_ c: Self, _ x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, _ n: Int) {
        for i in 0..<n { out[i] = x[i] + c }
    }
    public static func gather(_ x: UnsafePointer<Self>, _ idx: UnsafePointer<Int32>, _ out: UnsafeMutablePointer<Self>, _ n: Int) {
        for j in 0..<n {
            let k = Int(idx[j])
            out[j] = k >= 0 ? x[k] : 0
        }
    }
    public static func scatterAdd(_ g: UnsafePointer<Self>, _ idx: UnsafePointer<Int32>, _ out: UnsafeMutablePointer<Self>, _ n: Int) {
        for j in 0..<n {
            let k = Int(idx[j])
            if k >= 0 { out[k] += g[j] }
        }
    }
    public static func gatherStretches(_ x: UnsafePointer<Self>, _ runs: UnsafePointer<SIMD3<Int32>>, _ count: Int, _ out: UnsafeMutablePointer<Self>) {
        for r in 0..<count {
            let run = runs[r]
            let (o, i, n) = (Int(run.x), Int(run.y), Int(run.z))
            if i < 0 { (out + o).update(repeating: 0, count: n) } else { (out + o).update(from: x + i, count: n) }
        }
    }
    public static func scatterAddStretches(_ g: UnsafePointer<Self>, _ runs: UnsafePointer<SIMD3<Int32>>, _ count: Int, _ out: UnsafeMutablePointer<Self>) {
        for r in 0..<count {
            let run = runs[r]
            let (o, i, n) = (Int(run.x), Int(run.y), Int(run.z))
            guard i >= 0 else { continue }
            let (src, dst) = (g + o, out + i)
            for k in 0..<n { dst[k] += src[k] }
        }
    }
    public static func fill(_ value: Self, _ out: UnsafeMutablePointer<Self>, _ n: Int) {
        for i in 0..<n { out[i] = value }
    }
    public static func groupArgmax(_ x: UnsafePointer<Self>, _ taps: UnsafePointer<Int32>, groups: Int, size: Int, _ out: UnsafeMutablePointer<Int32>) {
        for g in 0..<groups {
            let t = taps + g * size
            var best: Int32 = -1
            for j in 0..<size {
                let k = t[j]
                guard k >= 0 else { continue }
                if best < 0 { best = k; continue }
                let (a, b) = (x[Int(k)], x[Int(best)])
                if a > b || a != a { best = k }
            }
            out[g] = best
        }
    }
    public static func strided(_ x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, shape: [Int], steps: [Int], accumulate: Bool) {
        let total = shape.reduce(1, *)
        guard total > 0 else { return }
        let (shape, steps) = collapsedAxes(shape, steps)
        let last = shape.count - 1
        let (inner, step) = (shape[last], steps[last])
        shape.withUnsafeBufferPointer { shape in steps.withUnsafeBufferPointer { steps in
            let index = UnsafeMutablePointer<Int>.allocate(capacity: shape.count)
            defer { index.deallocate() }
            index.initialize(repeating: 0, count: shape.count)
            var offset = 0, i = 0
            while i < total {
                if accumulate {
                    if step == 0 { out[offset] += sum(x + i, inner) }
                    else if step == 1 { for k in 0..<inner { out[offset + k] += x[i + k] } }
                    else { for k in 0..<inner { out[offset + k * step] += x[i + k] } }
                } else {
                    if step == 0 { (out + i).update(repeating: x[offset], count: inner) }
                    else if step == 1 { (out + i).update(from: x + offset, count: inner) }
                    else { for k in 0..<inner { out[i + k] = x[offset + k * step] } }
                }
                i += inner
                // Advance the outer axes like an odometer.
                var axis = last - 1
                while axis >= 0 {
                    index[axis] += 1
                    offset += steps[axis]
                    if index[axis] < shape[axis] { break }
                    offset -= steps[axis] * shape[axis]
                    index[axis] = 0
                    axis -= 1
                }
            }
        } }
    }
}

/// `shape` and `steps` with axes of extent 1 dropped and neighbouring axes merged where the
/// walk through them is one arithmetic progression (`steps[k] == steps[k+1] * shape[k+1]`); at
/// least one axis remains. The row-major walk and the offsets it visits are unchanged.
func collapsedAxes(_ shape: [Int], _ steps: [Int]) -> (shape: [Int], steps: [Int]) {
    var outShape = [Int](), outSteps = [Int]()
    for (n, s) in zip(shape, steps) where n != 1 {
        if let lastN = outShape.last, outSteps.last! == s * n {
            outShape[outShape.count - 1] = lastN * n
            outSteps[outSteps.count - 1] = s
        } else {
            outShape.append(n)
            outSteps.append(s)
        }
    }
    return outShape.isEmpty ? ([1], [0]) : (outShape, outSteps)
}

/// The elementwise functions of `ArrayKernels.apply`.
public enum ElementwiseFunction: String, Sendable {
    case exp, log, sqrt, rsqrt, reciprocal, square
}
