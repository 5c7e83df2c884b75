import Foundation
import Testing
import Tensor
import TestSupport

@Suite("Elementwise kernels and reductions")
struct ElementwiseTests {
    /// Sizes that exercise SIMD bodies and scalar tails.
    static let sizes = [0, 1, 7, 8, 31, 33, 1000]

    @Test("sum matches a Float64 loop for sizes around the SIMD width", arguments: sizes)
    func sum(n: Int) {
        var rng = SeededGenerator(seed: UInt64(n))
        let x = Tensor<Float>.randomNormal([n], using: &rng)
        let expected = x.scalars.reduce(0.0) { $0 + Double($1) }
        #expect(abs(Double(x.sum()) - expected) <= 1e-5 * max(1, Double(n).squareRoot()))
    }

    @Test("tanh, exp and GELU agree with libm within a few ulp", arguments: sizes)
    func transcendental(n: Int) {
        var rng = SeededGenerator(seed: 10 + UInt64(n))
        let x = Tensor<Double>.randomNormal([n], scale: 3, using: &rng)
        #expect(maxAbsoluteError(x.tanh().scalars, x.scalars.map { Foundation.tanh($0) }) < 1e-15)
        #expect(relativeError(x.exp().scalars, x.scalars.map { Foundation.exp($0) }) < 1e-15)
        let gelu = x.scalars.map { $0 * (1 + Foundation.erf($0 / 2.0.squareRoot())) / 2 }
        #expect(maxAbsoluteError(x.gelu().scalars, gelu) < 1e-15)
        let xf = x.converted(to: Float.self)
        #expect(maxAbsoluteError(xf.tanh().scalars, xf.scalars.map { tanhf($0) }) < 1e-6)
    }

    @Test("GELU derivatives match central differences of GELU")
    func geluDerivatives() {
        let x = Tensor<Double>(shape: [9], scalars: [-4, -2, -1, -0.3, 0, 0.3, 1, 2, 4])
        let h = 1e-5
        let plus = Tensor(shape: [9], scalars: x.scalars.map { $0 + h })
        let minus = Tensor(shape: [9], scalars: x.scalars.map { $0 - h })
        let fd1 = zip(plus.gelu().scalars, minus.gelu().scalars).map { ($0 - $1) / (2 * h) }
        let (d1, d2) = x.geluDerivatives()
        #expect(maxAbsoluteError(d1.scalars, fd1) < 1e-9)
        let fd2 = zip(plus.geluDerivative().scalars, minus.geluDerivative().scalars).map { ($0 - $1) / (2 * h) }
        #expect(maxAbsoluteError(d2.scalars, fd2) < 1e-9)
    }

    @Test("softmax rows sum to one and stay finite for huge logits")
    func softmax() {
        let z = Tensor<Float>(shape: [3, 4], scalars: [1, 2, 3, 4, 1000, 1000, -1000, 0, -5, -5, -5, -5])
        let p = z.softmaxRows()
        for r in 0..<3 {
            let rowSum = (0..<4).reduce(Float(0)) { $0 + p[r, $1] }
            #expect(abs(rowSum - 1) < 1e-6)
        }
        #expect(p.isFinite)
        #expect(abs(p[1, 0] - 0.5) < 1e-6 && p[1, 2] == 0)
        let lse = z.logSumExpRows()
        #expect(abs(lse.scalars[1] - (1000 + logf(2))) < 1e-3)
        #expect(abs(lse.scalars[2] - (-5 + logf(4))) < 1e-5)
    }

    @Test("row-vector broadcast and column sums are adjoint: <X + 1b, Y> consistent")
    func broadcastAndColumnSums() {
        var rng = SeededGenerator(seed: 5)
        let x = Tensor<Double>.randomNormal([5, 3], using: &rng)
        let b = Tensor<Double>.randomNormal([3], using: &rng)
        let y = x.addingRowVector(b)
        for i in 0..<5 { for j in 0..<3 { #expect(y[i, j] == x[i, j] + b.scalars[j]) } }
        let sums = x.columnSums()
        for j in 0..<3 { #expect(abs(sums.scalars[j] - (0..<5).reduce(0) { $0 + x[$1, j] }) < 1e-14) }
    }

    @Test("isFinite sees a single NaN or infinity")
    func finiteness() {
        var x = Tensor<Float>(shape: [100], repeating: 1)
        #expect(x.isFinite)
        x.scalars[57] = .nan
        #expect(!x.isFinite)
        x.scalars[57] = .infinity
        #expect(!x.isFinite)
    }

    @Test("seeded generator reproduces its draws and has unit-variance normals")
    func random() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
        #expect((0..<10).map { _ in a.next() } == (0..<10).map { _ in b.next() })
        let draws = (0..<20000).map { _ in a.normal() }
        let mean = draws.reduce(0, +) / 20000
        let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 20000
        #expect(abs(mean) < 0.03 && abs(variance - 1) < 0.04, "mean \(mean), variance \(variance)")
    }

    @Test("Float64 to Float32 rounds to nearest, and back is exact", arguments: sizes)
    func conversions(n: Int) {
        // Quarter-ulp steps between Float32 neighbours (so rounding shows), 1e-4 ... 1e4, both signs.
        let x: [Double] = (0..<n).map { i in
            let sign: Double = i % 2 == 0 ? 1 : -1
            let mantissa: Double = 1 + Double(i) * 0x1p-25
            return sign * mantissa * pow(10, Double(i % 9) - 4)
        }
        let single = Tensor<Float>(shape: [n], converting: x)
        #expect(single.scalars == x.map { Float($0) })
        #expect(single.doubles == single.scalars.map { Double($0) })
        let double = Tensor<Double>(shape: [n], converting: x)
        #expect(double.scalars == x)
        // The kernel itself, called from outside the module as Spectral calls it.
        var out = [Float](repeating: .nan, count: n)
        x.withUnsafeBufferPointer { xb in out.withUnsafeMutableBufferPointer { if n > 0 { Float.convert(fromDouble: xb.baseAddress!, $0.baseAddress!, n) } } }
        #expect(out == x.map { Float($0) })
    }
}
