import Tensor

/// Names and shapes of a model's parameter tensors, in a fixed order, and the map between the
/// list of tensors (for storage and for the model) and one flat vector (for optimizers and Lanczos).
///
/// Tensor k occupies `flat[offsets[k] ..< offsets[k] + count(k)]`, row-major, in list order.
public struct ParameterLayout: Equatable, Sendable {
    public let names: [String]
    public let shapes: [[Int]]
    /// Start of each tensor in the flat vector.
    public let offsets: [Int]
    /// Total number of scalars.
    public let count: Int

    public init(names: [String], shapes: [[Int]]) {
        precondition(names.count == shapes.count, "ParameterLayout: \(names.count) names for \(shapes.count) shapes")
        precondition(Set(names).count == names.count, "ParameterLayout: duplicate parameter names in \(names)")
        self.names = names
        self.shapes = shapes
        var offsets = [Int](), total = 0
        for shape in shapes { offsets.append(total); total += shape.reduce(1, *) }
        self.offsets = offsets
        self.count = total
    }

    /// The tensors concatenated into one vector (shape `[count]`).
    public func flatten<T>(_ tensors: [Tensor<T>]) -> Tensor<T> {
        precondition(tensors.map(\.shape) == shapes, "ParameterLayout.flatten: shapes \(tensors.map(\.shape)) != \(shapes)")
        var flat = [T]()
        flat.reserveCapacity(count)
        for t in tensors { flat.append(contentsOf: t.scalars) }
        return Tensor(shape: [count], scalars: flat)
    }

    /// The flat vector cut back into tensors of the layout's shapes.
    public func unflatten<T>(_ flat: Tensor<T>) -> [Tensor<T>] {
        precondition(flat.count == count, "ParameterLayout.unflatten: vector of \(flat.count), layout needs \(count)")
        return flat.scalars.withUnsafeBufferPointer { buffer in
            zip(offsets, shapes).map { offset, shape in
                let n = shape.reduce(1, *)
                return Tensor(shape: shape, scalars: Array(buffer[offset..<(offset + n)]))
            }
        }
    }

    /// Index of the tensor called `name`.
    public func index(of name: String) -> Int? { names.firstIndex(of: name) }
}
