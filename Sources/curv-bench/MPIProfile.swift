import Foundation
import MessagePassing
import Models
import Spectral
import Tensor

/// `mpirun -np N curv-bench --profile mpi`: the pieces of a distributed Lanczos step on M1 (the
/// MLP 784-512-512-10, 1024 random examples, Float32), medians over `repeats` on rank 0: a
/// Hessian-vector product with the primal work remembered (as Lanczos pays it) with the batch
/// shared by the ranks, the all-reduce of one parameter vector in Float32 and Float64, and the
/// Lanczos vector work per step (partial reorthogonalization, Float64) on a diagonal operator
/// of M1's dimension (every rank repeats it). These are the figures docs/scaling.md builds on.
func profileMPI(repeats: Int) {
    let ranks = Communicator.world
    var rng = SeededGenerator(seed: 7)
    let inputs = Tensor<Float>.randomNormal([1024, 784], using: &rng)
    var targets = Tensor<Float>(zeros: [1024, 10])
    for i in 0..<1024 { targets[i, Int(rng.next() % 10)] = 1 }
    let surface = LossSurface(model: MLP(widths: [784, 512, 512, 10], activation: .tanh).network, loss: .crossEntropy,
                              examples: Batch(inputs: inputs, targets: targets), ranks: ranks)
    let n = surface.dimension
    let w = surface.layout.flatten(surface.model.initialParameters(.lecunNormal, seed: 2, as: Float.self))
    let v = Tensor<Float>.randomNormal([n], using: &rng)
    let (params, memos) = (surface.layout.unflatten(w), surface.primalMemos())
    func timed(_ body: () -> Void) -> Double {
        ranks.barrier()
        return medianMilliseconds(repeats, body)
    }
    var sink: Float = 0
    let hvp = timed { sink += surface.hessianVectorProduct(at: params, v, memos: memos).scalars[0] }
    var floats = [Float](repeating: 1, count: n), doubles = [Double](repeating: 1, count: n)
    let sumFloats = timed { ranks.sum(&floats) }
    let sumDoubles = timed { ranks.sum(&doubles) }
    let diagonal = SymmetricOperator.diagonal((0..<n).map { Double($0 % 97) / 97 })
    let steps = 80
    let lanczosStep = timed { _ = try? lanczosRuns(of: diagonal, settings: SLQSettings(probes: 1, steps: steps, seed: 3)) } / Double(steps)
    guard ranks.isRoot else { return }
    if !sink.isFinite { print("warning: non-finite benchmark result") }
    print(String(format: "mpi_ranks %d\nmpi_threads_per_rank %d\nm1_parameters %d", ranks.size, ranks.threadsPerProcess, n))
    print(String(format: "m1_hvp_remembered_ms %.3f\nallreduce_f32_ms %.3f\nallreduce_f64_ms %.3f\nlanczos_vector_work_ms %.3f", hvp, sumFloats, sumDoubles, lanczosStep))
}
