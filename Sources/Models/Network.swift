import Autodiff
import Tensor

/// A model as a value: a tree of layers over per-example inputs of `inputShape`, with the list of
/// its named parameters and buffers.
///
/// Inputs arrive as `[n, features]` rows (how data sets and run files hold them) and are viewed as
/// `[n] + inputShape` (`[n, 1, 8, 8]` for digits) before the first layer; outputs are
/// `[n, outputs]` (logits or predictions). A sequence model's per-example output is
/// `[positions, classes]` (a prediction per position), returned flattened as
/// `[n, positions * classes]`; the loss treats each position's `classes` outputs as one
/// prediction. Parameters are listed depth first, each layer's own
/// before its children's, named by path (`block2.conv1.weight`); buffers the same way.
public struct Network: Sendable {
    public let root: any Layer
    /// The per-example input shape (`[C, H, W]` for images, `[features]` otherwise).
    public let inputShape: [Int]
    /// The number of outputs per example (`positions * classes`).
    public let outputs: Int
    /// Predictions per example: 1, or the sequence length of a per-example `[positions, classes]` output.
    public let positions: Int
    /// Parameter names and shapes, and their map to one flat vector.
    public let layout: ParameterLayout
    /// How each parameter starts (same order as `layout`).
    public let initialValues: [InitialValue]
    /// What each parameter is to its layer (same order as `layout`).
    public let parameterRoles: [ParameterRole]
    /// Buffer names and shapes (running statistics), same conventions.
    public let bufferLayout: ParameterLayout
    let bufferInitialValues: [InitialValue]

    public init(_ root: any Layer, inputShape: [Int]) {
        precondition(!inputShape.isEmpty && inputShape.allSatisfy { $0 > 0 }, "Network: bad input shape \(inputShape)")
        let output = root.outputShape(for: inputShape)
        precondition(output.count == 1 || output.count == 2,
                     "Network: the last layer gives per-example shape \(output); flatten to [outputs] or [positions, classes]")
        var parameters = [(String, ParameterSpec)](), buffers = [(String, ParameterSpec)]()
        func visit(_ layer: any Layer, _ path: String) {
            let prefix = path.isEmpty ? "" : path + "."
            parameters += layer.parameters.map { (prefix + $0.name, $0) }
            buffers += layer.buffers.map { (prefix + $0.name, $0) }
            for child in layer.children { visit(child.layer, prefix + child.name) }
        }
        visit(root, "")
        self.root = root
        self.inputShape = inputShape
        self.outputs = output.reduce(1, *)
        self.positions = output.count == 2 ? output[0] : 1
        self.layout = ParameterLayout(names: parameters.map(\.0), shapes: parameters.map(\.1.shape))
        self.initialValues = parameters.map(\.1.initial)
        self.parameterRoles = parameters.map(\.1.role)
        self.bufferLayout = ParameterLayout(names: buffers.map(\.0), shapes: buffers.map(\.1.shape))
        self.bufferInitialValues = buffers.map(\.1.initial)
    }

    /// Values a forward pass computes per example (every layer's output), for memory estimates.
    public var activationsPerExample: Int { root.activations(for: inputShape) }

    /// Outputs per prediction: the number of classes (or regression targets) at each position.
    public var classes: Int { outputs / positions }

    /// Features per example (`inputShape`'s element count).
    public var inputFeatures: Int { inputShape.reduce(1, *) }

    /// True when train mode couples the examples of a batch (a BatchNorm somewhere).
    public var usesBatchStatistics: Bool { !bufferLayout.names.isEmpty }

    /// The outputs `[n, outputs]` (a sequence model's `[n, positions * classes]`) for inputs `x` (`[n, inputFeatures]`), and the pass (its new
    /// buffer values in train mode). `buffers` follow `bufferLayout` (needed in eval mode and to
    /// compute running-statistics updates in train mode).
    public func apply<A: TensorOps>(_ parameters: [A], _ x: A, buffers: [Tensor<A.Scalar>] = [], mode: Mode = .eval,
                                    dropoutSeed: UInt64? = nil) -> (outputs: A, pass: ForwardPass<A>) {
        precondition(parameters.count == layout.names.count, "Network: \(layout.names.count) parameter tensors expected, got \(parameters.count)")
        precondition(buffers.count == bufferLayout.names.count, "Network: \(bufferLayout.names.count) buffers expected, got \(buffers.count)")
        precondition(x.shape.count == 2 && x.shape[1] == inputFeatures, "Network: inputs \(x.shape), expected [n, \(inputFeatures)]")
        let pass = ForwardPass(parameters: Dictionary(uniqueKeysWithValues: zip(layout.names, parameters)),
                               buffers: Dictionary(uniqueKeysWithValues: zip(bufferLayout.names, buffers)),
                               mode: mode, dropoutSeed: dropoutSeed)
        let input = inputShape.count == 1 ? x : x.reshaped([x.shape[0]] + inputShape)
        let y = root(input, Scope(pass: pass, path: ""))
        return (positions == 1 ? y : y.reshaped([x.shape[0], outputs]), pass)
    }

    /// Initial parameters: weights drawn in layout order from one generator seeded by `seed`
    /// (constants draw nothing), so a model's initialization is reproducible from the seed.
    public func initialParameters<T: TensorScalar>(_ scheme: Initialization, seed: UInt64, as: T.Type = T.self) -> [Tensor<T>] {
        var rng = SeededGenerator(seed: seed)
        return zip(layout.shapes, initialValues).map { shape, initial in
            switch initial {
            case .constant(let c): return Tensor(shape: shape, repeating: T(c))
            case let .weight(fanIn, fanOut, scale):
                let drawn: Tensor<T> = scheme.draw(shape, fanIn: fanIn, fanOut: fanOut, using: &rng)
                return scale == 1 ? drawn : T(scale) * drawn
            }
        }
    }

    /// Initial buffers (running mean zeros, running variance ones).
    public func initialBuffers<T: TensorScalar>(as: T.Type = T.self) -> [Tensor<T>] {
        zip(bufferLayout.shapes, bufferInitialValues).map { shape, initial in
            guard case .constant(let c) = initial else { preconditionFailure("Network: a buffer must start at a constant") }
            return Tensor(shape: shape, repeating: T(c))
        }
    }
}
