// Curvature by block (curv-density --blocks): λ_max of each parameter block's own Hessian H_bb,
// checked against LAPACK on the diagonal blocks of the explicit Hessian (and of D H D for Adam's
// preconditioned operator), stored under /analyses/<id>/blocks and read back.

import Analysis
import Foundation
import Models
import RunStore
import Spectral
import Tensor
import Testing
import Training

@Suite("Curvature by block")
struct BlockCurvatureTests {
    let layout = ParameterLayout(names: ["embedding.weight", "block0.ln1.weight", "block0.ln1.bias", "block0.attention.query.weight", "head.weight", "scale"],
                                 shapes: [[5, 2], [2], [2], [2, 2], [2, 5], [1]])

    @Test("layers group tensors up to their last '.', tensors keep each one, prefixes take whole name components")
    func groupings() throws {
        let layers = try layout.blocks(.layers)
        #expect(layers.map(\.name) == ["embedding", "block0.ln1", "block0.attention.query", "head", "scale"])
        #expect(layers[1].ranges == [10..<12, 12..<14] && layers[1].count == 4)
        #expect(try layout.blocks(.tensors).map(\.count) == [10, 2, 2, 4, 10, 1])
        let groups = try layout.blocks(.prefixes(["block0", "embedding", "scale"]))
        #expect(groups.map(\.count) == [8, 10, 1] && groups[0].ranges == [10..<12, 12..<14, 14..<18])
        // "block" is not a name component of "block0.ln1.weight".
        #expect(throws: BlockGroupingError.self) { try layout.blocks(.prefixes(["block"])) }
        #expect(throws: BlockGroupingError.self) { try layout.blocks(.prefixes(["block0", "block0.ln1"])) }
        #expect(BlockGrouping("block0, head") == .prefixes(["block0", "head"]) && BlockGrouping("a,,b") == nil && BlockGrouping("a,a") == nil)
        #expect(BlockGrouping(BlockGrouping.prefixes(["x", "y.z"]).description) == .prefixes(["x", "y.z"]))
    }

    @Test("a principal submatrix operator is the dense submatrix")
    func principalSubmatrix() throws {
        var rng = SeededGenerator(seed: 11)
        let n = 9
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in i..<n { let x = Double.random(in: -1...1, using: &rng); a[i * n + j] = x; a[j * n + i] = x } }
        let ranges = [1..<3, 5..<6, 7..<9]
        let indices = ranges.flatMap { Array($0) }
        let sub = SymmetricOperator.dense(a, dimension: n).principalSubmatrix(ranges).denseMatrix()
        #expect(sub == indices.flatMap { i in indices.map { j in a[i * n + j] } })
    }

    /// The Transformer run of `TransformerRunTests` (1 block, 2 heads, width 8, Adam, Float64).
    @Test("every block's λ_max of H and of P^-1/2 H P^-1/2 matches LAPACK on the explicit diagonal block; stored, read back, rerun kept",
          arguments: [SpectralOperator.hessian, .preconditioned])
    func blocksAgreeWithLAPACK(operatorKind: SpectralOperator) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("curv-blocks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let (path, config) = try TransformerRunTests().record(.pre, in: dir)

        let reader = try RunReader.open(path)
        let network = try ModelSpec.parse(json: reader.modelSpec(), source: path).network
        reader.close()
        let (hessian, preconditioned, n) = try TransformerRunTests.denseMatrices(path, config, step: 6)
        let matrix = operatorKind == .hessian ? hessian : preconditioned

        var request = lambdaMaxRequest(step: 6, operatorKind, probes: 1, lanczos: 10)
        request.blocks = .layers
        let outcome = try #require(try DensityAnalysis.run(path: path, request: request, progress: .quiet).first)
        let blocks = outcome.analysis.blocks
        let expected = try network.layout.blocks(.layers)
        #expect(blocks.map(\.name) == expected.map(\.name) && blocks.map(\.size) == expected.map(\.count))
        #expect(blocks.contains { $0.name == "block0.attention.query" } && blocks.contains { $0.name == "embedding" })
        for (block, stored) in zip(expected, blocks) {
            let indices = block.ranges.flatMap { Array($0) }
            let sub = indices.flatMap { i in indices.map { j in matrix[i * n + j] } }
            let exact = try denseSymmetricEigenvalues(sub, dimension: indices.count).max()!
            let scale = max(abs(exact), 1e-12 * outcome.analysis.topEigenvalues[0])
            #expect(abs(stored.value - exact) <= 1e-6 * scale + 1e-9 * outcome.analysis.topEigenvalues[0],
                    "\(block.name): curv-density \(stored.value), LAPACK \(exact)")
            #expect(stored.converged && stored.value <= outcome.analysis.topEigenvalues[0] * (1 + 1e-9))
        }

        // Stored under /analyses/<id>/blocks and read back bit for bit; the same request is kept,
        // another grouping is a new analysis.
        let again = try RunReader.open(path)
        #expect(try again.analyses().last!.analysis == outcome.analysis)
        again.close()
        #expect(try DensityAnalysis.run(path: path, request: request, progress: .quiet).first?.id == nil)
        request.blocks = .prefixes(["block0", "head"])
        let grouped = try #require(try DensityAnalysis.run(path: path, request: request, progress: .quiet).first)
        #expect(grouped.id != nil && grouped.analysis.blocks.map(\.name) == ["block0", "head"])
    }

    /// The recorder's warm-started block λ_max (record.block_sharpness_every) on an MLP with a
    /// CNN-free two-layer layout, every measured step against LAPACK on the explicit diagonal
    /// blocks of the Hessian at the checkpointed weights.
    @Test("record.block_sharpness_every: each block's recorded λ_max matches LAPACK on the explicit diagonal block at every checkpoint")
    func recordedBlocks() throws {
        var c = mixtureConfig(name: "blocks", steps: 4, dimension: 4, hidden: [6])
        c.optimizer.lr = 0.5
        c.record.sharpnessEvery = 2
        c.record.sharpnessTolerance = 1e-12
        c.record.sharpnessLanczos = 60
        c.record.blockSharpnessEvery = 2
        c.record.checkpointAt = [0, 2, 4]
        try withRecording(c) { path in try checkRecordedBlocks(path, c) }
    }

    private func checkRecordedBlocks(_ path: String, _ c: RunConfig) throws {
        let reader = try RunReader.open(path)
        defer { reader.close() }
        let spec = try ModelSpec.parse(json: reader.modelSpec(), source: path)
        let network = spec.network
        let metrics = try reader.metrics()
        let surface = LossSurface(model: network, loss: spec.loss, examples: try PreparedData.prepare(c).hessianBatch.batch(as: Double.self))
        let blocks = try network.layout.blocks(.layers)
        #expect(blocks.map(\.name) == ["dense0", "dense1"])
        for step in [0, 2, 4] {
            let row = try #require(metrics.steps.firstIndex(of: step))
            let w = try network.layout.flat(from: reader.checkpoint(at: step, as: Double.self).weights, source: path)
            let n = w.count
            let hessian = surface.hessianOperator(at: w).denseMatrix()
            for block in blocks {
                let indices = block.ranges.flatMap { Array($0) }
                let exact: Double = try denseSymmetricEigenvalues(indices.flatMap { i in indices.map { j in hessian[i * n + j] } }, dimension: indices.count).max()!
                let recorded: Double = try #require(metrics.columns[RecordConfig.blockSharpnessPrefix + block.name]?[row])
                #expect(abs(recorded - exact) <= 1e-8 * abs(exact), "step \(step), \(block.name): recorded \(recorded), LAPACK \(exact)")
            }
        }
        // Unmeasured steps are NaN, like every other sharpness column.
        #expect(metrics.columns["block_sharpness:dense0"]![metrics.steps.firstIndex(of: 1)!].isNaN)
    }

    @Test("recording block sharpness leaves the training trajectory bit-identical")
    func blocksDoNotPerturbTraining() throws {
        var c = mixtureConfig(name: "plain", steps: 12, dimension: 4, hidden: [6])
        c.optimizer.kind = .adam
        c.optimizer.lr = 0.05
        c.training.batchSize = 20
        c.record.sharpnessEvery = 3
        func trajectory(_ c: RunConfig) throws -> [String: [Double]] {
            try withRecording(c) { path in
                let reader = try RunReader.open(path)
                defer { reader.close() }
                return try reader.metrics().columns
            }
        }
        let plain = try trajectory(c)
        c.record.blockSharpnessEvery = 2
        let blocks = try trajectory(c)
        for name in ["loss", "grad_norm", "param_norm", "sharpness", "preconditioned_sharpness"] {
            let (a, b) = (plain[name]!, blocks[name]!)
            #expect(a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(name)")
        }
        #expect(blocks["block_sharpness:dense0"] != nil && plain["block_sharpness:dense0"] == nil)
    }

    @Test("record.blocks: a bad grouping is a config error, and a prefix the model lacks names the key and the tensors")
    func recordErrors() throws {
        let bad = try #require(throws: ConfigError.self) { try RunConfig.parse("[record]\nblocks = \"a,,b\"", file: "c.toml") }
        #expect(bad.description.contains("record.blocks = \"a,,b\"") && bad.description.contains("layers"))
        var c = RunConfig()
        c.data.source = .gaussianMixture
        c.data.count = 30
        c.model.hidden = [4]
        c.record.blockSharpnessEvery = 1
        c.record.blocks = "dense0,conv9"
        let error = try #require(throws: ConfigError.self) {
            try Recorder.record(c, options: RecordOptions(outputPath: FileManager.default.temporaryDirectory.appendingPathComponent("never-\(UUID().uuidString).h5").path, progress: .quiet))
        }
        #expect(error.description.contains("record.blocks = \"dense0,conv9\"") && error.description.contains("'conv9'") && error.description.contains("dense0.weight"))
    }
}
