/// A dense, row-major array of `Float` or `Double` with a shape.
///
/// Value semantics (copy on write through the backing `Array`). Rank 0 holds a scalar, rank 1 a
/// vector, rank 2 a matrix `[rows, cols]` stored row by row. The operations in the other files of
/// this module allocate their results; none of them keeps references to its inputs.
public struct Tensor<T: TensorScalar>: Equatable, Sendable {
    /// Extent along each axis; empty for a scalar.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
    public var scalars: [T]

    /// A tensor of the given shape holding `scalars` in row-major order.
    public init(shape: [Int], scalars: [T]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative extent in shape \(shape)")
        precondition(shape.reduce(1, *) == scalars.count,
                     "Tensor: shape \(shape) needs \(shape.reduce(1, *)) elements, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of the given shape with every element equal to `value`.
    public init(shape: [Int], repeating value: T) {
        // Through a kernel: `Array(repeating:count:)` is not specialized here and copies each
        // element through a value-witness call.
        self.init(shape: shape) { out, n in T.fill(value, out, n) }
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) { self.init(shape: shape, repeating: 0) }

    /// A rank-0 tensor holding one number.
    public init(scalar: T) { self.init(shape: [], scalars: [scalar]) }

    /// A tensor whose elements are written by `fill`, which must set all `count` of them.
    @inlinable
    public init(shape: [Int], unsafeUninitialized fill: (UnsafeMutablePointer<T>, Int) -> Void) {
        let count = shape.reduce(1, *)
        let scalars = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { fill(buffer.baseAddress!, count) }
            initialized = count
        }
        self.init(shape: shape, scalars: scalars)
    }

    /// Number of elements.
    public var count: Int { scalars.count }
    /// Number of axes.
    public var rank: Int { shape.count }
    /// The single element of a tensor with one element (any rank).
    public var scalar: T {
        precondition(count == 1, "Tensor.scalar: tensor of shape \(shape) has \(count) elements")
        return scalars[0]
    }

    /// The same elements under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, scalars: scalars)
    }

    /// Element `[i, j]` of a matrix.
    public subscript(i: Int, j: Int) -> T {
        get { precondition(rank == 2); return scalars[i * shape[1] + j] }
        set { precondition(rank == 2); scalars[i * shape[1] + j] = newValue }
    }

    /// A tensor of this precision from Float64 values (rounded to nearest).
    public init(shape: [Int], converting values: [Double]) {
        precondition(shape.reduce(1, *) == values.count, "Tensor(converting:): shape \(shape) for \(values.count) values")
        self = values.withUnsafeBufferPointer { x in Tensor(shape: shape) { out, n in T.convert(fromDouble: x.baseAddress!, out, n) } }
    }

    /// The elements as Float64 (exact).
    public var doubles: [Double] {
        scalars.withUnsafeBufferPointer { x in
            [Double](unsafeUninitializedCapacity: count) { out, initialized in
                if count > 0 { T.convert(toDouble: x.baseAddress!, out.baseAddress!, count) }
                initialized = count
            }
        }
    }

    /// The elements converted to another precision.
    public func converted<U: TensorScalar>(to: U.Type = U.self) -> Tensor<U> {
        if let same = self as? Tensor<U> { return same }
        return Tensor<U>(shape: shape, converting: doubles)
    }

    /// Rows `range` of a tensor whose first axis indexes examples: shape `[range.count] + shape[1...]`.
    public func rows(_ range: Range<Int>) -> Tensor {
        precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0],
                     "Tensor.rows: \(range) out of 0..<\(shape.first ?? 0)")
        let stride = count / Swift.max(shape[0], 1)
        return Tensor(shape: [range.count] + shape.dropFirst(),
                      scalars: Array(scalars[(range.lowerBound * stride)..<(range.upperBound * stride)]))
    }

    /// The rows at `indices` (a gather along the first axis).
    public func rows(at indices: [Int]) -> Tensor {
        let stride = count / Swift.max(shape[0], 1)
        var out = [T]()
        out.reserveCapacity(indices.count * stride)
        for i in indices {
            precondition(i >= 0 && i < shape[0], "Tensor.rows(at:): index \(i) out of 0..<\(shape[0])")
            out.append(contentsOf: scalars[(i * stride)..<((i + 1) * stride)])
        }
        return Tensor(shape: [indices.count] + shape.dropFirst(), scalars: out)
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor<\(T.dtypeName)>\(shape)[\(shown)\(count > 8 ? ", ..." : "")]"
    }
}
