import Autodiff
import Tensor

/// Loss, gradient and Hessian-vector products of an MLP's mean loss over a fixed set of examples,
/// in flat-vector form (what optimizers and Lanczos want).
///
/// Large sets are processed in chunks of `chunkSize` examples, so memory stays bounded; each chunk's
/// objective is weighted by its share of the examples, so the result equals the whole-batch one
/// whatever the chunk sizes (up to rounding).
public struct LossSurface<T: TensorScalar> {
    public let model: MLP
    public let loss: LossKind
    public let examples: Batch<T>
    public let weightDecay: T
    public let chunkSize: Int
    public let layout: ParameterLayout
    /// One objective per chunk, weighted by its share of the examples (the decay term rides on the
    /// first). Cut once here: the operator applies them thousands of times.
    private let objectives: [Objective<T>]

    public init(model: MLP, loss: LossKind, examples: Batch<T>, weightDecay: T = 0, chunkSize: Int = 4096) {
        self.model = model
        self.loss = loss
        self.examples = examples
        self.weightDecay = weightDecay
        self.chunkSize = chunkSize
        self.layout = model.layout
        let n = T(examples.count)
        objectives = examples.chunks(of: chunkSize).enumerated().map { c, chunk in
            Objective(model: model, loss: loss, batch: chunk, weight: T(chunk.count) / n,
                      weightDecay: c == 0 ? weightDecay : 0)
        }
    }

    /// The examples in the chunks the surface evaluates them in.
    public var chunks: [Batch<T>] { objectives.map(\.batch) }

    /// The same loss over the examples at `indices` only (a minibatch).
    public func restricted(to indices: [Int]) -> LossSurface {
        LossSurface(model: model, loss: loss, examples: Batch(inputs: examples.inputs.rows(at: indices), targets: examples.targets.rows(at: indices)),
                    weightDecay: weightDecay, chunkSize: chunkSize)
    }

    /// Number of parameters (the Hessian is `dimension x dimension`).
    public var dimension: Int { layout.count }


    /// `L(w)` by plain evaluation.
    public func value(at w: Tensor<T>) -> T {
        let params = layout.unflatten(w)
        return objectives.reduce(T(0)) { $0 + $1(params).scalar }
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
        return (result.value, result.gradient, Double(result.correct) / Double(examples.count))
    }

    private func gradientPass(at w: Tensor<T>, memos: [PrimalMemo<T>]?, countingCorrect: Bool)
        -> (value: T, gradient: Tensor<T>, correct: Int) {
        precondition(memos == nil || memos!.count == objectives.count, "valueAndGradient: \(memos!.count) memos for \(objectives.count) chunks")
        let params = layout.unflatten(w)
        var value: T = 0
        var gradient: Tensor<T>? = nil
        var correct = 0
        for (c, objective) in objectives.enumerated() {
            let (v, g, outputs) = Autodiff.valueGradientAndAuxiliary(of: objective, at: params, memo: memos?[c])
            value += v
            if countingCorrect { correct += objective.batch.correctPredictions(outputs) }
            let flat = layout.flatten(g)
            if gradient == nil { gradient = flat } else { gradient!.add(flat) }
        }
        return (value, gradient!, correct)
    }

    /// `L(w)` and the accuracy (as `accuracy(at:)`) from one forward pass.
    public func valueAndAccuracy(at w: Tensor<T>) -> (value: T, accuracy: Double) {
        let params = layout.unflatten(w)
        var value: T = 0
        var correct = 0
        for objective in objectives {
            let (v, outputs) = objective.valueAndAuxiliary(params)
            value += v.scalar
            correct += objective.batch.correctPredictions(outputs)
        }
        return (value, Double(correct) / Double(examples.count))
    }

    /// Fraction of examples whose largest output is at the target's largest entry (one-hot labels;
    /// ties go to the first index).
    public func accuracy(at w: Tensor<T>) -> Double {
        let params = layout.unflatten(w)
        let correct = objectives.reduce(0) { $0 + $1.batch.correctPredictions(model(params, $1.batch.inputs)) }
        return Double(correct) / Double(examples.count)
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
        var product: Tensor<T>? = nil
        for (c, objective) in objectives.enumerated() {
            let hv = layout.flatten(Autodiff.hessianVectorProduct(of: objective, at: params, along: direction, memo: memos?[c]).product)
            if product == nil { product = hv } else { product!.add(hv) }
        }
        return product!
    }

    /// Empty memos for `hessianVectorProduct(at:_:memos:)`, one per chunk, holding at most
    /// `byteLimit` bytes in all (beyond it, primal values are recomputed).
    public func primalMemos(byteLimit: Int = 1 << 30) -> [PrimalMemo<T>] {
        objectives.map { _ in PrimalMemo(byteLimit: byteLimit / objectives.count) }
    }
}
