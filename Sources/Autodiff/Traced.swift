import Tensor

/// The record of a reverse-mode computation: one node per operation on tracked values, holding
/// the op's pullback (its VJP rule, closed over the values it needs).
public final class Tape<V: PullbackOps> {
    struct Node {
        /// Tape ids of the op's inputs (-1 for constants).
        let inputs: [Int]
        /// Output adjoint -> one adjoint per input (`nil` for inputs that are constants).
        var pullback: ((V) -> [V?])?
    }
    var nodes: [Node] = []

    public init() {}

    /// A new tracked input (a parameter): its adjoint is what `backward` returns for it.
    public func variable(_ value: V) -> Traced<V> {
        nodes.append(Node(inputs: [], pullback: nil))
        return Traced(value: value, id: nodes.count - 1, tape: self)
    }

    /// Runs the pullbacks from `output` (seeded with adjoint 1) back to the start and returns the
    /// adjoints of `variables` (zeros for a variable the output does not depend on).
    ///
    /// Each node's pullback and adjoint are released as soon as they are used, so memory peaks at
    /// the forward pass. The tape can run backward once.
    public func backward(from output: Traced<V>, to variables: [Traced<V>], zero: (Traced<V>) -> V) -> [V] {
        precondition(output.tape === self, "Tape.backward: the output was not recorded on this tape")
        precondition(output.shape.reduce(1, *) == 1, "Tape.backward: output must be a scalar, got shape \(output.shape)")
        var adjoints = [V?](repeating: nil, count: nodes.count)
        adjoints[output.id] = V(constant: Tensor(shape: output.shape, repeating: 1))
        let wanted = Set(variables.map(\.id))
        for id in stride(from: output.id, through: 0, by: -1) {
            guard let g = adjoints[id], let pullback = nodes[id].pullback else { continue }
            let inputGrads = pullback(g)
            nodes[id].pullback = nil
            if !wanted.contains(id) { adjoints[id] = nil }
            for (input, grad) in zip(nodes[id].inputs, inputGrads) where input >= 0 {
                guard let grad else { continue }
                adjoints[input] = adjoints[input].map { $0 + grad } ?? grad
            }
        }
        return variables.map { adjoints[$0.id] ?? zero($0) }
    }
}

/// A value whose operations are recorded on a tape for reverse mode.
///
/// With `V = Tensor<T>` the pullbacks compute the gradient; with `V = Dual<T>` (parameters carrying
/// the direction v as tangent) they compute the gradient and, in the tangents, the exact Hessian-vector
/// product. VJP rules are in `Primitives/*.swift`, written in `PullbackOps`, so they serve both.
public struct Traced<V: PullbackOps>: TensorOps {
    public typealias Scalar = V.Scalar
    public let value: V
    /// Position on the tape; -1 for a constant.
    let id: Int
    let tape: Tape<V>?

    init(value: V, id: Int, tape: Tape<V>?) {
        self.value = value
        self.id = id
        self.tape = tape
    }

    public init(constant: Tensor<Scalar>) { self.init(value: V(constant: constant), id: -1, tape: nil) }

    public var shape: [Int] { value.shape }
    public var isConstant: Bool { id < 0 }

    /// Records an op with output `value`, inputs, and its pullback. `pullback` receives the output
    /// adjoint and which inputs need an adjoint, and returns one adjoint (or nil) per input.
    static func record(_ value: V, _ inputs: [Traced], _ pullback: @escaping (V, [Bool]) -> [V?]) -> Traced {
        guard let tape = inputs.lazy.compactMap(\.tape).first else {
            return Traced(value: value, id: -1, tape: nil)
        }
        precondition(inputs.allSatisfy { $0.tape == nil || $0.tape === tape }, "Traced: inputs from two different tapes")
        let ids = inputs.map(\.id)
        let needs = ids.map { $0 >= 0 }
        tape.nodes.append(Tape<V>.Node(inputs: ids, pullback: { g in pullback(g, needs) }))
        return Traced(value: value, id: tape.nodes.count - 1, tape: tape)
    }
}
