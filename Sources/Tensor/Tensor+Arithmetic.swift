/// Elementwise arithmetic and reductions. Binary operations need equal shapes; the broadcasts
/// layers use (a row vector added to every row, a rank-0 factor) have their own names.
extension Tensor {
    @inline(__always)
    func mapped(_ body: (UnsafePointer<T>, UnsafeMutablePointer<T>, Int) -> Void) -> Tensor {
        scalars.withUnsafeBufferPointer { x in
            Tensor(shape: shape) { out, n in body(x.baseAddress!, out, n) }
        }
    }

    @inline(__always)
    func zipped(_ other: Tensor, _ op: String,
                _ body: (UnsafePointer<T>, UnsafePointer<T>, UnsafeMutablePointer<T>, Int) -> Void) -> Tensor {
        precondition(shape == other.shape, "Tensor.\(op): shapes \(shape) and \(other.shape) differ")
        return scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                Tensor(shape: shape) { out, n in body(a.baseAddress!, b.baseAddress!, out, n) }
            }
        }
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor { a.zipped(b, "+") { T.add($0, $1, $2, $3) } }
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        a.zipped(b, "-") { T.linearCombination(1, $0, -1, $1, $2, $3) }
    }
    /// Elementwise (Hadamard) product.
    public static func * (a: Tensor, b: Tensor) -> Tensor { a.zipped(b, "*") { T.multiply($0, $1, $2, $3) } }
    public static func * (alpha: T, a: Tensor) -> Tensor { a.mapped { T.scale(alpha, $0, $1, $2) } }
    public static prefix func - (a: Tensor) -> Tensor { T(-1) * a }

    /// `alpha * self + beta * other`, one pass.
    public func linearCombination(_ alpha: T, _ beta: T, _ other: Tensor) -> Tensor {
        zipped(other, "linearCombination") { T.linearCombination(alpha, $0, beta, $1, $2, $3) }
    }

    /// `self += other` in place.
    public mutating func add(_ other: Tensor) {
        precondition(shape == other.shape, "Tensor.add: shapes \(shape) and \(other.shape) differ")
        let n = count
        other.scalars.withUnsafeBufferPointer { b in
            scalars.withUnsafeMutableBufferPointer { a in T.add(a.baseAddress!, b.baseAddress!, a.baseAddress!, n) }
        }
    }

    /// Every row of a `[rows, cols]` matrix plus the vector `b` of shape `[cols]`.
    public func addingRowVector(_ b: Tensor) -> Tensor {
        precondition(rank == 2 && b.shape == [shape[1]],
                     "Tensor.addingRowVector: matrix \(shape) and vector \(b.shape) do not fit")
        let (rows, cols) = (shape[0], shape[1])
        return b.scalars.withUnsafeBufferPointer { bp in
            mapped { x, out, _ in T.addRowVector(x, bp.baseAddress!, out, rows: rows, cols: cols) }
        }
    }

    /// The sum over the first axis of a `[rows, cols]` matrix: shape `[cols]`.
    public func columnSums() -> Tensor {
        precondition(rank == 2, "Tensor.columnSums: needs a matrix, got shape \(shape)")
        let (rows, cols) = (shape[0], shape[1])
        return scalars.withUnsafeBufferPointer { x in
            Tensor(shape: [cols]) { out, _ in T.columnSums(x.baseAddress!, out, rows: rows, cols: cols) }
        }
    }

    /// Sum of all elements.
    public func sum() -> T { scalars.withUnsafeBufferPointer { T.sum($0.baseAddress!, count) } }

    /// `sum_i self[i] * other[i]` over all elements (BLAS).
    public func dot(_ other: Tensor) -> T {
        precondition(count == other.count, "Tensor.dot: \(count) and \(other.count) elements")
        return scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in T.dot(count, a.baseAddress!, b.baseAddress!) }
        }
    }

    /// Euclidean norm of all elements.
    public func norm() -> T { dot(self).squareRoot() }

    /// True when every element is finite. (A finite sum proves it at SIMD speed; otherwise look.)
    public var isFinite: Bool { sum().isFinite || scalars.allSatisfy { $0.isFinite } }
}
