import Foundation
import Models
import RunStore
import Tensor

/// What a learned initialization found: a scale per tensor (its norm over its drawn norm) and the
/// search's history. Stored in the run file as /learned_init (docs/run-format.md).
public struct LearnedInitResult: Sendable, Equatable {
    public var method: LearnedInitConfig.Method
    /// The scaled tensors, in parameter order.
    public var tensors: [String]
    /// Their final scales: the parameters at step 0 are the drawn ones, tensor i times `scales[i]`.
    public var scales: [Double]
    /// The scales at the start of each iteration, then the final ones: [steps + 1][tensors].
    public var scaleHistory: [[Double]]
    /// Per-iteration series: MetaInit `gradient_quotient` ([steps + 1], the last after the final
    /// update); GradInit `objective`, `post_step_loss` (NaN while the bound is violated),
    /// `gradient_norm`, `constrained` (1 when the bound was violated) ([steps]).
    public var series: [(name: String, values: [Double])]

    public static func == (a: Self, b: Self) -> Bool {
        a.method == b.method && a.tensors == b.tensors && a.scales == b.scales && a.scaleHistory == b.scaleHistory
            && a.series.map(\.name) == b.series.map(\.name) && a.series.map(\.values) == b.series.map(\.values)
    }

    /// The run file's record of it.
    public var record: LearnedInitRecord {
        LearnedInitRecord(method: method.rawValue, tensors: tensors, scales: scales, scaleHistory: scaleHistory, series: series)
    }
}

public enum LearnedInitialization {
    /// Runs `config.method` from the drawn parameters `w0` on `surface` (the training set);
    /// returns the scaled parameters and what was found. `optimizer` and `peakLR` say which first
    /// step GradInit simulates (`step_lr`, when set, replaces the peak rate).
    public static func run<T: TensorScalar>(_ config: LearnedInitConfig, surface: LossSurface<T>, w0: Tensor<T>,
                                            layout: ParameterLayout, optimizer: OptimizerSettings, peakLR: Double,
                                            seed: UInt64, report: (Int, Double) -> Void = { _, _ in })
        -> (weights: Tensor<T>, result: LearnedInitResult)? {
        let n = surface.examples.count
        switch config.method {
        case .none:
            return nil
        case .metainit:
            let scaling = TensorScaling(w0, layout: layout) { _, shape in shape.count >= 2 }
            let batch = surface.restricted(to: Array(0..<min(config.examples, n)))
            let result = MetaInit(surface: batch, scaling: scaling, settings: config).run(report: report)
            return (scaling.weights(result.scales), result)
        case .gradinit:
            let scaling = TensorScaling(w0, layout: layout) { _, _ in true }
            let search = GradInit(surface: surface, scaling: scaling, settings: config, optimizer: optimizer,
                                  stepLR: config.stepLR > 0 ? config.stepLR : peakLR, seed: seed &+ 0x6_4A1D)
            let result = search.run(report: report)
            return (scaling.weights(result.scales), result)
        }
    }
}
