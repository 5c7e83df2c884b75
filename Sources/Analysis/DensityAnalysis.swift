import Foundation
import MessagePassing
import Models
import RunStore
import Spectral
import Tensor
import Training

/// Re-analysis of recorded checkpoints: for each selected step, the SLQ density of the Hessian
/// (or of Adam's preconditioned Hessian) over the stored Hessian batch, top and bottom eigenvalues
/// with residuals, and optionally the Hutch++ trace, appended under /analyses. Recorded data is
/// never modified.
///
/// Every check (steps exist, Adam state present, data set unchanged) runs before anything is
/// computed or written. Each step's result is appended as soon as it is ready, so an interrupted
/// analysis keeps its finished steps, and a rerun with the same settings skips them.
public enum DensityAnalysis {
    /// One appended (or skipped) result.
    public struct Outcome: Sendable {
        public let step: Int
        /// The /analyses id written, or nil when an identical analysis existed and was kept.
        public let id: String?
        public let analysis: Analysis
        /// The extreme eigenvalues stopped early because their residuals stopped falling (the
        /// products' rounding floor, e.g. Float32), not because the budget ran out.
        public var stalled = false
    }

    ///
    /// `ranks`: the processes of an MPI job, sharing the work as `request.split` says; all compute
    /// the same results, rank 0 alone holds the run's lock and appends them (the others return
    /// outcomes with nil ids). BLAS runs on one thread when this process has one core to itself
    /// (`Communicator.threadsPerProcess`: the job's processes share the cores, or it is bound to one).
    public static func run(path: String, request: DensityRequest, progress: ProgressReporter.Mode? = nil,
                           shouldStop: @escaping () -> Bool = { false }, ranks: Communicator = .single) throws -> [Outcome] {
        let job: () throws -> [Outcome]
        switch request.dtype {
        case "f64": job = Job<Double>(path: path, request: request, progressMode: progress, shouldStop: shouldStop, ranks: ranks).run
        case "f32": job = Job<Float>(path: path, request: request, progressMode: progress, shouldStop: shouldStop, ranks: ranks).run
        default: throw AnalysisError("--dtype must be f32 or f64, got \(request.dtype)")
        }
        return Communicator.world.threadsPerProcess == 1 ? try BLASThreads.singleThreaded(job) : try job()
    }

    /// The settings that make two analyses the same computation.
    static func sameSettings(_ a: Analysis, _ b: Analysis) -> Bool {
        a.step == b.step && a.operator == b.operator && a.probes == b.probes && a.lanczosSteps == b.lanczosSteps
            && a.seed == b.seed && a.grid.count == b.grid.count && a.dtype == b.dtype
            && a.reorthogonalization == b.reorthogonalization
            && a.topEigenvalues.count == b.topEigenvalues.count && a.bottomEigenvalues.count == b.bottomEigenvalues.count
            && (a.traceStandardError.isNaN == b.traceStandardError.isNaN)
            && (a.eigenTolerance == b.eigenTolerance || (a.eigenTolerance.isNaN && b.eigenTolerance.isNaN))
            && a.blockGrouping == b.blockGrouping
    }
}

private final class Job<T: TensorScalar & StoredFloat> {
    let path: String
    let request: DensityRequest
    let progressMode: ProgressReporter.Mode?
    let shouldStop: () -> Bool
    let ranks: Communicator

    init(path: String, request: DensityRequest, progressMode: ProgressReporter.Mode?, shouldStop: @escaping () -> Bool, ranks: Communicator) {
        self.path = path
        self.request = request
        self.progressMode = ranks.isRoot ? progressMode : .quiet
        self.shouldStop = shouldStop
        self.ranks = ranks
    }

    /// Whether to stop before the next step (Ctrl-C), agreed by every rank.
    private func stopRequested() -> Bool {
        var flag: [Int64] = [shouldStop() ? 1 : 0]
        ranks.maximum(&flag)
        return flag[0] != 0
    }

    /// Inputs of one step's computation, gathered (and checked) before any work starts.
    struct Plan {
        let step: Int
        let weights: Tensor<T>?
        /// The model's buffers at the step (running statistics; used for eval-mode Hessians).
        var buffers: [Tensor<T>] = []
        let preconditioner: Tensor<T>?
        let tridiagonals: [Tridiagonal]
        let recordedTop: [(Double, Double)]
        let seed: UInt64
        let existing: StoredAnalysis?
    }

    func run() throws -> [DensityAnalysis.Outcome] {
        // Results are appended to the run file: find out now, not after the Hessian products,
        // that it cannot be written (read-only file system, permissions).
        if ranks.isRoot { try RunReader.checkWritable(path) }
        if case let .steps(wanted) = request.steps {
            var seen = Set<Int>()
            for step in wanted where !seen.insert(step).inserted {
                throw AnalysisError("\(path): step \(step) is listed twice in --at; each step is analysed once per run")
            }
        }
        // The run's lock first: another writer (a recording, another analysis) stops us before any work.
        // (Rank 0 alone: the others compute the same results and drop them.) Every rank reads the
        // run after rank 0 holds its lock, so all see the same analyses.
        let writer = ranks.isRoot ? try AnalysisWriter.open(path, tool: "curv-density") : nil
        defer { try? writer?.close() }
        ranks.barrier()
        let (plans, model) = try prepare()
        try checkRanksAgree(plans)
        let progress = ProgressReporter(total: plans.count * max(request.probes, 1), label: "curv-density", mode: progressMode)
        var outcomes = [DensityAnalysis.Outcome]()
        for (index, plan) in plans.enumerated() {
            if stopRequested() { break }
            if let existing = plan.existing, !request.force {
                progress.update((index + 1) * request.probes, "step \(plan.step): kept analysis \(existing.id)", force: true)
                outcomes.append(.init(step: plan.step, id: nil, analysis: existing.analysis))
                continue
            }
            var stalled = false
            let analysis = try compute(plan, model: model, stalled: &stalled, probeDone: { probe in
                let what = probe <= self.request.probes ? "probe \(probe)/\(self.request.probes)" : "extreme eigenvalues"
                progress.update(index * self.request.probes + min(probe, self.request.probes), "step \(plan.step), \(what)", force: probe > self.request.probes)
            }, blockStarted: { block, count, name in
                progress.update((index + 1) * self.request.probes, "step \(plan.step), block \(block)/\(count) (\(name))", force: true)
            })
            let id = try writer?.append(analysis)
            outcomes.append(.init(step: plan.step, id: id, analysis: analysis, stalled: stalled))
        }
        progress.finish("curv-density: \(outcomes.count) of \(plans.count) steps analysed (\(request.operatorKind.rawValue))")
        return outcomes
    }

    /// Every rank of a job read the same run: the same steps, settings, earlier analyses and
    /// weights (a machine of a cluster may hold another copy of the file at the same path); else
    /// an error on every rank before any work. One rank: nothing to check.
    private func checkRanksAgree(_ plans: [Plan]) throws {
        guard ranks.size > 1 else { return }
        var text = ""
        for plan in plans {
            var digest: UInt64 = 0
            for x in plan.weights?.doubles ?? [] { digest = (digest &* 0x100_0000_01b3) ^ x.bitPattern }
            text += "\(plan.step) \(plan.seed) \(plan.existing?.id ?? "-") \(digest) \(plan.tridiagonals.count)\n"
        }
        guard ranks.allAgree(on: text) else {
            throw AnalysisError("\(path): the \(ranks.size) ranks of this job read different run files (other weights or analyses at the same path); give every rank the same file")
        }
    }

    /// Reads and checks everything the computation needs, so bad input fails before any work.
    private func prepare() throws -> ([Plan], RunModel<T>?) {
        let reader = try RunReader.open(path)
        defer { reader.close() }
        let parameters = try reader.parameterCount()
        if let excess = request.memoryEstimate(parameters: parameters).excess() {
            throw AnalysisError("\(path): an analysis of this model (\(parameters) parameters) with \(request.probes) probes x \(request.lanczos) Lanczos steps, a \(request.gridPoints)-point grid, --top \(request.top), --bottom \(request.bottom) \(excess)")
        }
        let model: RunModel<T>? = request.fromTridiagonals ? nil : try RunModel<T>(reader: reader, ranks: ranks)
        if let grouping = request.blocks {
            guard let model else {
                throw AnalysisError("\(path): --blocks needs Hessian-vector products; it cannot be combined with --from-tridiagonals")
            }
            do { _ = try model.network.layout.blocks(grouping) } catch let error as BlockGroupingError {
                throw AnalysisError("\(path): --blocks \(grouping): \(error)")
            }
        }
        let config = try model?.config ?? RunConfig.parse(reader.configTOML(), file: "\(path) /config/toml")
        let available = request.fromTridiagonals ? try tridiagonalSteps(reader) : try reader.checkpointSteps()
        guard !available.isEmpty else {
            throw AnalysisError(request.fromTridiagonals
                ? "\(path): no Lanczos tridiagonals for the \(request.operatorKind.rawValue) operator (no recorded spectra or earlier analyses); record some with record.spectrum_at, or run without --from-tridiagonals"
                : "\(path): the run has no checkpoints; record some with record.checkpoint_at or record.checkpoint_geometric in the config")
        }
        let steps: [Int]
        switch request.steps {
        case .all: steps = available
        case .latest: steps = [available.last!]
        case let .steps(wanted):
            for s in wanted where !available.contains(s) {
                throw AnalysisError("\(path): no \(request.fromTridiagonals ? "tridiagonals" : "checkpoint") at step \(s); available steps: \(available.map(String.init).joined(separator: ", "))")
            }
            steps = wanted
        }
        let previous = try reader.analyses()
        return (try steps.map { step in
            let seed = request.seed ?? spectrumSeed(configSeed: config.seed, step: step)
            var weights: Tensor<T>? = nil, preconditioner: Tensor<T>? = nil, buffers = [Tensor<T>]()
            var tridiagonals = [Tridiagonal](), recordedTop = [(Double, Double)]()
            if request.fromTridiagonals {
                (tridiagonals, recordedTop) = try storedTridiagonals(reader, step: step, previous: previous)
            } else {
                weights = try model!.weights(at: step, reader: reader)
                buffers = try model!.buffers(at: step, reader: reader)
                if request.operatorKind == .preconditioned { preconditioner = try model!.preconditioner(at: step, reader: reader) }
            }
            var probe = Analysis(step: step, operator: request.operatorKind, probes: request.fromTridiagonals ? tridiagonals.count : request.probes,
                                 lanczosSteps: request.fromTridiagonals ? (tridiagonals.first?.size ?? 0) : request.lanczos, seed: seed, sigma: 0,
                                 grid: Array(repeating: 0, count: request.gridPoints), density: [], densitySpread: [],
                                 topEigenvalues: Array(repeating: 0, count: request.top), topResiduals: [],
                                 bottomEigenvalues: Array(repeating: 0, count: request.bottom), bottomResiduals: [],
                                 trace: 0, traceStandardError: request.traceMatvecs > 0 ? 0 : .nan,
                                 dtype: request.fromTridiagonals ? "" : request.dtype,
                                 reorthogonalization: request.fromTridiagonals ? "" : request.reorthogonalization.rawValue,
                                 eigenTolerance: request.fromTridiagonals || request.top + request.bottom == 0 ? .nan : request.resolvedEigenTolerance)
            probe.blockGrouping = request.blocks?.description ?? ""
            let existing = request.fromTridiagonals ? nil : previous.last {
                DensityAnalysis.sameSettings($0.analysis, probe) && (request.sigma == nil || $0.analysis.sigma == request.sigma)
            }
            return Plan(step: step, weights: weights, buffers: buffers, preconditioner: preconditioner, tridiagonals: tridiagonals,
                        recordedTop: recordedTop, seed: seed, existing: existing)
        }, model)
    }

    private func tridiagonalSteps(_ reader: RunReader) throws -> [Int] {
        let recorded = try reader.spectrumKeys().filter { $0.operator == request.operatorKind }.map(\.step)
        let analysed = try reader.analyses().filter { $0.analysis.operator == request.operatorKind && !$0.analysis.alpha.isEmpty }.map(\.analysis.step)
        return Array(Set(recorded + analysed)).sorted()
    }

    /// The newest tridiagonals at `step`: an earlier analysis's if any, else the recorded spectrum's.
    private func storedTridiagonals(_ reader: RunReader, step: Int, previous: [StoredAnalysis]) throws -> ([Tridiagonal], [(Double, Double)]) {
        if let a = previous.last(where: { $0.analysis.step == step && $0.analysis.operator == request.operatorKind && !$0.analysis.alpha.isEmpty })?.analysis {
            return (zip(a.alpha, a.beta).map { Tridiagonal(alpha: $0, beta: $1) }, Array(zip(a.topEigenvalues, a.topResiduals)))
        }
        let s = try reader.spectrum(at: step, operator: request.operatorKind)
        return (zip(s.alpha, s.beta).map { Tridiagonal(alpha: $0, beta: $1) }, Array(zip(s.eigenvalues, s.residuals)))
    }

    private func compute(_ plan: Plan, model: RunModel<T>?, stalled: inout Bool, probeDone: @escaping (Int) -> Void,
                         blockStarted: (Int, Int, String) -> Void) throws -> Analysis {
        guard let model, let w = plan.weights else {
            // Rebuild from stored coefficients: no Hessian products.
            let density = try spectralDensity(from: plan.tridiagonals, sigma: request.sigma, gridPoints: request.gridPoints)
            let top = Array(plan.recordedTop.prefix(request.top))
            var bottom = [(Double, Double)]()
            if request.bottom > 0, let first = plan.tridiagonals.first {
                bottom = try first.eigenvalues().prefix(request.bottom).map { ($0, Double.nan) }
            }
            return Analysis(step: plan.step, operator: request.operatorKind, probes: plan.tridiagonals.count,
                            lanczosSteps: plan.tridiagonals.first?.size ?? 0, seed: plan.seed, sigma: density.sigma,
                            grid: density.grid, density: density.density, densitySpread: density.spread,
                            topEigenvalues: top.map(\.0), topResiduals: top.map(\.1),
                            bottomEigenvalues: bottom.map(\.0), bottomResiduals: bottom.map(\.1),
                            trace: .nan, traceStandardError: .nan,
                            alpha: plan.tridiagonals.map(\.alpha), beta: plan.tridiagonals.map(\.beta),
                            source: "tridiagonals stored at step \(plan.step)", dtype: "")
        }
        let surface = model.surface(buffers: plan.buffers)
        func hessian(_ surface: LossSurface<T>) -> SymmetricOperator {
            let op = surface.hessianOperator(at: w)
            return plan.preconditioner.map { op.diagonallyPreconditioned(by: $0.doubles) } ?? op
        }
        let op = hessian(surface)
        let settings = SLQSettings(probes: request.probes, steps: request.lanczos, seed: plan.seed,
                                   reorthogonalization: request.reorthogonalization)
        let tridiagonals = request.split == .probes && ranks.size > 1
            ? try spreadLanczosTridiagonals(of: hessian(surface.with(ranks: .single)), settings: settings, ranks: ranks, progress: probeDone)
            : try lanczosRuns(of: op, settings: settings, progress: probeDone).map(\.tridiagonal)
        let density = try spectralDensity(from: tridiagonals, sigma: request.sigma, gridPoints: request.gridPoints)
        // After the last probe: the extreme eigenvalues (reported as "probe" probes + 1).
        if request.top + request.bottom > 0 { probeDone(request.probes + 1) }
        let extremes = try extremeEigenvalues(of: op, seed: plan.seed)
        let (top, bottom) = (extremes?.top ?? [], extremes?.bottom ?? [])
        stalled = extremes?.stalled ?? false
        let trace = request.traceMatvecs > 0 ? try hutchPlusPlusTrace(of: op, matvecs: request.traceMatvecs, seed: plan.seed &+ 0x7ACE) : nil
        var analysis = Analysis(step: plan.step, operator: request.operatorKind, probes: request.probes, lanczosSteps: request.lanczos,
                        seed: plan.seed, sigma: density.sigma, grid: density.grid, density: density.density, densitySpread: density.spread,
                        topEigenvalues: top.map(\.value), topResiduals: top.map(\.residual),
                        bottomEigenvalues: bottom.map(\.value), bottomResiduals: bottom.map(\.residual),
                        trace: trace?.value ?? .nan, traceStandardError: trace?.standardError ?? .nan,
                        alpha: tridiagonals.map(\.alpha), beta: tridiagonals.map(\.beta),
                        source: "/checkpoints/\(plan.step)/weights + \(model.batchSource)", dtype: request.dtype,
                        reorthogonalization: request.reorthogonalization.rawValue,
                        topConverged: top.map(\.converged), bottomConverged: bottom.map(\.converged),
                        eigenTolerance: extremes == nil ? .nan : request.resolvedEigenTolerance)
        if let grouping = request.blocks {
            analysis.blocks = try blockEigenvalues(of: op, blocks: model.network.layout.blocks(grouping), seed: plan.seed, started: blockStarted)
            analysis.blockGrouping = grouping.description
        }
        return analysis
    }

    /// λ_max of each block's principal submatrix of `op`, to the extreme eigenvalues' tolerance.
    private func blockEigenvalues(of op: SymmetricOperator, blocks: [ParameterBlock], seed: UInt64,
                                  started: (Int, Int, String) -> Void) throws -> [BlockEigenvalue] {
        try blocks.enumerated().map { index, block in
            started(index + 1, blocks.count, block.name)
            var settings = EigenSettings(top: 1, bottom: 0, tolerance: request.resolvedEigenTolerance)
            settings.maxProducts = request.eigenProducts
            settings.seed = seed &+ 0xB10C &+ UInt64(index)
            let top = try extremeEigenpairs(of: op.principalSubmatrix(block.ranges), settings: settings).top[0]
            return BlockEigenvalue(name: block.name, size: block.count, value: top.value, residual: top.residual, converged: top.converged)
        }
    }

    /// The requested extreme eigenvalues, iterated (with restarts) to the requested tolerance
    /// within the product budget; nil when none are asked for.
    private func extremeEigenvalues(of op: SymmetricOperator, seed: UInt64) throws -> ExtremeEigenpairs? {
        guard request.top + request.bottom > 0 else { return nil }
        var settings = EigenSettings(top: request.top, bottom: request.bottom, tolerance: request.resolvedEigenTolerance)
        settings.maxProducts = request.eigenProducts
        settings.seed = seed &+ 0xE16E
        return try extremeEigenpairs(of: op, settings: settings)
    }
}
