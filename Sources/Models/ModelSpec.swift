import Foundation

/// Everything needed to rebuild a model and its loss with no other input, as stored in run files
/// (JSON, e.g. `{"kind":"mlp","widths":[64,64,10],"activation":"tanh","loss":"cross_entropy",
/// "weight_decay":0,"dtype":"f32","init":"lecun_normal"}`).
public struct ModelSpec: Codable, Equatable, Sendable {
    /// "mlp" (the only kind so far).
    public var kind: String
    /// Layer widths, input first, output last.
    public var widths: [Int]
    public var activation: Activation
    public var loss: LossKind
    /// The L2 coefficient that is part of the loss (and so of the Hessian): `(wd/2)|w|^2`.
    public var weightDecay: Double
    /// "f32" or "f64": the precision the model was trained in.
    public var dtype: String
    public var initialization: Initialization

    enum CodingKeys: String, CodingKey {
        case kind, widths, activation, loss, dtype
        case weightDecay = "weight_decay"
        case initialization = "init"
    }

    public init(widths: [Int], activation: Activation, loss: LossKind, weightDecay: Double, dtype: String,
                initialization: Initialization) {
        self.kind = "mlp"
        self.widths = widths
        self.activation = activation
        self.loss = loss
        self.weightDecay = weightDecay
        self.dtype = dtype
        self.initialization = initialization
    }

    public var mlp: MLP { MLP(widths: widths, activation: activation) }

    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(data: try! encoder.encode(self), encoding: .utf8)!
    }

    /// Parses a stored spec; `source` names where it came from in errors.
    public static func parse(json: String, source: String) throws -> ModelSpec {
        let spec: ModelSpec
        do { spec = try JSONDecoder().decode(ModelSpec.self, from: Data(json.utf8)) } catch {
            throw ModelSpecError("\(source): the model spec is not readable (\(error)); spec text: \(json.prefix(200))")
        }
        guard spec.kind == "mlp" else { throw ModelSpecError("\(source): model kind '\(spec.kind)' is not known to this version (known: mlp)") }
        guard spec.widths.count >= 2, spec.widths.allSatisfy({ $0 > 0 }) else {
            throw ModelSpecError("\(source): model widths \(spec.widths) must be at least two positive sizes")
        }
        guard ["f32", "f64"].contains(spec.dtype) else { throw ModelSpecError("\(source): dtype '\(spec.dtype)' (expected f32 or f64)") }
        return spec
    }
}

public struct ModelSpecError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
