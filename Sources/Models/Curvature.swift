import Autodiff
import Dispatch
import MessagePassing
import Tensor

/// Loss, gradient and Hessian-vector products of a model's mean loss over a fixed set of examples,
/// in flat-vector form (what optimizers and Lanczos want).
///
/// The loss is `Objective`'s: with batch statistics (a BatchNorm in train mode) the examples are
/// normalized in consecutive groups of `normalizationGroup`, and chunks are whole groups, so the
/// value, gradient and Hessian do not depend on the chunking.
///
/// Large sets are processed in chunks of at most `chunkSize` examples, so memory stays bounded; each
/// chunk's objective is weighted by its share of the examples, so the result equals the whole-batch
/// one whatever the chunk sizes (up to rounding).
///
/// Sets of `parallelExamples` or more (or of `parallelActivations` activations) are cut into at least two chunks, and chunks run
/// concurrently, two at a time, each with single-threaded BLAS (`BLASThreads`); their results are
/// summed in chunk order. For small models this beats splitting every matrix product over two
/// threads: the element-wise work runs on both cores too, there is one join per pass instead of
/// one per product, and no BLAS worker spins between products. The chunks depend on the examples
/// and `chunkSize` only, never on the machine, so results do not depend on the core count.
///
/// **Across processes** (`ranks`, an MPI job of N > 1 processes): the examples are cut into at
/// least N chunks, and each rank evaluates a contiguous run of them (whole groups, as above);
/// each rank sums its chunks in order, then one all-reduce sums the ranks' vectors (value,
/// correct-prediction count and, in a training step, the running statistics ride along). Every
/// rank then holds the same value, gradient or product. Chunk boundaries, the decay term and
/// dropout masks are those of one process cut into as many chunks, so a job differs from one
/// process only in the order its chunks' sums are added: within rounding, bit for bit when N is 2
/// and one process also makes 2 chunks (the sum of two terms does not depend on their order). With
/// one rank nothing changes. A rank with no chunk (fewer groups than ranks) adds zeros.
public struct LossSurface<T: TensorScalar> {
    public let model: Network
    public let loss: LossKind
    public let examples: Batch<T>
    public let weightDecay: T
    public let chunkSize: Int
    public let layout: ParameterLayout
    /// Train mode (batch statistics, in groups) or eval mode (running statistics).
    public let mode: Mode
    /// The model's buffers (running statistics), `model.bufferLayout`.
    public let buffers: [Tensor<T>]
    /// Examples normalized together in train mode (nil: all of them); ignored without batch statistics.
    public let normalizationGroup: Int?
    /// Seeds dropout masks in train mode (a training step's); nil: dropout off, as for curvature.
    public let dropoutSeed: UInt64?
    /// The processes that share the examples (`.single`: this one has them all).
    public let ranks: Communicator
    /// Chunks over all ranks (this rank's `objectives` are some of them).
    public let chunkCount: Int
    /// One objective per chunk of this rank, weighted by its share of all the examples (the decay
    /// term rides on the first chunk of all). Cut once here: the operator applies them thousands of times.
    private let objectives: [Objective<T>]
    /// At least this many examples are cut into two chunks or more, evaluated concurrently.
    public static var parallelExamples: Int { 256 }
    /// Sets with at least this many activations in all (examples x the model's activations per
    /// example: convolutional nets) are cut in two as well, however few their examples.
    public static var parallelActivations: Int { 1 << 21 }
    /// How many chunks a set is cut into at least when it is large enough to share the work, and
    /// how many run at once (fewer when the job's processes share the cores: `threadsPerProcess`).
    static var concurrentChunks: Int { 2 }

    public init(model: Network, loss: LossKind, examples: Batch<T>, weightDecay: T = 0, chunkSize: Int = 4096,
                mode: Mode = .train, buffers: [Tensor<T>]? = nil, normalizationGroup: Int? = nil, dropoutSeed: UInt64? = nil,
                ranks: Communicator = .single) {
        self.model = model
        self.loss = loss
        self.examples = examples
        self.weightDecay = weightDecay
        self.chunkSize = chunkSize
        self.layout = model.layout
        self.mode = mode
        self.buffers = buffers ?? model.initialBuffers()
        self.normalizationGroup = normalizationGroup
        self.dropoutSeed = dropoutSeed
        self.ranks = ranks
        let n = T(examples.count)
        let work = examples.count * model.activationsPerExample
        var minimumChunks = examples.count >= Self.parallelExamples || (examples.count >= 2 && work >= Self.parallelActivations)
            ? Self.concurrentChunks : 1
        minimumChunks = Swift.max(minimumChunks, Swift.min(ranks.size, Swift.max(examples.count, 1)))
        let coupled = mode == .train && model.usesBatchStatistics
        let pieces = coupled ? Self.wholeGroups(examples, group: normalizationGroup ?? examples.count, chunkSize: chunkSize, atLeast: minimumChunks)
            : examples.chunks(of: chunkSize, atLeast: minimumChunks)
        chunkCount = pieces.count
        let buffers = self.buffers
        let mine = Self.chunks(of: ranks.rank, count: pieces.count, ranks: ranks.size)
        objectives = pieces.enumerated().filter { mine.contains($0.offset) }.map { c, chunk in
            var objective = Objective(model: model, loss: loss, batch: chunk, weight: T(chunk.count) / n, weightDecay: c == 0 ? weightDecay : 0,
                                      mode: mode, buffers: buffers, normalizationGroup: normalizationGroup)
            // Each chunk its own masks (a function of the seed and the chunk).
            objective.dropoutSeed = dropoutSeed.map { $0 &+ UInt64(c) &* 0x9E37_79B9_7F4A_7C15 }
            return objective
        }
    }

    /// The chunks rank `rank` of `ranks` evaluates: a contiguous run, counts differing by at most
    /// one (the larger first; rank 0 first when there are fewer chunks than ranks).
    static func chunks(of rank: Int, count: Int, ranks: Int) -> Range<Int> {
        let (base, extra) = count.quotientAndRemainder(dividingBy: ranks)
        let start = rank * base + Swift.min(rank, extra)
        return start..<start + base + (rank < extra ? 1 : 0)
    }

    /// Chunks made of whole groups of `group` consecutive examples (the last group holds the
    /// remainder): about `chunkSize` examples each (one group at least), at least `minimum` chunks
    /// when there are that many groups; group counts differ by at most one, the larger first.
    static func wholeGroups(_ examples: Batch<T>, group: Int, chunkSize: Int, atLeast minimum: Int) -> [Batch<T>] {
        let n = examples.count
        let groups = (n + group - 1) / group
        let perChunk = Swift.max(1, chunkSize / group)
        let k = Swift.max(Swift.min(Swift.max((groups + perChunk - 1) / perChunk, minimum), groups), 1)
        if k == 1 { return [examples] }
        let (base, extra) = groups.quotientAndRemainder(dividingBy: k)
        var start = 0
        return (0..<k).map { c in
            let end = Swift.min(n, start + (base + (c < extra ? 1 : 0)) * group)
            defer { start = end }
            return examples.slice(start..<end)
        }
    }

    /// The examples in the chunks this rank evaluates (all of them with one rank).
    public var chunks: [Batch<T>] { objectives.map(\.batch) }

    /// The same loss over the examples at `indices` only (a minibatch).
    public func restricted(to indices: [Int]) -> LossSurface {
        LossSurface(model: model, loss: loss, examples: Batch(inputs: examples.inputs.rows(at: indices), targets: examples.targets.rows(at: indices)),
                    weightDecay: weightDecay, chunkSize: chunkSize, mode: mode, buffers: buffers, normalizationGroup: normalizationGroup,
                    dropoutSeed: dropoutSeed, ranks: ranks)
    }

    /// The same surface with other buffers (running statistics), in another mode, or with
    /// dropout seeded (`dropoutSeed`: a training step's masks).
    public func with(buffers: [Tensor<T>]? = nil, mode: Mode? = nil, dropoutSeed: UInt64? = nil) -> LossSurface {
        LossSurface(model: model, loss: loss, examples: examples, weightDecay: weightDecay, chunkSize: chunkSize,
                    mode: mode ?? self.mode, buffers: buffers ?? self.buffers, normalizationGroup: normalizationGroup,
                    dropoutSeed: dropoutSeed ?? self.dropoutSeed, ranks: ranks)
    }

    /// The same surface evaluated by other processes (`.single`: this one alone, all chunks).
    public func with(ranks: Communicator) -> LossSurface {
        LossSurface(model: model, loss: loss, examples: examples, weightDecay: weightDecay, chunkSize: chunkSize, mode: mode,
                    buffers: buffers, normalizationGroup: normalizationGroup, dropoutSeed: dropoutSeed, ranks: ranks)
    }

    /// Number of parameters (the Hessian is `dimension x dimension`).
    public var dimension: Int { layout.count }

    /// `body(c, objective)` for every chunk, chunks running concurrently (`concurrentChunks` at a
    /// time, BLAS single-threaded inside) when there are several; results in chunk order.
    /// `body` may only touch chunk `c`'s own state (its memo).
    private func eachChunk<R>(_ body: (Int, Objective<T>) -> R) -> [R] {
        if objectives.count <= 1 { return objectives.map { body(0, $0) } }
        var results = [R?](repeating: nil, count: objectives.count)
        let workers = Swift.min(Self.concurrentChunks, objectives.count, Communicator.world.threadsPerProcess)
        BLASThreads.singleThreaded {
            results.withUnsafeMutableBufferPointer { out in
                let out = UncheckedSendable(out)
                withoutActuallyEscaping(body) { body in
                    let body = UncheckedSendable(body)
                    DispatchQueue.concurrentPerform(iterations: workers) { worker in
                        for c in stride(from: worker, to: objectives.count, by: workers) {
                            out.value[c] = body.value(c, objectives[c])
                        }
                    }
                }
            }
        }
        return results.map { $0! }
    }


    /// The sums of this rank's chunk results (`vector`, `counts`) over all ranks, on every rank,
    /// in one all-reduce: the counts ride in the vector when `T` holds them exactly (below 2^24
    /// in Float32), else they take a second one. One rank: unchanged.
    private func sumOverRanks(_ vector: inout [T], counts: inout [Int]) {
        guard ranks.size > 1 else { return }
        let exact = Double(Int(1) << (T.significandBitCount + 1))
        if predictions < exact {
            var payload = vector + counts.map { T($0) }
            ranks.sum(&payload)
            vector = Array(payload[..<vector.count])
            counts = payload[vector.count...].map { Int($0) }
        } else {
            ranks.sum(&vector)
            var wide = counts.map { Int64($0) }
            ranks.sum(&wide)
            counts = wide.map { Int($0) }
        }
    }

    /// `L(w)` by plain evaluation.
    public func value(at w: Tensor<T>) -> T {
        let params = layout.unflatten(w)
        var value = [eachChunk { _, objective in objective(params).scalar }.reduce(T(0), +)]
        var none = [Int]()
        sumOverRanks(&value, counts: &none)
        return value[0]
    }

    /// `L(w)` and `∇L(w)` (flat).
    ///
    /// With `memos` (one per chunk, from `primalMemos`), each chunk's gradient runs over duals and
    /// leaves its primal work there for Hessian-vector products at the same `w` (or reuses theirs);
    /// the result is the same to the last bit.
    public func valueAndGradient(at w: Tensor<T>, memos: [PrimalMemo<T>]? = nil) -> (value: T, gradient: Tensor<T>) {
        let result = gradientPass(at: w, memos: memos, countingCorrect: false)
        return (result.value, result.gradient)
    }

    /// `L(w)`, `∇L(w)` (flat) and the accuracy (as `accuracy(at:)`), the accuracy read from the
    /// outputs of the gradient's own forward pass. Value and gradient as `valueAndGradient`, bit
    /// for bit; the accuracy is meaningful for one-hot targets only.
    public func valueGradientAndAccuracy(at w: Tensor<T>, memos: [PrimalMemo<T>]? = nil)
        -> (value: T, gradient: Tensor<T>, accuracy: Double) {
        let result = gradientPass(at: w, memos: memos, countingCorrect: true)
        return (result.value, result.gradient, Double(result.correct) / predictions)
    }

    /// A training step's evaluation: `valueGradientAndAccuracy`, and in train mode the buffers
    /// the pass computed (BatchNorm's running statistics after this batch), else the current ones.
    /// Needs the examples in one chunk when the model has buffers (a training batch is one group).
    public func trainingStep(at w: Tensor<T>, memos: [PrimalMemo<T>]? = nil)
        -> (value: T, gradient: Tensor<T>, accuracy: Double, buffers: [Tensor<T>]) {
        let collecting = mode == .train && model.usesBatchStatistics
        precondition(!collecting || chunkCount == 1,
                     "LossSurface.trainingStep: running statistics need the batch in one chunk; it has \(chunkCount) (raise training.chunk_size)")
        let result = gradientPass(at: w, memos: memos, countingCorrect: true, collectingBuffers: collecting)
        return (result.value, result.gradient, Double(result.correct) / predictions, result.buffers ?? buffers)
    }

    private func gradientPass(at w: Tensor<T>, memos: [PrimalMemo<T>]?, countingCorrect: Bool, collectingBuffers: Bool = false)
        -> (value: T, gradient: Tensor<T>, correct: Int, buffers: [Tensor<T>]?) {
        precondition(memos == nil || memos!.count == objectives.count, "valueAndGradient: \(memos!.count) memos for \(objectives.count) chunks")
        let params = layout.unflatten(w)
        let sink = collectingBuffers ? BufferSink<T>() : nil
        let parts = eachChunk { c, objective in
            var objective = objective
            objective.bufferSink = sink
            let (v, g, outputs) = Autodiff.valueGradientAndAuxiliary(of: objective, at: params, memo: memos?[c])
            return (v, layout.flatten(g), countingCorrect ? objective.correctPredictions(outputs) : 0)
        }
        var value: T = 0
        var gradient = parts.first?.1 ?? Tensor(zeros: [dimension])
        for (c, part) in parts.enumerated() {
            value += part.0
            if c > 0 { gradient.add(part.1) }
        }
        var correct = parts.reduce(0) { $0 + $1.2 }
        guard ranks.size > 1 else { return (value, gradient, correct, sink?.buffers) }
        // The running statistics come from the one chunk's rank; the others add zeros.
        let sizes = buffers.map(\.scalars.count)
        var vector = gradient.scalars + [value]
        if collectingBuffers { vector += sink?.buffers?.flatMap(\.scalars) ?? [T](repeating: 0, count: sizes.reduce(0, +)) }
        var counts = [correct]
        sumOverRanks(&vector, counts: &counts)
        gradient.scalars = Array(vector[..<dimension])
        (value, correct) = (vector[dimension], counts[0])
        var collected: [Tensor<T>]? = nil
        if collectingBuffers {
            var offset = dimension + 1
            collected = zip(buffers, sizes).map { buffer, size in
                defer { offset += size }
                return Tensor(shape: buffer.shape, scalars: Array(vector[offset..<offset + size]))
            }
        }
        return (value, gradient, correct, collected)
    }

    /// `L(w)` and the accuracy (as `accuracy(at:)`) from one forward pass.
    public func valueAndAccuracy(at w: Tensor<T>) -> (value: T, accuracy: Double) {
        let params = layout.unflatten(w)
        let parts = eachChunk { _, objective in
            let (v, outputs) = objective.valueAndAuxiliary(params)
            return (v.scalar, objective.correctPredictions(outputs))
        }
        var value = [parts.reduce(T(0)) { $0 + $1.0 }]
        var correct = [parts.reduce(0) { $0 + $1.1 }]
        sumOverRanks(&value, counts: &correct)
        return (value[0], Double(correct[0]) / predictions)
    }

    /// The predictions accuracy is a fraction of: one per example, or per position of a sequence model.
    private var predictions: Double { Double(examples.count * model.positions) }

    /// Fraction of predictions whose largest output is at the target's largest entry (one-hot labels;
    /// ties go to the first index).
    public func accuracy(at w: Tensor<T>) -> Double {
        let params = layout.unflatten(w)
        var correct = [eachChunk { _, objective in objective.correctPredictions(objective.valueAndAuxiliary(params).auxiliary) }.reduce(0, +)]
        var none = [T]()
        sumOverRanks(&none, counts: &correct)
        return Double(correct[0]) / predictions
    }

    /// `H v` (flat), exact up to rounding, with `H` the Hessian of `L` at `w`.
    public func hessianVectorProduct(at w: Tensor<T>, _ v: Tensor<T>) -> Tensor<T> {
        hessianVectorProduct(at: layout.unflatten(w), v)
    }

    /// `H v` at parameters already split into tensors (what an operator applied many times at
    /// the same point keeps, saving a copy of the weights per product).
    ///
    /// `memos` (one per chunk, from `primalMemos`) let products at the same `params` share their
    /// primal work: the first product records each chunk's activations and backward-pass adjoints,
    /// later ones pay only for tangents.
    public func hessianVectorProduct(at params: [Tensor<T>], _ v: Tensor<T>, memos: [PrimalMemo<T>]? = nil) -> Tensor<T> {
        precondition(memos == nil || memos!.count == objectives.count, "hessianVectorProduct: \(memos!.count) memos for \(objectives.count) chunks")
        let direction = layout.unflatten(v)
        let parts = eachChunk { c, objective in
            layout.flatten(Autodiff.hessianVectorProduct(of: objective, at: params, along: direction, memo: memos?[c]).product)
        }
        var product = parts.first ?? Tensor(zeros: [dimension])
        for hv in parts.dropFirst() { product.add(hv) }
        var none = [Int]()
        sumOverRanks(&product.scalars, counts: &none)
        return product
    }

    /// Empty memos for `hessianVectorProduct(at:_:memos:)`, one per chunk, holding at most
    /// `byteLimit` bytes in all (beyond it, primal values are recomputed).
    public func primalMemos(byteLimit: Int = 1 << 30) -> [PrimalMemo<T>] {
        objectives.map { _ in PrimalMemo(byteLimit: byteLimit / objectives.count) }   // (none on a rank without chunks)
    }
}

/// A value handed to `DispatchQueue.concurrentPerform`'s workers, each of which touches its own
/// part of it only (its chunks' results and memos).
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
