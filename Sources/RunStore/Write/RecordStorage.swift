// Writing the one-off records: the Hessian batch, checkpoints and spectra. Readers live in
// Read/; the names are in Schema/RunFormat.swift.

import Foundation

enum HessianBatchStorage {
    /// /data/hessian_batch: indices [n] int64, optional inputs [n, ...], labels [n] (sequence data:
    /// [n, positions], with the attributes `positions` and `classes`), targets [n, ...].
    /// Builds the batch in a new anonymous group and returns it, to be linked as
    /// /data/hessian_batch once flushed.
    static func build<T: StoredFloat>(_ batch: HessianBatch<T>, in data: H5Group, file: H5File,
                                      compression: Compression) throws -> H5Group {
        let count = batch.indices.count
        func checkRows(_ shape: [Int], _ what: String) throws {
            guard shape.first == count else {
                throw RunStoreError(.invalidArgument, file: data.location.file, object: "/data/hessian_batch/\(what)",
                                    detail: "\(what) has shape \(shape) but the batch has \(count) indices")
            }
        }
        func invalid(_ detail: String) -> RunStoreError {
            RunStoreError(.invalidArgument, file: data.location.file, object: "/data/hessian_batch", detail: detail)
        }
        if let positions = batch.positions {
            guard positions >= 1, !count.multipliedReportingOverflow(by: positions).overflow else {
                throw invalid("\(positions) label positions per example; sequence data have at least 1")
            }
            guard batch.labels.map({ $0.count == count * positions }) ?? true else {
                throw invalid("\(batch.labels!.count) labels for \(count) examples of \(positions) positions")
            }
        }
        if let classes = batch.classes {
            guard classes >= 1 else { throw invalid("\(classes) classes per position; at least 1") }
            guard batch.labels?.allSatisfy({ (0..<Int64(classes)).contains($0) }) ?? true else {
                throw invalid("labels outside 0..<\(classes)")
            }
        }
        let group = try H5Group.createAnonymous(in: file, location: data.location.child(Schema.Data.hessianGroup))
        try group.setAttribute(Schema.Data.count, count)
        try group.setAttribute(Schema.Checkpoint.dtype, T.storedDType.rawValue)
        if let positions = batch.positions { try group.setAttribute(Schema.Data.positions, positions) }
        if let classes = batch.classes { try group.setAttribute(Schema.Data.classes, classes) }
        try group.writeVector(Schema.Data.indices, batch.indices, compression: compression)
        if let inputs = batch.inputs {
            try checkRows(inputs.shape, Schema.Data.inputs)
            try group.writeArray(Schema.Data.inputs, shape: inputs.shape, values: inputs.values, compression: compression)
        }
        if let labels = batch.labels, let positions = batch.positions {
            try group.writeScalars(Schema.Data.labels, shape: [count, positions], values: labels, compression: compression)
        } else if let labels = batch.labels {
            try checkRows([labels.count], Schema.Data.labels)
            try group.writeVector(Schema.Data.labels, labels, compression: compression)
        }
        if let targets = batch.targets {
            try checkRows(targets.shape, Schema.Data.targets)
            try group.writeArray(Schema.Data.targets, shape: targets.shape, values: targets.values, compression: compression)
        }
        return group
    }
}

enum CheckpointStorage {
    /// /checkpoints/<step>: weights/, gradients/, optimizer/<slot>/ and attributes.
    /// Builds the checkpoint in a new anonymous group and returns it: the caller links it as
    /// /checkpoints/<step> once its bytes are flushed. `taken` tells whether a step is written.
    static func build<T: StoredFloat>(_ checkpoint: Checkpoint<T>, in checkpoints: H5Group, file h5: H5File,
                                      compression: Compression, taken: (String) -> Bool) throws -> H5Group {
        let name = String(checkpoint.step)
        let file = checkpoints.location.file
        guard checkpoint.step >= 0 else {
            throw RunStoreError(.invalidArgument, file: file, detail: "checkpoint step \(checkpoint.step) is negative")
        }
        guard !taken(name) else {
            throw RunStoreError(.invalidArgument, file: file, object: checkpoints.location.child(name).object,
                                detail: "a checkpoint at step \(checkpoint.step) was already written")
        }
        try validateTensors(checkpoint.weights, what: "weight", file: file)
        try validateTensors(checkpoint.gradients, what: "gradient", file: file)
        try validateTensors(checkpoint.buffers, what: "buffer", file: file)
        try validateName(checkpoint.optimizer.kind, what: "optimizer kind", file: file)
        for (slot, tensors) in checkpoint.optimizer.slots {
            try validateName(slot, what: "optimizer slot", file: file)
            try validateTensors(tensors, what: "optimizer \(slot)", file: file)
        }
        for key in checkpoint.optimizer.hyperparameters.keys { try validateName(key, what: "hyper-parameter", file: file) }

        let group = try H5Group.createAnonymous(in: h5, location: checkpoints.location.child(name))
        try group.setAttribute(Schema.Checkpoint.step, checkpoint.step)
        try group.setAttribute(Schema.Checkpoint.lr, checkpoint.learningRate)
        try group.setAttribute(Schema.Checkpoint.optimizer, checkpoint.optimizer.kind)
        try group.setAttribute(Schema.Checkpoint.dtype, T.storedDType.rawValue)
        try writeTensors(checkpoint.weights, in: group.createGroup(Schema.Checkpoint.weights), compression)
        try writeTensors(checkpoint.gradients, in: group.createGroup(Schema.Checkpoint.gradients), compression)
        if !checkpoint.buffers.isEmpty {
            try writeTensors(checkpoint.buffers, in: group.createGroup(Schema.Checkpoint.buffers), compression)
        }

        let optimizer = try group.createGroup(Schema.Checkpoint.optimizer)
        try optimizer.setAttribute(Schema.Checkpoint.kind, checkpoint.optimizer.kind)
        try optimizer.setAttribute(Schema.Checkpoint.stepCount, checkpoint.optimizer.stepCount)
        for (key, value) in checkpoint.optimizer.hyperparameters.sorted(by: { $0.key < $1.key }) {
            try optimizer.setAttribute(key, value)
        }
        for (slot, tensors) in checkpoint.optimizer.slots.sorted(by: { $0.key < $1.key }) {
            try writeTensors(tensors, in: optimizer.createGroup(slot), compression)
        }
        return group
    }

    private static func validateTensors<T>(_ tensors: [NamedArray<T>], what: String, file: String) throws {
        var seen = Set<String>()
        for tensor in tensors {
            try validateName(tensor.name, what: what, file: file)
            guard seen.insert(tensor.name).inserted else {
                throw RunStoreError(.invalidArgument, file: file, detail: "two \(what) tensors are named '\(tensor.name)'")
            }
            guard tensor.values.count == tensor.shape.reduce(1, *) else {
                throw RunStoreError(.invalidArgument, file: file,
                                    detail: "\(what) '\(tensor.name)': \(tensor.values.count) values do not fill shape \(tensor.shape)")
            }
        }
    }

    private static func writeTensors<T: StoredFloat>(_ tensors: [NamedArray<T>], in group: H5Group, _ compression: Compression) throws {
        for tensor in tensors {
            try group.writeArray(tensor.name, shape: tensor.shape, values: tensor.values, compression: compression)
        }
    }
}

enum SpectrumStorage {
    /// Checks a spectrum before anything is written.
    static func validate(_ spectrum: Spectrum, file: String) throws {
        guard spectrum.step >= 0 else {
            throw RunStoreError(.invalidArgument, file: file, detail: "spectrum step \(spectrum.step) is negative")
        }
        try validateLanczos(alpha: spectrum.alpha, beta: spectrum.beta, file: file)
        guard spectrum.eigenvalues.count == spectrum.residuals.count else {
            throw RunStoreError(.invalidArgument, file: file,
                                detail: "\(spectrum.eigenvalues.count) eigenvalues but \(spectrum.residuals.count) residuals")
        }
    }

    /// Writes the spectrum's datasets and attributes into `group` (/spectra/<step>/<operator>,
    /// not yet linked).
    static func fill(_ group: H5Group, with spectrum: Spectrum) throws {
        try group.setAttribute(Schema.Spectrum.step, spectrum.step)
        try group.setAttribute(Schema.Spectrum.operator, spectrum.operator.rawValue)
        try group.setAttribute(Schema.Spectrum.probes, spectrum.probes)
        try group.setAttribute(Schema.Spectrum.lanczosSteps, spectrum.lanczosSteps)
        try group.setAttribute(Schema.Spectrum.seed, Int64(bitPattern: spectrum.seed))
        try group.setAttribute(Schema.Spectrum.probeKind, spectrum.probeKind)
        if !spectrum.reorthogonalization.isEmpty {
            try group.setAttribute(Schema.Spectrum.reorthogonalization, spectrum.reorthogonalization)
        }
        try group.writeVector(Schema.Spectrum.eigenvalues, spectrum.eigenvalues)
        try group.writeVector(Schema.Spectrum.residuals, spectrum.residuals)
        try group.writeMatrix(Schema.Spectrum.alpha, rows: spectrum.alpha)
        try group.writeMatrix(Schema.Spectrum.beta, rows: spectrum.beta)
    }

    /// alpha rows all of length m, beta rows all of length m - 1 (0 when m is 0), same row count.
    static func validateLanczos(alpha: [[Double]], beta: [[Double]], file: String) throws {
        let m = alpha.first?.count ?? 0
        guard alpha.allSatisfy({ $0.count == m }), beta.count == alpha.count,
              beta.allSatisfy({ $0.count == max(m - 1, 0) }) else {
            throw RunStoreError(.invalidArgument, file: file,
                                detail: "Lanczos tridiagonals must be alpha [probes][m] and beta [probes][m-1]; got alpha rows \(alpha.map(\.count)), beta rows \(beta.map(\.count))")
        }
    }
}
