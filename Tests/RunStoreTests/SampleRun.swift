// A small but complete run used by several tests (and to regenerate fixtures/runs/sample.h5):
// every record kind, in Float32 or Float64.

import Foundation
import RunStore

enum SampleRun {
    static let header = RunHeader(
        configTOML: "[model]\nkind = \"mlp\"\nwidths = [8, 6, 3]\n\n[train]\nlr = 0.05\nsteps = 40\n",
        configJSON: "{\"model\":{\"kind\":\"mlp\",\"widths\":[8,6,3]},\"train\":{\"lr\":0.05,\"steps\":40}}",
        modelSpec: "{\"kind\":\"mlp\",\"widths\":[8,6,3],\"activation\":\"tanh\",\"loss\":\"cross_entropy\",\"dtype\":\"f32\"}",
        parameterCount: 8 * 6 + 6 + 6 * 3 + 3,
        data: DataProvenance(name: "digits", path: "fixtures/digits/digits.csv.gz",
                             sha256: String(repeating: "ab", count: 32)))

    static func batch<T: StoredFloat>(_: T.Type) -> HessianBatch<T> {
        HessianBatch(indices: [3, 1, 4, 1_000_000_000_005],
                     inputs: NamedArray(name: "inputs", shape: [4, 8], values: randomValues(32, seed: 7)),
                     labels: [0, 2, 1, 2])
    }

    static func checkpoint<T: StoredFloat>(step: Int, _: T.Type) -> Checkpoint<T> {
        let seed = UInt64(step) * 100
        let shapes: [(String, [Int])] = [("layer0.weight", [8, 6]), ("layer0.bias", [6]),
                                         ("layer1.weight", [6, 3]), ("layer1.bias", [3])]
        func tensors(_ salt: UInt64) -> [NamedArray<T>] {
            shapes.enumerated().map { index, item in
                NamedArray(name: item.0, shape: item.1,
                           values: randomValues(item.1.reduce(1, *), seed: seed + salt * 10 + UInt64(index)))
            }
        }
        // 16 KiB in Float32, so chunked and compressed; multiples of 1/64 keep the fixture small.
        let big = NamedArray(name: "big", shape: [32, 128],
                             values: randomValues(32 * 128, seed: seed + 99, as: T.self).map { ($0 * 64).rounded() / 64 })
        return Checkpoint(step: step, learningRate: 0.05 / Double(step + 1), weights: tensors(1) + [big], gradients: tensors(2),
                          optimizer: OptimizerState(kind: "adam", stepCount: step,
                                                    hyperparameters: ["beta1": 0.9, "beta2": 0.999, "eps": 1e-8],
                                                    slots: ["m": tensors(3), "v": tensors(4)]))
    }

    static func spectrum(step: Int, _ op: SpectralOperator) -> Spectrum {
        let m = 6, probes = 2
        let alpha = (0..<probes).map { p in randomValues(m, seed: UInt64(step * 10 + p), as: Double.self) }
        let beta = (0..<probes).map { p in randomValues(m - 1, seed: UInt64(step * 10 + p + 5), as: Double.self).map(abs) }
        return Spectrum(step: step, operator: op, eigenvalues: [12.5 + Double(step), 3.25, 1], residuals: [1e-9, 2e-7, 3e-4],
                        alpha: alpha, beta: beta, seed: UInt64.max - UInt64(step), probeKind: "rademacher")
    }

    static let steps = [0, 10, 20]

    static let metricsRows: [(step: Int, values: [String: Double])] = (0..<40).map { step in
        var values: [String: Double] = ["loss": 2.3 * exp(-Double(step) / 20), "lr": 0.05]
        if step % 10 == 0 { values["sharpness"] = 10 + Double(step) / 2 }
        if step >= 30 { values["accuracy"] = 0.5 + Double(step) / 100 }  // a metric that starts late
        return (step: step, values: values)
    }

    static let events = [RunEvent(step: 12, kind: "threshold_crossing", detail: "sharpness 41.2 crossed 2/lr = 40"),
                         RunEvent(step: 31, kind: "loss_spike", detail: "loss ×3.1 in one step — λ ≈ 2/η")]

    static func analysis(step: Int) -> Analysis {
        let grid = stride(from: -1.0, through: 20.0, by: 0.5).map { $0 }
        let density = grid.map { exp(-$0 * $0 / 8) / 2 }
        return Analysis(step: step, operator: .hessian, probes: 2, lanczosSteps: 6, seed: 42, sigma: 0.25,
                        grid: grid, density: density, densitySpread: density.map { $0 / 10 },
                        topEigenvalues: [15.5, 4.25], topResiduals: [1e-8, 1e-6],
                        bottomEigenvalues: [-0.5, -0.25], bottomResiduals: [1e-7, 1e-5],
                        trace: 42.5, traceStandardError: 1.5,
                        alpha: spectrum(step: step, .hessian).alpha, beta: spectrum(step: step, .hessian).beta,
                        source: "/checkpoints/\(step)/weights + /data/hessian_batch")
    }

    /// Writes the complete sample run in element type T; returns nothing, closes the file.
    static func write<T: StoredFloat>(to path: String, _: T.Type, withAnalysis: Bool = true) throws {
        let writer = try RunWriter.create(at: path, header: header, options: .init(overwrite: true))
        try writer.writeHessianBatch(batch(T.self))
        for row in metricsRows {
            try writer.appendMetrics(step: row.step, row.values)
            if steps.contains(row.step) {
                try writer.writeCheckpoint(checkpoint(step: row.step, T.self))
                try writer.writeSpectrum(spectrum(step: row.step, .hessian))
                try writer.writeSpectrum(spectrum(step: row.step, .preconditioned))
            }
            for event in events where event.step == row.step { try writer.appendEvent(event) }
        }
        try writer.close()
        if withAnalysis {
            let analyses = try AnalysisWriter.open(path)
            try analyses.append(analysis(step: 10))
            try analyses.append(analysis(step: 20))
            try analyses.close()
        }
    }
}
