// What every metric column the recorder writes means. Each column carries its entry as the
// attributes `units` and `description`, so h5py, xarray and pandas users read the meaning from the
// file itself; docs/run-format.md lists the same table ("Metric columns"), and a test fails when
// the two disagree or a recorded column has no entry.

/// The units and meaning of one metric column.
public struct MetricDescription: Equatable, Sendable {
    /// The column's name, or for a family (`block_sharpness:<block>`) its prefix ending in `:`.
    public let name: String
    /// `nats` (loss), `1` (a dimensionless number: a fraction, a flag, a count), `1/lr` (a
    /// curvature: the reciprocal of the learning rate's units, so lr × value is dimensionless),
    /// `parameter` (a distance in weight space), `nats/parameter` (a gradient), `step`.
    public let units: String
    public let description: String
}

public enum MetricCatalog {
    /// Every column the recorder writes, `/metrics/step` first.
    public static let entries: [MetricDescription] = [
        .init(name: "step", units: "step", description: "training step of each row: the row's values are measured at the weights after this many updates (the index of every column)"),
        .init(name: "loss", units: "nats", description: "training objective at the step's weights: the mean loss over the step's batch (the whole training set for full-batch runs) plus the L2 term of optimizer.weight_decay when set (not for adamw)"),
        .init(name: "lr", units: "1", description: "learning rate in force at the step (after warmup and decay)"),
        .init(name: "accuracy", units: "1", description: "fraction of the step's batch classified correctly (classification only; every record.metrics_every steps)"),
        .init(name: "grad_norm", units: "nats/parameter", description: "l2 norm of the step's minibatch gradient, before clipping (every record.metrics_every steps)"),
        .init(name: "param_norm", units: "parameter", description: "l2 norm of all trainable parameters at the step (every record.metrics_every steps)"),
        .init(name: "update_norm", units: "parameter", description: "l2 norm of the update the optimizer applied after the step's measurements"),
        .init(name: "clipped", units: "1", description: "1 where the gradient norm exceeded training.clip_norm and was scaled down to it, else 0 (runs with clipping only)"),
        .init(name: "test_loss", units: "nats", description: "loss on the held-out test set (every record.test_every steps)"),
        .init(name: "test_accuracy", units: "1", description: "fraction of the test set classified correctly (classification only)"),
        .init(name: "sharpness", units: "1/lr", description: "lambda_max of the Hessian of the loss over the Hessian batch, at tracking steps (record.sharpness_every)"),
        .init(name: "sharpness_residual", units: "1/lr", description: "true residual norm of the top Ritz pair (the length of H y - theta y), from a fresh Hessian-vector product"),
        .init(name: "sharpness_products", units: "1", description: "Hessian-vector products the tracker spent on the measurement"),
        .init(name: "sharpness_threshold", units: "1/lr", description: "the optimizer's stability threshold for the Hessian at the step's learning rate (2/lr for SGD; non-adaptive optimizers only)"),
        .init(name: "preconditioned_sharpness", units: "1/lr", description: "lambda_max of Adam's preconditioned Hessian P^-1/2 H P^-1/2, P = sqrt(v_hat) + eps (adaptive optimizers only)"),
        .init(name: "preconditioned_residual", units: "1/lr", description: "true residual norm of the preconditioned top Ritz pair"),
        .init(name: "preconditioned_products", units: "1", description: "products the preconditioned measurement spent"),
        .init(name: "preconditioned_threshold", units: "1/lr", description: "Adam's stability threshold (2 + 2 beta1) / ((1 - beta1) lr), 38/lr at beta1 = 0.9"),
        .init(name: "block_sharpness:", units: "1/lr", description: "lambda_max of the named parameter block's own Hessian H_bb (record.block_sharpness_every; NaN where not measured)"),
    ]

    /// The entry for a column name (a family's entry for `block_sharpness:fc1`); nil for a name
    /// the recorder never writes.
    public static func entry(for name: String) -> MetricDescription? {
        entries.first { $0.name == name } ?? entries.first { $0.name.hasSuffix(":") && name.hasPrefix($0.name) && name.count > $0.name.count }
    }
}
