import Autodiff
import Tensor

/// Whether normalization uses the batch's statistics (train) or the running ones (eval), and
/// whether dropout drops.
public enum Mode: String, Codable, Sendable, CaseIterable {
    case train, eval
}

/// How a parameter starts. Weights are drawn by the run's `Initialization` scheme from their fans,
/// then multiplied by `scale` (Fixup's branch rescaling; 0 makes zero-initialized weights).
public enum InitialValue: Equatable, Sendable {
    case weight(fanIn: Int, fanOut: Int, scale: Double)
    case constant(Double)

    public static var zeros: InitialValue { .constant(0) }
    public static var ones: InitialValue { .constant(1) }
}

/// What a tensor is to its layer, as far as other frameworks store it differently: weights
/// trained elsewhere are converted by role (`WeightImport`: PyTorch's `nn.Linear.weight` is a
/// `.denseWeight` transposed, Flax's `Conv.kernel` a `.convolutionWeight` permuted).
public enum ParameterRole: String, Equatable, Sendable {
    /// A dense layer's matrix, `[inputs, outputs]`.
    case denseWeight
    /// A convolution's kernel, `[C_out, C_in, k, k]`.
    case convolutionWeight
    /// A lookup table, `[entries, width]` (token embeddings, learned positions).
    case table
    /// A normalization's scale (`weight`, `[features]`).
    case normScale
    /// Anything else (biases, Fixup's scalars, running statistics): stored the same everywhere.
    case other
}

/// One trainable tensor of a layer: its name within the layer (`weight`), shape and start.
public struct ParameterSpec: Equatable, Sendable {
    public let name: String
    public let shape: [Int]
    public let initial: InitialValue
    public let role: ParameterRole

    public init(_ name: String, _ shape: [Int], _ initial: InitialValue, role: ParameterRole = .other) {
        self.name = name
        self.shape = shape
        self.initial = initial
        self.role = role
    }
}

/// A layer: a function of its input and its parameters, with named sub-layers.
///
/// Layers are written once in `TensorOps` (compositions of the general operations), so every
/// layer gets its gradient and exact Hessian-vector product from the autodiff with no derivative
/// of its own. Inputs and outputs carry examples along the first axis; images are `[n, C, H, W]`.
/// A layer's parameters are named `<path>.<name>` in the model (`block2.conv1.weight`), in the
/// order: its own, then its children's, depth first.
public protocol Layer: Sendable {
    /// This layer's own trainable tensors (not its children's), in order.
    var parameters: [ParameterSpec] { get }
    /// This layer's own non-trainable state (running statistics), in order; initial values as for parameters.
    var buffers: [ParameterSpec] { get }
    /// Sub-layers, named, in order.
    var children: [(name: String, layer: any Layer)] { get }
    /// The per-example output shape for a per-example input shape (`[C, H, W]`, `[features]`).
    func outputShape(for input: [Int]) -> [Int]
    /// The layer applied to `x`, reading its parameters and buffers from `scope`.
    func callAsFunction<A: TensorOps>(_ x: A, _ scope: Scope<A>) -> A
    /// Values computed per example for an input of this shape (every intermediate output): what
    /// a forward pass keeps, for memory estimates.
    func activations(for input: [Int]) -> Int
}

extension Layer {
    public func activations(for input: [Int]) -> Int { outputShape(for: input).reduce(1, *) }
    public var parameters: [ParameterSpec] { [] }
    public var buffers: [ParameterSpec] { [] }
    public var children: [(name: String, layer: any Layer)] { [] }
}

/// One forward pass of a model: its parameters and buffers by full name, the mode, and the
/// buffer values the pass computes (BatchNorm's running statistics in train mode).
public final class ForwardPass<A: TensorOps> {
    let parameters: [String: A]
    let buffers: [String: Tensor<A.Scalar>]
    public let mode: Mode
    /// Seeds dropout masks; nil turns dropout off in either mode.
    public let dropoutSeed: UInt64?
    /// New buffer values, by full name, in the order the pass computed them.
    public private(set) var updatedBuffers: [(name: String, value: Tensor<A.Scalar>)] = []

    public init(parameters: [String: A], buffers: [String: Tensor<A.Scalar>], mode: Mode, dropoutSeed: UInt64?) {
        self.parameters = parameters
        self.buffers = buffers
        self.mode = mode
        self.dropoutSeed = dropoutSeed
    }

    func update(_ name: String, _ value: Tensor<A.Scalar>) { updatedBuffers.append((name, value)) }
}

/// A layer's view of the forward pass: its own names resolved under its path.
public struct Scope<A: TensorOps> {
    public let pass: ForwardPass<A>
    /// The layer's path in the model (`block2.conv1`); empty at the root.
    public let path: String

    public init(pass: ForwardPass<A>, path: String) {
        self.pass = pass
        self.path = path
    }

    public var mode: Mode { pass.mode }

    func fullName(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    /// The parameter `name` of this layer.
    public func parameter(_ name: String) -> A { parameter(fullName: fullName(name)) }

    /// The parameter of another layer, by its full name (`embedding.weight`): weights tied
    /// between layers, such as an output layer that reuses the token embedding.
    public func parameter(fullName: String) -> A {
        guard let p = pass.parameters[fullName] else { preconditionFailure("Scope: no parameter \(fullName)") }
        return p
    }

    /// The buffer `name` of this layer.
    public func buffer(_ name: String) -> Tensor<A.Scalar> {
        guard let b = pass.buffers[fullName(name)] else { preconditionFailure("Scope: no buffer \(fullName(name))") }
        return b
    }

    /// Records a new value of this layer's buffer `name`.
    public func update(buffer name: String, to value: Tensor<A.Scalar>) { pass.update(fullName(name), value) }

    /// The scope of the child called `name`.
    public func child(_ name: String) -> Scope { Scope(pass: pass, path: fullName(name)) }
}
