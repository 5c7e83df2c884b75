import Foundation
import Testing
import Tensor
import TestSupport

/// Every permutation of `0..<n`.
func permutations(_ n: Int) -> [[Int]] {
    guard n > 0 else { return [[]] }
    return permutations(n - 1).flatMap { p in (0...p.count).map { k in Array(p[..<k]) + [n - 1] + Array(p[k...]) } }
}

/// Every subset of `0..<n`, as sorted lists.
func subsets(_ n: Int) -> [[Int]] {
    (0..<(1 << n)).map { bits in (0..<n).filter { bits & (1 << $0) != 0 } }
}

@Suite("Axis operations against index loops (Float64)")
struct AxesTests {
    /// Extents all different, so a mixed-up axis changes the result's shape or values.
    static let shapes = [[2, 3, 4], [3, 2, 4, 5]]

    static func random(_ shape: [Int], seed: UInt64) -> Tensor<Double> {
        var rng = SeededGenerator(seed: seed)
        return .randomNormal(shape, using: &rng)
    }

    @Test("transposed(p) puts input axis p[k] at position k, for every permutation", arguments: shapes)
    func transposed(shape: [Int]) {
        let x = Self.random(shape, seed: 1)
        for p in permutations(shape.count) {
            let y = x.transposed(p)
            let outShape = p.map { shape[$0] }
            #expect(y.shape == outShape, "permutation \(p)")
            var expected = [Double](repeating: .nan, count: x.count)
            for flat in 0..<x.count {
                let index = multiIndex(flat, in: outShape)
                var source = [Int](repeating: 0, count: shape.count)
                for k in 0..<p.count { source[p[k]] = index[k] }
                expected[flat] = x.scalars[flatPosition(source, in: shape)]
            }
            #expect(y.scalars == expected, "permutation \(p)")
        }
    }

    @Test("summed(alongAxes:) keeps extent 1 on the summed axes, for every set of axes", arguments: shapes)
    func summed(shape: [Int]) {
        let x = Self.random(shape, seed: 2)
        for axes in subsets(shape.count) {
            let outShape = shape.indices.map { axes.contains($0) ? 1 : shape[$0] }
            var expected = [Double](repeating: 0, count: outShape.reduce(1, *))
            for flat in 0..<x.count {
                var index = multiIndex(flat, in: shape)
                for a in axes { index[a] = 0 }
                expected[flatPosition(index, in: outShape)] += x.scalars[flat]
            }
            // The axes in any order name the same sum.
            for order in [axes, axes.reversed()] {
                let y = x.summed(alongAxes: order)
                #expect(y.shape == outShape, "axes \(order)")
                let err = maxAbsoluteError(y.scalars, expected)
                #expect(err <= 1e-13, "\(report("sum over \(order)", expected: expected.prefix(4), observed: y.scalars.prefix(4), error: err, bound: 1e-13))")
            }
        }
    }

    @Test("broadcast(to:) repeats along every axis of extent 1, and is the adjoint of summed", arguments: shapes)
    func broadcast(shape: [Int]) {
        for (k, ones) in subsets(shape.count).enumerated() {
            let small = shape.indices.map { ones.contains($0) ? 1 : shape[$0] }
            let x = Self.random(small, seed: 10 + UInt64(k))
            let y = x.broadcast(to: shape)
            #expect(y.shape == shape)
            let expected = (0..<shape.reduce(1, *)).map { flat -> Double in
                var index = multiIndex(flat, in: shape)
                for a in ones { index[a] = 0 }
                return x.scalars[flatPosition(index, in: small)]
            }
            #expect(y.scalars == expected, "from \(small)")
            // <broadcast(x), z> = <x, summed(z)>.
            let z = Self.random(shape, seed: 50 + UInt64(k))
            let (left, right) = (y.dot(z), x.dot(z.summed(alongAxes: ones)))
            let err = abs(left - right) / max(abs(left), 1e-300)
            #expect(err <= 1e-13, "\(report("<Bx, z> vs <x, Bᵀz> from \(small)", expected: left, observed: right, error: err, bound: 1e-13))")
        }
    }

    @Test("applying and shifted act elementwise as the scalar functions do")
    func elementwise() {
        var rng = SeededGenerator(seed: 3)
        let x = Tensor<Double>.randomUniform([3, 7], low: 0.2, high: 3, using: &rng)
        let cases: [(ElementwiseFunction, (Double) -> Double)] = [
            (.exp, { Foundation.exp($0) }), (.log, { Foundation.log($0) }), (.sqrt, { $0.squareRoot() }), (.rsqrt, { 1 / $0.squareRoot() }),
            (.reciprocal, { 1 / $0 }), (.square, { $0 * $0 }),
        ]
        for (f, reference) in cases {
            let err = relativeError(x.applying(f).scalars, x.scalars.map(reference))
            #expect(err <= 1e-15, "\(f): relative error \(err)")
        }
        #expect(x.shifted(by: -0.75).scalars == x.scalars.map { $0 - 0.75 })
    }
}
