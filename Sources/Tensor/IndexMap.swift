/// A gather along the example axis: `out[n, j] = x[n, indices[j]]` (or 0 where `indices[j] < 0`),
/// for tensors whose first axis indexes examples. It is linear in `x`; its adjoint is the scatter
/// `x̄[n, indices[j]] += ȳ[n, j]`.
///
/// One mechanism serves every layer that rearranges values: im2col for convolutions (with -1 for
/// zero padding), pooling windows, and the argmax selection of max pooling (`perExample`, data-dependent
/// indices). Indices address the flattened per-example input, row-major.
public struct IndexMap: Equatable, Sendable {
    /// The per-example input shape (without the example axis).
    public let inputShape: [Int]
    /// The per-example output shape.
    public let outputShape: [Int]
    /// Per-example input offsets, `outputCount` of them shared by all examples, or
    /// `examples * outputCount` (example n's first) when `examples` is set.
    public let indices: [Int32]
    /// The number of examples the map was built for, when its indices differ between examples.
    public let examples: Int?
    /// A shared map's indices as stretches `(output start, input start or -1, length)` of
    /// consecutive offsets (or of padding), when they are long enough (4 on average) for block
    /// copies to beat the element loop; empty otherwise.
    let runs: [SIMD3<Int32>]

    public var inputCount: Int { inputShape.reduce(1, *) }
    /// True when gather and scatter copy consecutive stretches as blocks (see `runs`).
    public var copiesStretches: Bool { !runs.isEmpty }
    public var outputCount: Int { outputShape.reduce(1, *) }

    public init(inputShape: [Int], outputShape: [Int], indices: [Int32], examples: Int? = nil) {
        let (inputCount, outputCount) = (inputShape.reduce(1, *), outputShape.reduce(1, *))
        precondition(inputCount <= Int(Int32.max), "IndexMap: \(inputCount) input elements per example exceed Int32 offsets")
        precondition(indices.count == outputCount * (examples ?? 1),
                     "IndexMap: \(indices.count) indices for output \(outputShape) x \(examples ?? 1) examples")
        precondition(indices.allSatisfy { $0 < inputCount }, "IndexMap: an index is outside the input \(inputShape)")
        self.inputShape = inputShape
        self.outputShape = outputShape
        self.indices = indices
        self.examples = examples
        self.runs = examples == nil ? IndexMap.stretches(indices) : []
    }

    static func stretches(_ indices: [Int32]) -> [SIMD3<Int32>] {
        var runs = [SIMD3<Int32>]()
        var j = 0
        while j < indices.count {
            let start = j, first = indices[j]
            j += 1
            while j < indices.count, first < 0 ? indices[j] < 0 : indices[j] == first + Int32(j - start) { j += 1 }
            runs.append(SIMD3(Int32(start), first < 0 ? -1 : first, Int32(j - start)))
        }
        return runs.count * 4 <= indices.count ? runs : []
    }

    /// The offsets for example `n`.
    @inline(__always)
    func offsets(_ n: Int, _ all: UnsafeBufferPointer<Int32>) -> UnsafePointer<Int32> {
        examples == nil ? all.baseAddress! : all.baseAddress! + n * outputCount
    }
}

extension Tensor {
    /// `out[n, j] = self[n, map.indices[j]]` (0 for a negative index): shape `[n] + map.outputShape`.
    public func gathered(_ map: IndexMap) -> Tensor {
        precondition(rank >= 1 && Array(shape.dropFirst()) == map.inputShape && (map.examples == nil || map.examples == shape[0]),
                     "Tensor.gathered: input \(shape) does not fit the map's [\(map.examples.map(String.init) ?? "n")] + \(map.inputShape)")
        let (n, inCount, outCount) = (shape[0], map.inputCount, map.outputCount)
        return scalars.withUnsafeBufferPointer { x in
            map.indices.withUnsafeBufferPointer { all in
                Tensor(shape: [n] + map.outputShape) { out, _ in
                    if !map.runs.isEmpty {
                        map.runs.withUnsafeBufferPointer { runs in
                            for e in 0..<n { T.gatherStretches(x.baseAddress! + e * inCount, runs.baseAddress!, runs.count, out + e * outCount) }
                        }
                        return
                    }
                    for e in 0..<n { T.gather(x.baseAddress! + e * inCount, map.offsets(e, all), out + e * outCount, outCount) }
                }
            }
        }
    }

    /// The adjoint of `gathered(map)`: `out[n, map.indices[j]] += self[n, j]`, shape `[n] + map.inputShape`.
    public func scattered(_ map: IndexMap) -> Tensor {
        precondition(rank >= 1 && Array(shape.dropFirst()) == map.outputShape && (map.examples == nil || map.examples == shape[0]),
                     "Tensor.scattered: input \(shape) does not fit the map's [\(map.examples.map(String.init) ?? "n")] + \(map.outputShape)")
        let (n, inCount, outCount) = (shape[0], map.inputCount, map.outputCount)
        var result = Tensor(zeros: [n] + map.inputShape)
        scalars.withUnsafeBufferPointer { g in
            map.indices.withUnsafeBufferPointer { all in
                result.scalars.withUnsafeMutableBufferPointer { out in
                    if !map.runs.isEmpty {
                        map.runs.withUnsafeBufferPointer { runs in
                            for e in 0..<n { T.scatterAddStretches(g.baseAddress! + e * outCount, runs.baseAddress!, runs.count, out.baseAddress! + e * inCount) }
                        }
                        return
                    }
                    for e in 0..<n { T.scatterAdd(g.baseAddress! + e * outCount, map.offsets(e, all), out.baseAddress! + e * inCount, outCount) }
                }
            }
        }
        return result
    }
}
