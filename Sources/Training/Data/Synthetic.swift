import Foundation
import Models
import Tensor

extension Dataset {
    /// `classes` Gaussian clusters in `dimension` dimensions: centres drawn N(0, separation² I),
    /// points N(centre, I); `count` points with balanced labels. Reproducible from `seed`.
    public static func gaussianMixture(count: Int, dimension: Int, classes: Int, separation: Double, seed: UInt64) -> Dataset {
        var rng = SeededGenerator(seed: seed)
        let centres = (0..<(classes * dimension)).map { _ in separation * rng.normal() }
        var x = [Double](), labels = [Int]()
        for i in 0..<count {
            let c = i % classes
            labels.append(c)
            for j in 0..<dimension { x.append(centres[c * dimension + j] + rng.normal()) }
        }
        let features = Tensor(shape: [count, dimension], scalars: x)
        return Dataset(features: features, labels: labels, classes: classes,
                       provenance: DataOrigin(source: "gaussian_mixture", paths: [], content: bytes(features.scalars)))
    }

    /// Teacher-student regression: inputs N(0, I), targets from a random tanh teacher MLP of the
    /// given widths (`widths[0]` = input dimension) plus N(0, noise²) noise. Reproducible from `seed`.
    public static func teacherStudent(count: Int, teacherWidths: [Int], noise: Double, seed: UInt64) -> Dataset {
        var rng = SeededGenerator(seed: seed)
        let teacher = MLP(widths: teacherWidths, activation: .tanh).network
        let params = teacher.initialParameters(.lecunNormal, seed: seed &+ 1, as: Double.self)
        let x = Tensor<Double>.randomNormal([count, teacherWidths[0]], using: &rng)
        var y = teacher.apply(params, x).outputs
        if noise > 0 { y = y + Tensor<Double>.randomNormal(y.shape, scale: noise, using: &rng) }
        return Dataset(features: x, targets: y,
                       provenance: DataOrigin(source: "teacher_student", paths: [], content: bytes(x.scalars + y.scalars)))
    }

    /// The values' bytes in memory order (little-endian Float64), for content hashes.
    static func bytes(_ values: [Double]) -> Data {
        values.withUnsafeBufferPointer { Data(buffer: $0) }
    }
}
