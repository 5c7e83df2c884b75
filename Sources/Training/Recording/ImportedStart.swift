import Foundation
import Models
import RunStore
import Tensor

/// Step 0 from weights trained elsewhere (`curv-import`): read for the config's model, and checked
/// before anything is written.
enum ImportedStart {
    /// Default agreement asked of the check loss, relative to max(1, |exporter's loss|): the two
    /// forward passes differ only by rounding (summation order, library kernels).
    static func defaultTolerance(dtype: String) -> Double { dtype == "f64" ? 1e-9 : 1e-5 }

    /// `file`'s tensors for `network`, with the check batch's loss computed here in precision T and
    /// compared with the exporter's: a disagreement beyond `tolerance` is an error (a wrong
    /// layout, model or mapping), and nothing is written.
    static func checked<T: TensorScalar>(_ file: WeightFile, layout: WeightConvention?, tolerance: Double?, network: Network, loss: LossKind,
                                          config: RunConfig, as: T.Type) throws -> ImportedWeights {
        guard config.learnedInit.method == .none else {
            throw ConfigError("\(file.path): the config asks for learned_init.method = \"\(config.learnedInit.method.rawValue)\", which would rescale the imported weights; set it to \"none\" to start from them")
        }
        var weights = try WeightImport.match(network, file: file, convention: layout)
        guard let ours = WeightImport.checkLoss(weights, network: network, loss: loss, as: T.self) else { return weights }
        weights.record.loss = ours
        guard let theirs = weights.check?.exporterLoss else { return weights }
        let bound = tolerance ?? defaultTolerance(dtype: config.dtype)
        let difference = abs(ours - theirs) / max(1, abs(theirs))
        guard ours.isFinite, difference <= bound else {
            throw DataError(String(format: "%@: the loss of the imported weights on the file's %d check examples is %.10g here and %.10g by its exporter (relative difference %.2g, allowed %.2g): the model in the config, the layout (%@) or the tensor names do not match the exporter's model; nothing was written",
                                   file.path, weights.check!.count, ours, theirs, difference, bound, weights.record.convention))
        }
        return weights
    }
}
