import Foundation
import Models

/// An estimate of the memory a computation needs, by part, in bytes. Sizes are multiplied in
/// Double, so an absurd request gives an absurd estimate instead of overflowing Int; the estimate
/// is checked before anything is allocated, so a run that cannot fit is refused with its size
/// instead of being killed (or trapping) halfway.
///
/// The parts are the large arrays only (data, weights and their companions, Lanczos vectors,
/// activations of one chunk): a lower bound on the real peak, which is what a refusal needs.
public struct MemoryEstimate: Sendable {
    public private(set) var parts: [(what: String, bytes: Double)] = []

    public init() {}

    /// Adds a part; `count` elements of `width` bytes.
    public mutating func add(_ what: String, count: Double, width: Double) {
        let bytes = count * width
        if bytes > 0 { parts.append((what, bytes)) }
    }

    public var total: Double { parts.reduce(0) { $0 + $1.bytes } }

    /// The physical memory of this machine.
    public static var available: Double { Double(ProcessInfo.processInfo.physicalMemory) }

    /// nil when the estimate fits in `limit`; else a sentence with the estimate, its largest parts
    /// and the limit.
    public func excess(limit: Double = MemoryEstimate.available) -> String? {
        guard total > limit else { return nil }
        let largest = parts.sorted { $0.bytes > $1.bytes }.prefix(3).map { "\($0.what) \(Self.text($0.bytes))" }
        return "needs about \(Self.text(total)) of memory (\(largest.joined(separator: ", "))), more than the \(Self.text(limit)) this machine has"
    }

    /// "1.6 TB", "820 MB", "12 kB" (decimal units, 2-3 significant digits).
    public static func text(_ bytes: Double) -> String {
        guard bytes.isFinite else { return "more than any machine has" }
        let units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"]
        var value = bytes, unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        if unit == units.count - 1 && value >= 1000 { return String(format: "%.2g EB", value) }
        return unit == 0 ? "\(Int(value)) bytes" : String(format: value < 10 ? "%.1f %@" : "%.0f %@", value, units[unit])
    }
}

extension RunConfig {
    /// Trainable parameters of an MLP with these widths (weights and biases); nil when the count
    /// does not fit in Int.
    public static func parameterCount(widths: [Int]) -> Int? {
        var total = 0
        for (fanIn, fanOut) in zip(widths, widths.dropFirst()) {
            let (rows, o0) = fanIn.addingReportingOverflow(1)
            let (layer, o1) = rows.multipliedReportingOverflow(by: fanOut)
            let (sum, o2) = total.addingReportingOverflow(layer)
            if o0 || o1 || o2 { return nil }
            total = sum
        }
        return total
    }

    /// The memory a recording of this config needs with `examples` examples of `inputs` features
    /// and `outputs` targets (class count for classification).
    public func memoryEstimate(examples: Int, inputs: Int, outputs: Int) -> MemoryEstimate {
        let n = Double(examples), d = Double(inputs), k = Double(outputs)
        let width = dtype == "f64" ? 8.0 : 4.0
        let widths = [Double(inputs)] + model.hidden.map(Double.init) + [Double(outputs)]
        let p = zip(widths, widths.dropFirst()).reduce(0.0) { $0 + ($1.0 + 1) * $1.1 }
        var e = MemoryEstimate()
        // Loaded in Double, shuffled and normalized (two copies), then converted to the model's precision.
        e.add("data", count: n * (d + k), width: 16 + 2 * width)
        if data.source == .teacherStudent {
            let teacher = data.teacherWidths.map(Double.init)
            e.add("teacher network", count: zip(teacher, teacher.dropFirst()).reduce(0.0) { $0 + ($1.0 + 1) * $1.1 } + n * teacher.reduce(0, +), width: 8)
        }
        if data.source == .gaussianMixture { e.add("cluster centres", count: Double(data.classes) * Double(data.dimension), width: 8) }
        let slots: Double = optimizer.kind == .sgd ? 0 : (optimizer.kind == .adam || optimizer.kind == .adamw ? 2 : 1)
        // Weights, gradient, clipped gradient, update, checkpoint copies, optimizer slots.
        e.add("weights, gradients and optimizer state", count: p * (6 + slots), width: width)
        if record.sharpnessEvery > 0 { e.add("sharpness Lanczos vectors", count: p * Double(record.sharpnessLanczos + 6), width: 8) }
        // One warm-started tracker per block: together the blocks hold every parameter once.
        if record.blockSharpnessEvery > 0 { e.add("block sharpness Lanczos vectors", count: p * Double(record.sharpnessLanczos + 6), width: 8) }
        if !record.spectrumAt.isEmpty || record.spectrumGeometric > 0 {
            e.add("spectrum Lanczos vectors", count: p * Double(record.spectrumLanczos + 2), width: 8)
        }
        // Activations of one chunk: forward values, adjoints and tangents of every layer.
        e.add("activations", count: min(n, Double(training.chunkSize)) * widths.reduce(0, +) * 6, width: width)
        return e
    }

    /// Input and output widths and example count when the config alone fixes them (synthetic
    /// sets, the bundled digits); file sources give the smallest possible (1 example; text: of
    /// `context` tokens, at least one class per position).
    var shapeFromConfig: (examples: Int, inputs: Int, outputs: Int) {
        switch data.source {
        case .gaussianMixture: return (data.count, data.dimension, data.classes)
        case .teacherStudent: return (data.count, data.teacherWidths.first ?? 1, data.teacherWidths.last ?? 1)
        case .digits: return (1797, 64, 10)
        case .cifar10: return (1, 3072, 10)
        case .idx, .csv: return (1, 1, 1)
        case .text: return (1, data.context, data.context)
        case .copy, .sort, .modularAddition: return (data.count, data.context, data.context * (data.sequenceVocabularySize ?? 1))
        }
    }

    /// Refuses, naming `file`, a config whose model overflows a parameter count or whose
    /// recording cannot fit in memory, as far as the config alone tells (file sources are checked
    /// again once loaded, by `checkMemory`).
    func checkSizes(file: String) throws {
        let shape = shapeFromConfig
        if data.source == .teacherStudent, Self.parameterCount(widths: data.teacherWidths) == nil {
            throw ConfigError("\(file): data.teacher_widths = \(data.teacherWidths): the teacher's parameter count overflows a 64-bit integer")
        }
        try checkMemory(examples: shape.examples, inputs: shape.inputs, outputs: shape.outputs, source: file)
    }

    /// Refuses a recording whose model's parameter count overflows Int or whose estimated memory
    /// exceeds this machine's; `source` (the config file) starts the message.
    public func checkMemory(examples: Int, inputs: Int, outputs: Int, source: String) throws {
        let widths = [inputs] + model.hidden + [outputs]
        guard Self.parameterCount(widths: widths) != nil else {
            throw ConfigError("\(source): a model of widths \(widths) (model.hidden = \(model.hidden) between the data's \(inputs) inputs and \(outputs) outputs) has more parameters than a 64-bit count holds")
        }
        let estimate = memoryEstimate(examples: examples, inputs: inputs, outputs: outputs)
        if let excess = estimate.excess() {
            throw ConfigError("\(source): the run (\(examples) examples of \(inputs) features, model widths \(widths)) \(excess); make model.hidden, the data or the Lanczos settings smaller")
        }
    }

    /// `checkMemory` for a built model: its own parameter count, and its activations per example
    /// (every layer's output, kept by the forward pass and carried with a tangent by products).
    public func checkMemory(examples: Int, inputs: Int, outputs: Int, network: Network, source: String) throws {
        guard model.kind != "mlp" else { return try checkMemory(examples: examples, inputs: inputs, outputs: outputs, source: source) }
        let n = Double(examples), width = dtype == "f64" ? 8.0 : 4.0
        let chunk = min(n, Double(max(training.chunkSize, training.batchSize)))
        var e = MemoryEstimate()
        e.add("data", count: n * Double(inputs + outputs), width: 16 + 2 * width)
        // Weights, gradient, optimizer state, checkpoint copies.
        e.add("weights and optimizer state", count: Double(network.layout.count) * 6, width: width)
        // The forward pass, its tangent, the backward pass and the memo of Hessian products.
        e.add("activations", count: chunk * Double(network.activationsPerExample) * 6, width: width)
        e.add("Lanczos vectors", count: Double(network.layout.count) * Double(record.sharpnessLanczos + 4), width: 8)
        if let excess = e.excess() {
            throw ConfigError("\(source): the run (\(examples) examples, a \(model.kind) of \(network.layout.count) parameters and \(network.activationsPerExample) activations per example) \(excess); make the model, training.chunk_size or the data smaller")
        }
    }
}
