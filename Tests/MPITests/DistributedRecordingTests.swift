// curv-record and curv-density under `mpirun -np 2` against one process (docs/scaling.md):
// with one rank the run file's numbers are bit for bit those of the tool run alone; with two,
// bit for bit when one process also cuts every set into two chunks (the sum of two terms does not
// depend on their order), and within rounding (relative to each array's largest value) otherwise.

import Foundation
import RunStore
import Testing
import TestSupport

/// Full-batch gradient descent in Float64 with dropout: the training set (420) and the test set
/// (280) are at least `LossSurface.parallelExamples` (256), so one process cuts each into two
/// chunks too, as two ranks do: the runs must agree bit for bit.
let twoChunkConfig = """
    name = "mpi-full-batch"
    steps = 30
    seed = 3
    dtype = "f64"
    [data]
    source = "gaussian_mixture"
    count = 700
    dimension = 6
    classes = 3
    test_fraction = 0.4
    [model]
    hidden = [16, 16]
    activation = "tanh"
    dropout = 0.1
    [optimizer]
    kind = "momentum"
    lr = 0.3
    [record]
    sharpness_every = 5
    test_every = 5
    hessian_examples = 0
    spectrum_at = [30]
    spectrum_probes = 2
    spectrum_lanczos = 10
    checkpoint_at = [0, 30]
    """

/// Adam with warmup on minibatches of 16 of a CNN with BatchNorm in Float32: a training batch is
/// one BatchNorm group (evaluated by rank 0, whose running statistics ride the all-reduce), the
/// Hessian batch two groups (one per rank), the test set and the checkpoints' full-batch gradient
/// one chunk alone but two under two ranks (rounding).
let batchNormConfig = """
    name = "mpi-batch-norm"
    steps = 40
    seed = 5
    [data]
    source = "digits"
    path = "\(repositoryRoot.appendingPathComponent("fixtures/digits").path)"
    subset = 96
    test_fraction = 0.25
    [model]
    kind = "cnn"
    channels = [4]
    batch_norm = true
    [optimizer]
    kind = "adam"
    lr = 0.01
    [schedule]
    warmup_steps = 10
    [training]
    batch_size = 16
    [record]
    sharpness_every = 4
    preconditioned = true
    test_every = 8
    hessian_examples = 32
    spectrum_at = [20, 40]
    spectrum_probes = 2
    spectrum_lanczos = 8
    checkpoint_at = [0, 20, 40]
    """

/// Minibatches of 24 in Float64: one chunk alone, two under two ranks, at every step.
let minibatchConfig = """
    name = "mpi-minibatch"
    steps = 60
    seed = 11
    dtype = "f64"
    [data]
    source = "gaussian_mixture"
    count = 200
    dimension = 5
    classes = 4
    test_fraction = 0.2
    [model]
    hidden = [12]
    activation = "tanh"
    [optimizer]
    kind = "sgd"
    lr = 0.2
    [training]
    batch_size = 24
    [record]
    sharpness_every = 10
    test_every = 10
    hessian_examples = 64
    checkpoint_at = [0, 60]
    """

@Suite("distributed recording and analysis (mpirun -np 2)", .serialized)
struct DistributedRecordingTests {
    /// Records `config` alone and under mpirun with 1 and 2 ranks; returns the three files' numbers.
    func recordThreeWays(_ config: String, in dir: URL) throws -> (alone: RunNumbers, one: RunNumbers, two: RunNumbers) {
        let path = dir.appendingPathComponent("config.toml").path
        try config.write(toFile: path, atomically: true, encoding: .utf8)
        let common = ["--quiet", "--live-every", "0"]
        let alone = try alone("curv-record", [path, "--out", "alone.h5"] + common, in: dir)
        #expect(alone.status == 0, "\(alone.stderr)")
        let one = try mpirun(1, "curv-record", [path, "--out", "one.h5"] + common, in: dir)
        #expect(one.status == 0, "\(one.stderr)")
        let two = try mpirun(2, "curv-record", [path, "--out", "two.h5"] + common, in: dir)
        #expect(two.status == 0, "\(two.stderr)")
        // Rank 0 alone prints the summary, and alone writes: no stray files from rank 1.
        #expect(two.stdout.components(separatedBy: "two.h5: steps").count == 2, "\(two.stdout)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["alone.h5", "config.toml", "one.h5", "two.h5"])
        return try (RunNumbers(dir.appendingPathComponent("alone.h5").path), RunNumbers(dir.appendingPathComponent("one.h5").path),
                    RunNumbers(dir.appendingPathComponent("two.h5").path))
    }

    @Test("the runs committed in fixtures/runs/figures (recorded before MPI existed) are recorded again bit for bit, alone and under mpirun -np 1")
    func oneRankEqualsEarlierVersions() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let figures = repositoryRoot.appendingPathComponent("fixtures/runs/figures")
        for name in ["gd", "adam", "blocks"] {
            let config = figures.appendingPathComponent("\(name).toml").path
            let committed = try RunNumbers(figures.appendingPathComponent("\(name).h5").path)
            #expect(committed.arrays["metrics/loss"]?.isEmpty == false)
            let aloneRun = try alone("curv-record", [config, "--out", "\(name)-alone.h5", "--quiet", "--live-every", "0"], in: dir)
            #expect(aloneRun.status == 0, "\(aloneRun.stderr)")
            let oneRank = try mpirun(1, "curv-record", [config, "--out", "\(name)-one.h5", "--quiet", "--live-every", "0"], in: dir)
            #expect(oneRank.status == 0, "\(oneRank.stderr)")
            for run in ["\(name)-alone.h5", "\(name)-one.h5"] {
                #expect(committed.differences(from: try RunNumbers(dir.appendingPathComponent(run).path), relative: 0) == [], "\(run)")
            }
        }
    }

    @Test("full batch in two chunks: one rank and two ranks both equal one process bit for bit")
    func fullBatchBitForBit() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let runs = try recordThreeWays(twoChunkConfig, in: dir)
        #expect(runs.alone.arrays["metrics/sharpness"]?.isEmpty == false)
        // Provenance: the root says how many processes recorded the file (absent for one).
        let processes = try ["alone.h5", "one.h5", "two.h5"].map { try RunReader.open(dir.appendingPathComponent($0).path).processes }
        #expect(processes == [1, 1, 2])
        let inspected = try runProcess(builtExecutable("curv-inspect"), [dir.appendingPathComponent("two.h5").path])
        #expect(inspected.stdout.contains("recorded by 2 MPI processes"), "\(inspected.stdout)")
        #expect(runs.alone.differences(from: runs.one, relative: 0) == [])
        #expect(runs.alone.differences(from: runs.two, relative: 0) == [])
    }

    @Test("BatchNorm, Adam, minibatches (Float32): one rank bit for bit; two ranks within Float32 rounding")
    func batchNormWithinRounding() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let runs = try recordThreeWays(batchNormConfig, in: dir)
        #expect(runs.alone.arrays["metrics/preconditioned_sharpness"]?.isEmpty == false)
        #expect(runs.alone.differences(from: runs.one, relative: 0) == [])
        // The bound of docs/scaling.md for Float32 runs this short: 1e-5 of each array's scale.
        #expect(runs.alone.differences(from: runs.two, relative: 1e-5) == [])
        // And the chunking really differs somewhere (else this test would not test the bound).
        #expect(runs.alone.differences(from: runs.two, relative: 0) != [])
    }

    @Test("minibatches in Float64, one chunk alone and two under two ranks: within 1e-12")
    func minibatchWithinRounding() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let runs = try recordThreeWays(minibatchConfig, in: dir)
        #expect(runs.alone.differences(from: runs.one, relative: 0) == [])
        #expect(runs.alone.differences(from: runs.two, relative: 1e-12) == [])
        #expect(runs.alone.differences(from: runs.two, relative: 0) != [])
    }

    @Test("curv-density --split batch and --split probes equal one process (one BLAS thread) bit for bit; only rank 0 writes")
    func densitySplits() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("config.toml").path
        try twoChunkConfig.write(toFile: config, atomically: true, encoding: .utf8)
        let recorded = try alone("curv-record", [config, "--out", "run.h5", "--quiet", "--live-every", "0"], in: dir)
        #expect(recorded.status == 0, "\(recorded.stderr)")
        for name in ["alone", "batch", "probes"] {
            try FileManager.default.copyItem(at: dir.appendingPathComponent("run.h5"), to: dir.appendingPathComponent("\(name).h5"))
        }
        // Lanczos's vector operations run through BLAS: one thread alone, as each rank of two on two cores.
        let analysis = ["--at", "30", "--probes", "5", "--lanczos", "12", "--top", "2", "--bottom", "2", "--trace", "--trace-matvecs", "12",
                        "--blocks", "layers", "--quiet"]
        let single = try alone("curv-density", ["alone.h5"] + analysis, in: dir, environment: ["OPENBLAS_NUM_THREADS": "1"])
        #expect(single.status == 0, "\(single.stderr)")
        let batch = try mpirun(2, "curv-density", ["batch.h5", "--split", "batch"] + analysis, in: dir)
        #expect(batch.status == 0, "\(batch.stderr)")
        let probes = try mpirun(2, "curv-density", ["probes.h5", "--split", "probes"] + analysis, in: dir)
        #expect(probes.status == 0, "\(probes.stderr)")
        // One result line, from rank 0.
        #expect(batch.stdout.components(separatedBy: "step 30 [hessian] analysis 0000").count == 2, "\(batch.stdout)")
        let reference = try RunNumbers(dir.appendingPathComponent("alone.h5").path)
        #expect(reference.arrays["analyses/0000/density"]?.isEmpty == false)
        #expect(reference.differences(from: try RunNumbers(dir.appendingPathComponent("batch.h5").path), relative: 0) == [])
        #expect(reference.differences(from: try RunNumbers(dir.appendingPathComponent("probes.h5").path), relative: 0) == [])
        // Without a lock left behind: a second analysis (kept as identical) runs.
        let again = try mpirun(2, "curv-density", ["batch.h5", "--split", "batch"] + analysis, in: dir)
        #expect(again.status == 0 && again.stdout.contains("kept existing analysis"), "\(again.stdout)\(again.stderr)")
    }

    @Test("curv-density under two ranks on a BatchNorm run (Float32 weights, Float64 products): within 1e-9 of one process")
    func densityBatchNorm() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("config.toml").path
        try batchNormConfig.write(toFile: config, atomically: true, encoding: .utf8)
        #expect(try alone("curv-record", [config, "--out", "run.h5", "--quiet", "--live-every", "0"], in: dir).status == 0)
        try FileManager.default.copyItem(at: dir.appendingPathComponent("run.h5"), to: dir.appendingPathComponent("two.h5"))
        let analysis = ["--at", "40", "--operator", "preconditioned", "--probes", "3", "--lanczos", "10", "--top", "2", "--bottom", "1", "--quiet"]
        #expect(try alone("curv-density", ["run.h5"] + analysis, in: dir).status == 0)
        let two = try mpirun(2, "curv-density", ["two.h5"] + analysis, in: dir)
        #expect(two.status == 0, "\(two.stderr)")
        let reference = try RunNumbers(dir.appendingPathComponent("run.h5").path)
        #expect(reference.differences(from: try RunNumbers(dir.appendingPathComponent("two.h5").path), relative: 1e-9) == [])
    }
}
