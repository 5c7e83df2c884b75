import Autodiff
import Tensor

/// Elementwise nonlinearity between dense layers.
public enum Activation: String, CaseIterable, Sendable, Codable {
    case tanh, relu, gelu

    func apply<A: TensorOps>(_ x: A) -> A {
        switch self {
        case .tanh: return x.tanh()
        case .relu: return x.relu()
        case .gelu: return x.gelu()
        }
    }
}

/// How initial weights are drawn (biases start at zero).
public enum Initialization: String, CaseIterable, Sendable, Codable {
    /// N(0, 1/fan_in): keeps tanh/linear pre-activations at unit scale.
    case lecunNormal = "lecun_normal"
    /// N(0, 2/fan_in): the ReLU counterpart.
    case heNormal = "he_normal"
    /// U(-a, a) with a = sqrt(6/(fan_in + fan_out)).
    case glorotUniform = "glorot_uniform"
}

/// A multilayer perceptron: dense layers `x W_k + b_k` with an activation between them and none
/// after the last. Inputs `[n, widths[0]]`, outputs `[n, widths.last]` (logits or predictions).
///
/// Parameters, in order: `dense<k>.weight` of shape `[widths[k], widths[k+1]]` and `dense<k>.bias`
/// of shape `[widths[k+1]]`, for k = 0 ..< widths.count - 1.
public struct MLP: Equatable, Sendable {
    public let widths: [Int]
    public let activation: Activation

    public init(widths: [Int], activation: Activation) {
        precondition(widths.count >= 2 && widths.allSatisfy { $0 > 0 }, "MLP: widths must be >= 2 positive sizes, got \(widths)")
        self.widths = widths
        self.activation = activation
    }

    public var layout: ParameterLayout {
        var names = [String](), shapes = [[Int]]()
        for k in 0..<(widths.count - 1) {
            names += ["dense\(k).weight", "dense\(k).bias"]
            shapes += [[widths[k], widths[k + 1]], [widths[k + 1]]]
        }
        return ParameterLayout(names: names, shapes: shapes)
    }

    /// Initial parameters, reproducible from `seed`.
    public func initialParameters<T: TensorScalar>(_ scheme: Initialization, seed: UInt64, as: T.Type = T.self) -> [Tensor<T>] {
        var rng = SeededGenerator(seed: seed)
        var out = [Tensor<T>]()
        for k in 0..<(widths.count - 1) {
            let (fanIn, fanOut) = (widths[k], widths[k + 1])
            switch scheme {
            case .lecunNormal:
                out.append(.randomNormal([fanIn, fanOut], scale: T(1 / Double(fanIn).squareRoot()), using: &rng))
            case .heNormal:
                out.append(.randomNormal([fanIn, fanOut], scale: T((2 / Double(fanIn)).squareRoot()), using: &rng))
            case .glorotUniform:
                let a = T((6 / Double(fanIn + fanOut)).squareRoot())
                out.append(.randomUniform([fanIn, fanOut], low: -a, high: a, using: &rng))
            }
            out.append(Tensor(zeros: [fanOut]))
        }
        return out
    }

    /// The network's output for inputs `x` (`[n, widths[0]]`).
    public func callAsFunction<A: TensorOps>(_ parameters: [A], _ x: A) -> A {
        precondition(parameters.count == 2 * (widths.count - 1), "MLP: expected \(2 * (widths.count - 1)) parameter tensors, got \(parameters.count)")
        var h = x
        for k in 0..<(widths.count - 1) {
            h = h.matmul(parameters[2 * k], addingRowVector: parameters[2 * k + 1])
            if k < widths.count - 2 { h = activation.apply(h) }
        }
        return h
    }
}
