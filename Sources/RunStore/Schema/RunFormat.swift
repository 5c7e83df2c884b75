// The names of the run file's groups, datasets and attributes, and its version. These names are
// a public contract (h5py scripts use them): change them only with a new major format version and
// docs/run-format.md updated alongside.

/// Version and provenance constants of the run-file format.
public enum RunFormat {
    /// The format version this build writes ("MAJOR.MINOR"). Readers accept any file of the same
    /// major version: minor versions only add optional groups, datasets and attributes.
    public static let version = "1.8"
    /// Major versions this build reads.
    public static let supportedMajorVersions = [1]
    /// The `software` attribute written at the root.
    public static let software = "curvature \(toolkitVersion)"
    /// The toolkit's version, printed by every tool's --version.
    public static let toolkitVersion = "0.1.0"
    /// Arrays of at least this many bytes are chunked and (when enabled) compressed; smaller
    /// ones are stored contiguously.
    public static let compressionThresholdBytes = 16 * 1024
    /// Chunk length of the extendible 1-D datasets (metrics, events), in elements.
    static let appendChunk = 1024
}

/// Object names inside a run file (see docs/run-format.md).
enum Schema {
    enum Root {
        static let formatVersion = "format_version"
        static let software = "software"
        static let created = "created"
        static let processes = "processes"
    }
    enum Config {
        static let group = "config"
        static let toml = "toml"
        static let json = "json"
    }
    enum Model {
        static let group = "model"
        static let spec = "spec"
        static let parameterCount = "parameter_count"
    }
    enum Data {
        static let group = "data"
        static let name = "dataset_name"
        static let path = "dataset_path"
        static let sha256 = "dataset_sha256"
        static let bytes = "dataset_bytes"
        static let hessianGroup = "hessian_batch"
        static let indices = "indices"
        static let inputs = "inputs"
        static let labels = "labels"
        static let targets = "targets"
        static let count = "count"
        /// Format 1.3, sequence data: labels per example (labels are then [n, positions]) and
        /// classes per position, attributes of the Hessian batch.
        static let positions = "positions"
        static let classes = "classes"
        /// Format 1.3, text data: uint8 [V], the byte of each token id.
        static let vocabulary = "vocabulary"
    }
    enum Metrics {
        static let group = "metrics"
        static let step = "step"
        /// Format 1.6: per column, MetricCatalog's units and description.
        static let units = "units", description = "description"
    }
    enum Checkpoint {
        static let group = "checkpoints"
        static let weights = "weights"
        static let gradients = "gradients"
        /// Format 1.2: the model's buffers (running statistics), present when it has any.
        static let buffers = "buffers"
        static let optimizer = "optimizer"
        static let step = "step"
        static let lr = "lr"
        static let kind = "kind"
        static let stepCount = "step_count"
        static let dtype = "dtype"
    }
    enum Spectrum {
        static let group = "spectra"
        static let eigenvalues = "eigenvalues"
        static let residuals = "residuals"
        static let alpha = "alpha"
        static let beta = "beta"
        static let step = "step"
        static let `operator` = "operator"
        static let probes = "probes"
        static let lanczosSteps = "lanczos_steps"
        static let seed = "seed"
        static let probeKind = "probe_kind"
        static let reorthogonalization = "reorthogonalization"
    }
    enum Events {
        static let group = "events"
        static let step = "step"
        static let kind = "kind"
        static let detail = "detail"
        /// Format 1.5: "hessian" or "preconditioned" for threshold crossings, else "".
        static let `operator` = "operator"
    }
    /// Format 1.5: what a learned initialization (MetaInit, GradInit) found, before step 0.
    enum LearnedInit {
        static let group = "learned_init"
        static let method = "method"
        static let tensors = "tensors"
        static let scales = "scales"
        static let scaleHistory = "scale_history"
        static let history = "history"
    }
    /// Format 1.7: where the step-0 weights came from when they were imported (`curv-import`).
    enum Imported {
        static let group = "imported"
        static let source = "source"
        static let format = "format"
        static let sha256 = "sha256"
        static let bytes = "bytes"
        static let convention = "convention"
        static let exporter = "exporter"
        static let checkExamples = "check_examples"
        static let checkMode = "check_mode"
        static let exporterLoss = "exporter_loss"
        static let loss = "loss"
        static let tensors = "tensors"
        static let sourceNames = "source_names"
        static let conversions = "conversions"
    }
    enum Analysis {
        static let group = "analyses"
        static let grid = "grid"
        static let density = "density"
        static let densitySpread = "density_spread"
        static let topEigenvalues = "top_eigenvalues"
        static let topResiduals = "top_residuals"
        static let bottomEigenvalues = "bottom_eigenvalues"
        static let bottomResiduals = "bottom_residuals"
        static let sigma = "sigma"
        static let trace = "trace"
        static let traceStandardError = "trace_stderr"
        static let created = "created"
        static let software = "software"
        static let source = "source"
        static let dtype = "dtype"
        static let reorthogonalization = "reorthogonalization"
        static let topConverged = "top_converged"
        static let bottomConverged = "bottom_converged"
        static let eigenTolerance = "eigen_tolerance"
        static let blocks = "blocks"
        static let blockGrouping = "grouping"
        static let blockNames = "names"
        static let blockSizes = "sizes"
        static let blockValues = "lambda_max"
        static let blockResiduals = "residuals"
        static let blockConverged = "converged"
    }

    /// Groups every valid run has at its root.
    static let requiredGroups = [Config.group, Model.group, Data.group, Metrics.group, Checkpoint.group,
                                 Spectrum.group, Events.group, Analysis.group]
}

/// Checks a user-chosen object name (tensor, metric, optimizer slot): non-empty, no "/", not "."
/// or "..", so it is one HDF5 link name.
func validateName(_ name: String, what: String, file: String) throws {
    if name.isEmpty || name.contains("/") || name == "." || name == ".." {
        throw RunStoreError(.invalidArgument, file: file,
                            detail: "invalid \(what) name '\(name)': names must be non-empty and contain no '/'")
    }
}
