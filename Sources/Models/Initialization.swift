import Tensor

/// How initial weights are drawn from a weight's fans (biases and normalization parameters start
/// at constants; see `InitialValue`). For a dense `[in, out]` weight the fans are `in`, `out`; for
/// a convolution `[C_out, C_in, k, k]` they are `C_in k²` and `C_out k²`.
public enum Initialization: String, CaseIterable, Sendable, Codable {
    /// N(0, 1/fan_in): keeps tanh/linear pre-activations at unit scale.
    case lecunNormal = "lecun_normal"
    /// U(-a, a), a = sqrt(3/fan_in): the same variance, uniform.
    case lecunUniform = "lecun_uniform"
    /// N(0, 2/fan_in): the ReLU counterpart.
    case heNormal = "he_normal"
    /// U(-a, a), a = sqrt(6/fan_in).
    case heUniform = "he_uniform"
    /// N(0, 2/(fan_in + fan_out)) (Xavier).
    case glorotNormal = "glorot_normal"
    /// U(-a, a) with a = sqrt(6/(fan_in + fan_out)) (Xavier).
    case glorotUniform = "glorot_uniform"

    /// A weight of `shape` drawn from `rng`.
    func draw<T: TensorScalar>(_ shape: [Int], fanIn: Int, fanOut: Int, using rng: inout SeededGenerator) -> Tensor<T> {
        let (fi, fo) = (Double(fanIn), Double(fanOut))
        switch self {
        case .lecunNormal: return .randomNormal(shape, scale: T(1 / fi.squareRoot()), using: &rng)
        case .heNormal: return .randomNormal(shape, scale: T((2 / fi).squareRoot()), using: &rng)
        case .glorotNormal: return .randomNormal(shape, scale: T((2 / (fi + fo)).squareRoot()), using: &rng)
        case .lecunUniform: return uniform(shape, T((3 / fi).squareRoot()), &rng)
        case .heUniform: return uniform(shape, T((6 / fi).squareRoot()), &rng)
        case .glorotUniform: return uniform(shape, T((6 / (fi + fo)).squareRoot()), &rng)
        }
    }

    private func uniform<T: TensorScalar>(_ shape: [Int], _ a: T, _ rng: inout SeededGenerator) -> Tensor<T> {
        .randomUniform(shape, low: -a, high: a, using: &rng)
    }
}
