// The values a run file stores, as plain Swift types. Upper layers (Models, Training, Spectral)
// convert their own objects to and from these; RunStore knows nothing of models or tensors.

import Foundation

/// A named dense array: row-major `values` of the given `shape` (`values.count` equals the
/// product of `shape`; `[]` is a scalar).
public struct NamedArray<T: StoredFloat>: Equatable, Sendable {
    public var name: String
    public var shape: [Int]
    public var values: [T]

    public init(name: String, shape: [Int], values: [T]) {
        self.name = name
        self.shape = shape
        self.values = values
    }
}

/// Where the training data came from.
public struct DataProvenance: Equatable, Sendable {
    /// The data set's name, e.g. "fashion-mnist" or "digits".
    public var name: String
    /// The path it was read from when recording ("" when generated).
    public var path: String
    /// Lower-case hex SHA-256 of the data set's content as read ("" when not computed).
    public var sha256: String
    /// Text data: the byte each token id stands for (`vocabulary[id]`); nil for other data (and
    /// in files before format 1.3).
    public var vocabulary: [UInt8]?
    /// The number of bytes `sha256` is of (the files' total size); nil when not recorded (files
    /// before format 1.4).
    public var bytes: Int?

    public init(name: String, path: String = "", sha256: String = "", vocabulary: [UInt8]? = nil, bytes: Int? = nil) {
        self.name = name
        self.path = path
        self.sha256 = sha256
        self.vocabulary = vocabulary
        self.bytes = bytes
    }
}

/// What the run file says about itself and how it was recorded; written once at creation.
public struct RunHeader: Equatable, Sendable {
    /// The resolved configuration as TOML text (every default filled in).
    public var configTOML: String
    /// The same configuration as a JSON object, for tools without a TOML parser (optional).
    public var configJSON: String?
    /// The model spec as JSON; its content is defined by the Models layer,
    /// e.g. `{"kind":"mlp","widths":[64,128,10],"activation":"tanh","loss":"cross_entropy","dtype":"f32"}`.
    public var modelSpec: String
    /// Number of scalar trainable parameters of the model.
    public var parameterCount: Int
    /// The data set the run trained on.
    public var data: DataProvenance
    /// The processes that recorded the run (`mpirun -np N`; 1 alone). Stored only when above 1.
    public var processes: Int

    public init(configTOML: String, configJSON: String? = nil, modelSpec: String, parameterCount: Int,
                data: DataProvenance, processes: Int = 1) {
        self.configTOML = configTOML
        self.configJSON = configJSON
        self.modelSpec = modelSpec
        self.parameterCount = parameterCount
        self.data = data
        self.processes = processes
    }
}

/// The fixed batch the Hessian is taken over.
public struct HessianBatch<T: StoredFloat>: Equatable, Sendable {
    /// Indices of the examples in the training set, int64, shape [n].
    public var indices: [Int64]
    /// The examples themselves, shape [n, features...] (nil when too large to embed); token ids
    /// `[n, T]` for sequence data.
    public var inputs: NamedArray<T>?
    /// Class labels, shape [n] (nil for regression or when not embedded); for sequence data
    /// `n * positions` next-token ids, row-major (example i, position t at `i * positions + t`),
    /// stored as `[n, positions]`.
    public var labels: [Int64]?
    /// Regression targets, shape [n, outputs...] (nil for classification).
    public var targets: NamedArray<T>?
    /// Sequence data: labels per example (the context T); nil for one label per example.
    public var positions: Int?
    /// Sequence data: classes per position (the vocabulary size V; one-hot targets are
    /// `[n, positions * classes]`); nil when not recorded (the model's outputs tell).
    public var classes: Int?

    public init(indices: [Int64], inputs: NamedArray<T>? = nil, labels: [Int64]? = nil, targets: NamedArray<T>? = nil,
                positions: Int? = nil, classes: Int? = nil) {
        self.indices = indices
        self.inputs = inputs
        self.labels = labels
        self.targets = targets
        self.positions = positions
        self.classes = classes
    }
}

/// Optimizer state at a checkpoint.
public struct OptimizerState<T: StoredFloat>: Equatable, Sendable {
    /// "sgd", "momentum", "nesterov", "adam", "adamw", ...
    public var kind: String
    /// Number of updates applied so far (Adam's bias-correction t).
    public var stepCount: Int
    /// Hyper-parameters in force, e.g. ["momentum": 0.9] or ["beta1": 0.9, "beta2": 0.999, "eps": 1e-8].
    public var hyperparameters: [String: Double]
    /// State tensors by slot, e.g. ["momentum": [...]] or ["m": [...], "v": [...]]; each slot holds
    /// one array per parameter tensor, named like the parameter.
    public var slots: [String: [NamedArray<T>]]

    public init(kind: String, stepCount: Int, hyperparameters: [String: Double] = [:], slots: [String: [NamedArray<T>]] = [:]) {
        self.kind = kind
        self.stepCount = stepCount
        self.hyperparameters = hyperparameters
        self.slots = slots
    }
}

/// Everything needed to resume or re-analyze at one step.
public struct Checkpoint<T: StoredFloat>: Equatable, Sendable {
    /// The training step (number of updates applied) the state belongs to.
    public var step: Int
    /// The learning rate in force at this step.
    public var learningRate: Double
    /// Parameter tensors, by name.
    public var weights: [NamedArray<T>]
    /// Gradient of the mean training loss at `weights` (same names and shapes).
    public var gradients: [NamedArray<T>]
    public var optimizer: OptimizerState<T>
    /// Non-trained model state by name (BatchNorm's running statistics), as it stood at this step;
    /// empty for models without any (and in files before format 1.2).
    public var buffers: [NamedArray<T>]

    public init(step: Int, learningRate: Double, weights: [NamedArray<T>], gradients: [NamedArray<T>] = [],
                optimizer: OptimizerState<T>, buffers: [NamedArray<T>] = []) {
        self.buffers = buffers
        self.step = step
        self.learningRate = learningRate
        self.weights = weights
        self.gradients = gradients
        self.optimizer = optimizer
    }
}

/// Which linear operator a spectrum describes.
public enum SpectralOperator: String, Sendable, CaseIterable {
    /// The Hessian of the mean loss over the Hessian batch.
    case hessian
    /// The Adam-preconditioned Hessian P^(-1/2) H P^(-1/2).
    case preconditioned
}

/// Lanczos output for one operator at one step, as recorded during training.
public struct Spectrum: Equatable, Sendable {
    public var step: Int
    public var `operator`: SpectralOperator
    /// Top Ritz values, descending.
    public var eigenvalues: [Double]
    /// Residual norms ||A v - theta v|| of those Ritz pairs (same length).
    public var residuals: [Double]
    /// Lanczos diagonals, one row per probe: [probes][m].
    public var alpha: [[Double]]
    /// Lanczos off-diagonals, one row per probe: [probes][m - 1].
    public var beta: [[Double]]
    /// Seed of the probe vectors.
    public var seed: UInt64
    /// Distribution of the probe vectors: "rademacher" or "gaussian".
    public var probeKind: String
    /// Lanczos reorthogonalization, "partial" or "full" ("" in files written before it was recorded).
    public var reorthogonalization: String

    public init(step: Int, operator: SpectralOperator, eigenvalues: [Double], residuals: [Double],
                alpha: [[Double]], beta: [[Double]], seed: UInt64, probeKind: String, reorthogonalization: String = "") {
        self.step = step
        self.operator = `operator`
        self.eigenvalues = eigenvalues
        self.residuals = residuals
        self.alpha = alpha
        self.beta = beta
        self.seed = seed
        self.probeKind = probeKind
        self.reorthogonalization = reorthogonalization
    }

    public var probes: Int { alpha.count }
    public var lanczosSteps: Int { alpha.first?.count ?? 0 }
}

/// Something notable during training.
public struct RunEvent: Equatable, Sendable {
    public var step: Int
    /// "divergence", "threshold_crossing", "loss_spike", ... (free text, snake_case by convention).
    public var kind: String
    /// Human-readable detail, e.g. "sharpness 41.2 crossed 2/lr = 40".
    public var detail: String
    /// The operator a threshold crossing is of (format 1.5, /events/operator); nil for other
    /// events, and for every event of an older file (whose detail names the operator instead).
    public var `operator`: SpectralOperator?

    public init(step: Int, kind: String, detail: String, operator op: SpectralOperator? = nil) {
        self.step = step
        self.kind = kind
        self.detail = detail
        self.operator = op
    }
}

/// /learned_init (format 1.5): the per-tensor scales a learned initialization (MetaInit,
/// GradInit) applied to the drawn parameters before step 0, and its search's history.
public struct LearnedInitRecord: Sendable {
    /// "metainit" or "gradinit".
    public var method: String
    /// The scaled tensors (parameter names), in parameter order.
    public var tensors: [String]
    /// Final scale per tensor: its norm at step 0 over its drawn norm.
    public var scales: [Double]
    /// [iterations + 1][tensors]: the scales at the start of each iteration, then the final ones.
    public var scaleHistory: [[Double]]
    /// Named per-iteration series (see docs/run-format.md).
    public var series: [(name: String, values: [Double])]

    public init(method: String, tensors: [String], scales: [Double], scaleHistory: [[Double]], series: [(name: String, values: [Double])]) {
        self.method = method
        self.tensors = tensors
        self.scales = scales
        self.scaleHistory = scaleHistory
        self.series = series
    }
}

/// Where a run's step-0 weights came from when `curv-import` read them from a file written
/// elsewhere (format 1.7, `/imported`).
public struct ImportRecord: Sendable, Equatable {
    /// The weights file, as an absolute path; its format ("safetensors" or "npz"), the lower-case
    /// hex SHA-256 of its bytes, and its size in bytes.
    public var source: String
    public var format: String
    public var sha256: String
    public var bytes: Int
    /// The layout convention its tensors were read in: "pytorch", "flax" or "curvature".
    public var convention: String
    /// The exporter the file names (its metadata), or "".
    public var exporter: String
    /// Examples in the file's check batch (0: it had none), and the mode the loss on them is
    /// taken in ("eval").
    public var checkExamples: Int
    public var checkMode: String
    /// The check batch's loss as the exporter computed it, and as this toolkit computes it with
    /// the imported weights; NaN without a check batch.
    public var exporterLoss: Double
    public var loss: Double
    /// Per imported tensor (parameters in parameter order, then buffers): its name here, its name
    /// in the file, and how it was converted ("as stored", "transposed", "permuted [3, 2, 0, 1]").
    public var tensors: [String]
    public var sourceNames: [String]
    public var conversions: [String]

    public init(source: String, format: String, sha256: String, bytes: Int, convention: String, exporter: String,
                checkExamples: Int, checkMode: String, exporterLoss: Double, loss: Double,
                tensors: [String], sourceNames: [String], conversions: [String]) {
        self.source = source
        self.format = format
        self.sha256 = sha256
        self.bytes = bytes
        self.convention = convention
        self.exporter = exporter
        self.checkExamples = checkExamples
        self.checkMode = checkMode
        self.exporterLoss = exporterLoss
        self.loss = loss
        self.tensors = tensors
        self.sourceNames = sourceNames
        self.conversions = conversions
    }

    public static func == (a: ImportRecord, b: ImportRecord) -> Bool {
        a.source == b.source && a.format == b.format && a.sha256 == b.sha256 && a.bytes == b.bytes && a.convention == b.convention
            && a.exporter == b.exporter && a.checkExamples == b.checkExamples && a.checkMode == b.checkMode
            && a.exporterLoss.bitPattern == b.exporterLoss.bitPattern && a.loss.bitPattern == b.loss.bitPattern
            && a.tensors == b.tensors && a.sourceNames == b.sourceNames && a.conversions == b.conversions
    }
}
