import Autodiff
import Foundation
import Models
import RunStore
import Tensor

/// How another framework names and lays out a model's tensors (docs/import.md).
public enum WeightConvention: String, CaseIterable, Sendable {
    /// `state_dict()` names equal to ours (`stage2.block0.body.conv1.weight`); `nn.Linear.weight`
    /// is `[out, in]` (ours transposed); convolutions, tables and norms as ours; BatchNorm's
    /// `num_batches_tracked` is ignored.
    case pytorch
    /// Flax variable paths: `params/<our name with '/'>` with leaves `kernel` (dense `[in, out]`
    /// as ours; convolution `[kh, kw, C_in, C_out]`, ours permuted), `scale` (norms),
    /// `embedding` (tables), `bias`; running statistics `batch_stats/<layer>/mean`, `var`.
    case flax
    /// Our own names and layouts (a checkpoint's `weights/` and `buffers/`).
    case curvature
}

/// Weights read from a file written elsewhere, converted to a model's parameter layout.
public struct ImportedWeights: Sendable {
    /// Per parameter tensor (`network.layout` order), its values in our layout.
    public var parameters: [[Double]]
    /// Per buffer (`network.bufferLayout` order); nil when the model has none.
    public var buffers: [[Double]]?
    /// The check batch that came with the weights (nil without one) and the exporter's loss on it.
    public var check: CheckBatch?
    /// What was read, for `/imported` (its losses filled in by the check).
    public var record: ImportRecord

    /// Examples the exporter evaluated its loss on, in our input layout.
    public struct CheckBatch: Sendable {
        /// `[n, features]` (images `C*H*W` per example; token ids for sequence models).
        public var inputs: [Double]
        public var count: Int
        /// Class labels (`[n]` or `[n, positions]`), or real targets `[n, outputs]`.
        public var labels: [Int]?
        public var targets: [Double]?
        public var exporterLoss: Double?
    }

    /// The parameters as tensors of `network.layout`'s shapes, in precision T.
    public func parameterTensors<T: TensorScalar>(_ network: Network, as _: T.Type) -> [Tensor<T>] {
        zip(parameters, network.layout.shapes).map { Tensor<T>(shape: $1, scalars: $0.map { T($0) }) }
    }

    /// The buffers as tensors of `network.bufferLayout`'s shapes, in precision T (nil without buffers).
    public func bufferTensors<T: TensorScalar>(_ network: Network, as _: T.Type) -> [Tensor<T>]? {
        buffers.map { zip($0, network.bufferLayout.shapes).map { Tensor<T>(shape: $1, scalars: $0.map { T($0) }) } }
    }
}

/// The names a weights file's tensors have when written by `convention`, and their conversion.
public enum WeightImport {
    /// Reads `file`'s tensors for `network`. `convention` nil: the file's own (safetensors
    /// metadata `curvature_layout`, npz `__meta__/layout`). Every parameter and buffer must be in
    /// the file with the shape its convention gives; every tensor of the file must be used (except
    /// `num_batches_tracked` and the `__check__`/`__meta__` entries). Errors name the file, the
    /// tensor and the fix.
    public static func match(_ network: Network, file: WeightFile, convention: WeightConvention?) throws -> ImportedWeights {
        let name = file.path
        let declared = file.strings["curvature_layout"] ?? file.strings["__meta__/layout"]
        guard let convention = try convention ?? declared.map({ text in
            guard let c = WeightConvention(rawValue: text) else {
                throw DataError("\(name): its metadata names the layout '\(text)'; give --layout \(WeightConvention.allCases.map(\.rawValue).joined(separator: "|"))")
            }
            return c
        }) else {
            throw DataError("\(name): the file does not say whose layout its tensors are in (no curvature_layout metadata); give --layout pytorch, flax or curvature (docs/import.md)")
        }
        var used = Set<String>(), sources: [String] = [], conversions: [String] = [], ours: [String] = []

        func take(_ ourName: String, role: ParameterRole, shape: [Int], buffer: Bool) throws -> [Double] {
            let (key, permutation) = sourceName(ourName, role: role, rank: shape.count, buffer: buffer, convention: convention)
            guard let array = file.arrays[key] else {
                let near = file.arrays.keys.filter { $0.hasPrefix(String(key.prefix(while: { $0 != "." && $0 != "/" }))) }.sorted().prefix(6)
                throw DataError("\(name): no tensor '\(key)' (our \(ourName), in \(convention.rawValue) layout)"
                                + (near.isEmpty ? "; the file has: \(file.arrays.keys.sorted().prefix(8).joined(separator: ", "))" : "; near it: \(near.joined(separator: ", "))")
                                + ". Is the config's model the exporter's, and the layout right?")
            }
            // Their axis permutation[i] is our axis i.
            var theirs = shape
            for (i, axis) in permutation.enumerated() { theirs[axis] = shape[i] }
            guard array.shape == theirs else {
                throw DataError("\(name): tensor '\(key)' is \(array.shape); our \(ourName) \(shape) needs \(theirs) in \(convention.rawValue) layout. Is the config's model the exporter's?")
            }
            guard array.values.allSatisfy(\.isFinite) else { throw DataError("\(name): tensor '\(key)' holds NaN or infinite values") }
            used.insert(key)
            ours.append(ourName)
            sources.append(key)
            conversions.append(permutation.isEmpty ? "as stored" : (permutation == [1, 0] ? "transposed" : "permuted \(permutation)"))
            return permutation.isEmpty ? array.values : permuted(array.values, shape: theirs, toOurs: permutation)
        }

        let parameters = try network.layout.names.indices.map { k in
            try take(network.layout.names[k], role: network.parameterRoles[k], shape: network.layout.shapes[k], buffer: false)
        }
        let buffers = network.bufferLayout.names.isEmpty ? nil : try network.bufferLayout.names.indices.map { k in
            try take(network.bufferLayout.names[k], role: .other, shape: network.bufferLayout.shapes[k], buffer: true)
        }
        let unused = file.arrays.keys.filter { key in
            !used.contains(key) && !key.hasPrefix("__check__/") && !key.hasPrefix("__meta__/") && !key.hasSuffix("num_batches_tracked")
        }.sorted()
        guard unused.isEmpty else {
            throw DataError("\(name): \(unused.count) tensor(s) match nothing in the config's model: \(unused.prefix(8).joined(separator: ", ")); is the config's model the exporter's (widths, layers, bias, normalization)?")
        }
        let check = try checkBatch(file, network: network)
        let record = ImportRecord(source: DataConfig.absolutePath(file.path, against: FileManager.default.currentDirectoryPath), format: file.format,
                                  sha256: file.sha256, bytes: file.bytes, convention: convention.rawValue,
                                  exporter: file.strings["curvature_exporter"] ?? file.strings["__meta__/exporter"] ?? "",
                                  checkExamples: check?.count ?? 0, checkMode: "eval", exporterLoss: check?.exporterLoss ?? .nan, loss: .nan,
                                  tensors: ours, sourceNames: sources, conversions: conversions)
        return ImportedWeights(parameters: parameters, buffers: buffers, check: check, record: record)
    }

    /// The file's name for our tensor, and the axis permutation taking its layout to ours
    /// (`ours[i] = theirs axis permutation[i]`; empty: the same layout).
    static func sourceName(_ ours: String, role: ParameterRole, rank: Int, buffer: Bool, convention: WeightConvention) -> (String, [Int]) {
        switch convention {
        case .curvature: return (ours, [])
        case .pytorch: return (ours, role == .denseWeight && rank == 2 ? [1, 0] : [])
        case .flax:
            var parts = ours.split(separator: ".").map(String.init)
            let leaf = parts.removeLast()
            let layer = parts.joined(separator: "/")
            if buffer {
                let stat = leaf == "running_mean" ? "mean" : leaf == "running_var" ? "var" : leaf
                return ("batch_stats/\(layer)/\(stat)", [])
            }
            switch role {
            case .denseWeight: return ("params/\(layer)/kernel", [])
            case .convolutionWeight: return ("params/\(layer)/kernel", rank == 4 ? [3, 2, 0, 1] : [])
            case .table: return ("params/\(layer)/embedding", [])
            case .normScale: return ("params/\(layer)/scale", [])
            case .other: return ("params/\(layer.isEmpty ? "" : layer + "/")\(leaf)", [])
            }
        }
    }

    /// Values of an array of shape `theirs` rearranged so that our axis i is their axis `permutation[i]`.
    static func permuted(_ values: [Double], shape theirs: [Int], toOurs permutation: [Int]) -> [Double] {
        let ours = permutation.map { theirs[$0] }
        var theirStrides = [Int](repeating: 1, count: theirs.count)
        for d in stride(from: theirs.count - 2, through: 0, by: -1) { theirStrides[d] = theirStrides[d + 1] * theirs[d + 1] }
        var out = [Double](repeating: 0, count: values.count)
        var index = [Int](repeating: 0, count: ours.count)
        for k in 0..<values.count {
            var source = 0
            for d in 0..<ours.count { source += index[d] * theirStrides[permutation[d]] }
            out[k] = values[source]
            var d = ours.count - 1
            while d >= 0 { index[d] += 1; if index[d] < ours[d] { break }; index[d] = 0; d -= 1 }
        }
        return out
    }

    /// `__check__/inputs` with `labels` or `targets`, and the exporter's loss (`curvature_check_loss`
    /// metadata or `__check__/loss`); nil when the file has no inputs.
    static func checkBatch(_ file: WeightFile, network: Network) throws -> ImportedWeights.CheckBatch? {
        guard let inputs = file.arrays["__check__/inputs"] else { return nil }
        let name = "\(file.path): __check__"
        let n = inputs.shape.first ?? 0
        guard n > 0, inputs.count == n * network.inputFeatures else {
            throw DataError("\(name)/inputs is \(inputs.shape); the model reads \(network.inputFeatures) features per example (\(network.inputShape))")
        }
        var exporterLoss: Double?
        if let text = file.strings["curvature_check_loss"] {
            guard let value = Double(text) else { throw DataError("\(file.path): curvature_check_loss '\(text)' is not a number") }
            exporterLoss = value
        } else if let array = file.arrays["__check__/loss"] {
            guard array.count == 1 else { throw DataError("\(name)/loss must be one number; it is \(array.shape)") }
            exporterLoss = array.values[0]
        }
        if let labels = file.arrays["__check__/labels"] {
            guard labels.count == n * network.positions else {
                throw DataError("\(name)/labels is \(labels.shape); \(n) examples of \(network.positions) label(s) each were expected")
            }
            let ints = labels.values.map { Int(exactly: $0) ?? -1 }
            guard ints.allSatisfy({ (0..<network.classes).contains($0) }) else {
                throw DataError("\(name)/labels holds values outside 0..<\(network.classes) (the model's classes)")
            }
            return .init(inputs: inputs.values, count: n, labels: ints, targets: nil, exporterLoss: exporterLoss)
        }
        if let targets = file.arrays["__check__/targets"] {
            guard targets.count == n * network.outputs else {
                throw DataError("\(name)/targets is \(targets.shape); \(n) examples of \(network.outputs) outputs were expected")
            }
            return .init(inputs: inputs.values, count: n, labels: nil, targets: targets.values, exporterLoss: exporterLoss)
        }
        throw DataError("\(name) has inputs but neither labels nor targets")
    }

    /// The loss of the imported weights on the check batch, in eval mode (BatchNorm on the running
    /// statistics, no dropout), in precision T: what the exporter's loss is compared with.
    public static func checkLoss<T: TensorScalar>(_ weights: ImportedWeights, network: Network, loss: LossKind, as _: T.Type) -> Double? {
        guard let check = weights.check else { return nil }
        // Targets as the data sets build them (one-hot labels per position, or the real targets given).
        let features = Tensor<Double>(shape: [check.count, network.inputFeatures], scalars: check.inputs)
        let origin = DataOrigin(source: "check batch", paths: [], content: Data())
        let examples = check.labels.map { Dataset(features: features, labels: $0, classes: network.classes, positions: network.positions, provenance: origin) }
            ?? Dataset(features: features, targets: Tensor(shape: [check.count, network.outputs], scalars: check.targets ?? []), provenance: origin)
        let objective = Objective(model: network, loss: loss, batch: examples.batch(as: T.self), mode: .eval,
                                  buffers: weights.bufferTensors(network, as: T.self) ?? network.initialBuffers(as: T.self))
        return Double(objective(weights.parameterTensors(network, as: T.self)).scalar)
    }
}
