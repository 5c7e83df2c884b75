import Autodiff
import Tensor

/// Named layers applied in order.
public struct Sequential: Layer {
    public let layers: [(name: String, layer: any Layer)]

    public init(_ layers: [(name: String, layer: any Layer)]) {
        precondition(Set(layers.map(\.name)).count == layers.count, "Sequential: duplicate layer names in \(layers.map(\.name))")
        self.layers = layers
    }

    public var children: [(name: String, layer: any Layer)] { layers }

    public func outputShape(for input: [Int]) -> [Int] { layers.reduce(input) { $1.layer.outputShape(for: $0) } }

    public func activations(for input: [Int]) -> Int {
        var shape = input, total = 0
        for entry in layers {
            total += entry.layer.activations(for: shape)
            shape = entry.layer.outputShape(for: shape)
        }
        return total
    }

    public func callAsFunction<A: TensorOps>(_ x: A, _ scope: Scope<A>) -> A {
        layers.reduce(x) { h, entry in entry.layer(h, scope.child(entry.name)) }
    }
}

/// A residual connection: `act(body(x) + shortcut(x))`, the shortcut the identity when absent (a
/// projection, such as a strided 1x1 convolution with normalization, when the shape changes), the
/// activation none when absent. Children: `body`, and `shortcut` when present.
public struct Residual: Layer {
    public let body: any Layer
    public let shortcut: (any Layer)?
    public let activation: Activation?

    public init(body: any Layer, shortcut: (any Layer)? = nil, activation: Activation? = nil) {
        self.body = body
        self.shortcut = shortcut
        self.activation = activation
    }

    public var children: [(name: String, layer: any Layer)] {
        [("body", body)] + (shortcut.map { [("shortcut", $0)] } ?? [])
    }

    public func outputShape(for input: [Int]) -> [Int] {
        let out = body.outputShape(for: input)
        let skip = shortcut?.outputShape(for: input) ?? input
        precondition(out == skip, "Residual: body gives \(out), shortcut \(skip)")
        return out
    }

    public func activations(for input: [Int]) -> Int {
        body.activations(for: input) + (shortcut?.activations(for: input) ?? 0) + 2 * outputShape(for: input).reduce(1, *)
    }

    public func callAsFunction<A: TensorOps>(_ x: A, _ scope: Scope<A>) -> A {
        let skip = shortcut.map { $0(x, scope.child("shortcut")) } ?? x
        let sum = body(x, scope.child("body")) + skip
        return activation.map { $0.apply(sum) } ?? sum
    }
}
