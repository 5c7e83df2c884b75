import Autodiff
import Tensor

/// Elementwise nonlinearity between layers.
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

/// A multilayer perceptron: dense layers `x W_k + b_k` with an activation between them and none
/// after the last. Inputs `[n, widths[0]]`, outputs `[n, widths.last]` (logits or predictions).
///
/// As a `Network`: layers `dense<k>` (parameters `dense<k>.weight` `[widths[k], widths[k+1]]` and
/// `dense<k>.bias` `[widths[k+1]]`) and `act<k>` between them.
public struct MLP: Equatable, Sendable {
    public let widths: [Int]
    public let activation: Activation
    /// Dropout rate after each hidden activation (layers `drop<k>`); 0: none.
    public let dropout: Double

    public init(widths: [Int], activation: Activation, dropout: Double = 0) {
        precondition(widths.count >= 2 && widths.allSatisfy { $0 > 0 }, "MLP: widths must be >= 2 positive sizes, got \(widths)")
        self.widths = widths
        self.activation = activation
        self.dropout = dropout
    }

    public var network: Network {
        var layers = [(name: String, layer: any Layer)]()
        for k in 0..<(widths.count - 1) {
            layers.append(("dense\(k)", Dense(inputs: widths[k], outputs: widths[k + 1])))
            if k < widths.count - 2 {
                layers.append(("act\(k)", ActivationLayer(activation)))
                if dropout > 0 { layers.append(("drop\(k)", Dropout(rate: dropout))) }
            }
        }
        return Network(Sequential(layers), inputShape: [widths[0]])
    }
}
