import Foundation
import Tensor

/// The data a run trains on, prepared from its config deterministically: load the source, shuffle
/// with `data.shuffle_seed`, keep `data.subset` examples, hold out `data.test_fraction` as a test
/// set, fit the normalization on the training part and apply it to both. The fixed Hessian batch
/// is the first `record.hessian_examples` training examples.
///
/// Re-analysis repeats exactly these steps from the stored config when the Hessian batch was too
/// large to embed in the run file.
public struct PreparedData: Sendable {
    public let train: Dataset
    public let test: Dataset?
    public let normalization: FeatureNormalization
    /// For each training example, its index in the source's own order.
    public let trainSourceIndices: [Int]
    /// Number of training examples in the Hessian batch.
    public let hessianCount: Int
    public let origin: DataOrigin

    /// The fixed batch the Hessian is taken over.
    public var hessianBatch: Dataset { train.subset(Array(0..<hessianCount)) }
    public var hessianSourceIndices: [Int] { Array(trainSourceIndices.prefix(hessianCount)) }

    public static func prepare(_ config: RunConfig) throws -> PreparedData {
        // The parser refuses this too; a config built in code meets it here.
        if let problem = config.data.normalizationProblem { throw DataError(problem) }
        let raw = try load(config.data, seed: UInt64(config.seed))
        var order = Dataset.permutation(raw.count, seed: UInt64(config.data.shuffleSeed))
        if config.data.subset > 0 {
            guard config.data.subset <= raw.count else {
                throw DataError("data.subset = \(config.data.subset) but \(raw.provenance.source) has only \(raw.count) examples")
            }
            order = Array(order.prefix(config.data.subset))
        }
        let testCount = Int((Double(order.count) * config.data.testFraction).rounded())
        let trainOrder = Array(order.dropLast(testCount)), testOrder = Array(order.suffix(testCount))
        guard !trainOrder.isEmpty else { throw DataError("data: no training examples left after subset and test_fraction") }
        let trainRaw = raw.subset(trainOrder)
        let normalization = FeatureNormalization(config.data.normalize, fittedTo: trainRaw.features)
        let train = trainRaw.replacingFeatures(normalization.apply(trainRaw.features))
        let test = testOrder.isEmpty ? nil : raw.subset(testOrder).replacingFeatures(normalization.apply(raw.subset(testOrder).features))
        let hessianCount = config.record.hessianExamples == 0 ? train.count : min(config.record.hessianExamples, train.count)
        return PreparedData(train: train, test: test, normalization: normalization, trainSourceIndices: trainOrder,
                            hessianCount: hessianCount, origin: raw.provenance)
    }

    static func load(_ d: DataConfig, seed: UInt64) throws -> Dataset {
        func url(_ path: String) -> URL { URL(fileURLWithPath: path) }
        try checkFilesExist(d)
        switch d.source {
        case .digits: return try Dataset.digits(in: url(d.path))
        case .idx: return try Dataset.idx(images: url(d.images), labels: url(d.labels))
        case .cifar10: return try Dataset.cifar10(files: d.files.map(url))
        case .csv:
            return try Dataset.csv(url(d.path), header: d.header, labelColumn: d.labelColumn >= 0 ? d.labelColumn : nil,
                                   targetColumns: d.targetColumns)
        case .gaussianMixture:
            return Dataset.gaussianMixture(count: d.count, dimension: d.dimension, classes: d.classes, separation: d.separation, seed: seed)
        case .teacherStudent:
            return Dataset.teacherStudent(count: d.count, teacherWidths: d.teacherWidths, noise: d.noise, seed: seed)
        case .text:
            return try Dataset.text(files: d.textFiles.map(url), context: d.context, tokenizer: d.tokenizer, count: d.count)
        case .copy: return Dataset.copyTask(count: d.count, context: d.context, symbols: d.symbols, seed: seed)
        case .sort: return Dataset.sortTask(count: d.count, context: d.context, symbols: d.symbols, seed: seed)
        case .modularAddition: return Dataset.modularAddition(count: d.count, context: d.context, modulus: d.modulus, seed: seed)
        }
    }

    /// A data file or folder that is not there is an error naming it and the config key that
    /// names it; the default text corpus (Debian's fortunes-min) also says how to install it.
    static func checkFilesExist(_ d: DataConfig) throws {
        for (key, path) in d.namedPaths where !FileManager.default.fileExists(atPath: path) {
            let hint = path.hasPrefix(Dataset.fortunesDirectory)
                ? "; the default text corpus there is Debian's fortunes-min package, which scripts/setup installs"
                : path.isEmpty ? "; set it in the config" : "; relative paths in a config are read from the config file's folder"
            throw DataError("\(path.isEmpty ? "(empty path)" : path): no such file or folder (\(key))\(hint)")
        }
    }
}
