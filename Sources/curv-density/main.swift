// curv-density RUN.h5 [--at all|S1,S2,...] [--operator hessian|preconditioned] [--probes N] [--lanczos N]
//                     [--sigma X] [--grid N] [--top K] [--bottom K] [--eig-tolerance X] [--eig-products N]
//                     [--trace] [--dtype f64|f32] [--seed N]
//                     [--reorthogonalization partial|full]
//                     [--from-tridiagonals] [--force] [--quiet] [--split batch|probes]
// Re-analyses recorded checkpoints from the run file alone and appends the results under /analyses.
// Under `mpirun -np N` the ranks share the work (--split); rank 0 writes and prints.
import Analysis
import ArgumentParser
import CAllocator
import Foundation
import MessagePassing
import Models
import RunStore
import Spectral
import ToolSupport
import Training

struct DensityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curv-density",
        abstract: "Hessian spectral densities (SLQ), extreme eigenvalues and traces of recorded checkpoints.",
        discussion: """
        Rebuilds the model from RUN.h5 (spec, checkpoint weights, stored Hessian batch) and appends one analysis per \
        checkpoint under /analyses; recorded data is never modified. A rerun with the same settings skips finished steps. \
        Settings, the run file and the memory the analysis needs are checked before any Hessian product.

        Under mpirun -np N the N processes share each analysis (--split); rank 0 writes and prints. See docs/scaling.md.

        \(ExitStatus.help)
        """,
        version: RunFormat.software)

    @Argument(help: "The run file.")
    var path: String

    @Option(name: .long, help: "Checkpoint steps: all, latest, or a comma-separated list.")
    var at = "all"

    @Option(name: .customLong("operator"), help: "hessian, or preconditioned (Adam's P^-1/2 H P^-1/2).")
    var operatorName = "hessian"

    @Option(name: .long, parsing: .unconditional, help: "Random probe vectors (the density is their average).")
    var probes = 10

    @Option(name: .long, parsing: .unconditional, help: "Lanczos steps per probe.")
    var lanczos = 80

    @Option(name: .long, parsing: .unconditional, help: "Gaussian kernel width (default: sqrt(1e-5) x spectral width).")
    var sigma: Double?

    @Option(name: .long, parsing: .unconditional, help: "Density grid points.")
    var grid = 10_000

    @Option(name: .long, parsing: .unconditional, help: "Largest eigenvalues to report.")
    var top = 5

    @Option(name: .long, parsing: .unconditional, help: "Smallest eigenvalues to report.")
    var bottom = 5

    @Option(name: .customLong("eig-tolerance"), parsing: .unconditional, help: ArgumentHelp(
        "Iterate the --top/--bottom eigenvalues until each residual |Hy - θy| is at most this fraction of |H| (default: 1e-6 with --dtype f64, 1e-4 with f32).",
        discussion: "Each residual bounds the distance from its value to an eigenvalue. Values still above it when --eig-products runs out are reported as not converged."))
    var eigTolerance: Double?

    @Option(name: .customLong("eig-products"), parsing: .unconditional, help: "Hessian-vector products allowed for the --top/--bottom eigenvalues of one step.")
    var eigProducts = 3000

    @Flag(name: .long, help: "Also estimate the trace (Hutch++).")
    var trace = false

    @Option(name: .long, parsing: .unconditional, help: "Matrix-vector products for the trace estimate.")
    var traceMatvecs = 90

    @Option(name: .long, help: "Precision of the Hessian-vector products: f64 or f32.")
    var dtype = "f64"

    @Option(name: .long, help: "Lanczos reorthogonalization: partial (semi-orthogonal, as accurate, cheaper) or full.")
    var reorthogonalization = "partial"

    @Option(name: .long, parsing: .unconditional, help: "Probe seed (default: the recorder's seed for that step, so equal settings reproduce a recorded spectrum).")
    var seed: Int?

    @Option(name: .long, help: ArgumentHelp(
        "Also λ_max of each parameter block's own Hessian H_bb: layers, tensors, or comma-separated name prefixes (e.g. block0,block1,head).",
        discussion: "layers groups the tensors whose names agree up to the last '.' (fc1.weight and fc1.bias form fc1). Each block's value is iterated to --eig-tolerance; one block costs about as many Hessian-vector products as one top eigenvalue."))
    var blocks: String?

    @Flag(name: .long, help: "Rebuild densities from Lanczos coefficients already in the file (no Hessian products).")
    var fromTridiagonals = false

    @Flag(name: .long, help: "Recompute steps that already have an analysis with these settings.")
    var force = false

    @Flag(name: .long, help: "No progress output (each step's result line is still printed).")
    var quiet = false

    @Option(name: .long, help: ArgumentHelp(
        "Under mpirun: batch (each rank takes a share of the Hessian batch; every product is summed over the ranks) or probes (SLQ's probes dealt out to the ranks, each on the whole batch).",
        discussion: "batch helps every part of the analysis and equals one process within rounding; probes needs no communication during Lanczos and gives one process's density bit for bit (the extreme eigenvalues, trace and blocks then share the batch). One process ignores it."))
    var split = "batch"

    // Numbers are parsed unconditionally, so "--probes -5" is a negative value refused with a
    // reason, not a missing one.
    func validate() throws {
        guard StepSelection(at) != nil else { throw ValidationError("--at must be all, latest or a list like 0,100,200; got '\(at)'") }
        guard SpectralOperator(rawValue: operatorName) != nil else { throw ValidationError("--operator must be hessian or preconditioned; got '\(operatorName)'") }
        for (name, value, least) in [("--probes", probes, 1), ("--lanczos", lanczos, 2), ("--grid", grid, 2), ("--top", top, 0),
                                     ("--bottom", bottom, 0), ("--eig-products", eigProducts, 1)] where value < least {
            throw ValidationError(least == 0 ? "\(name) must be 0 or more; got \(value)"
                                  : value <= 0 ? "\(name) must be positive (at least \(least)); got \(value)" : "\(name) must be at least \(least); got \(value)")
        }
        if let eigTolerance, !(eigTolerance > 0 && eigTolerance < 1) { throw ValidationError("--eig-tolerance must be in (0, 1); got \(eigTolerance)") }
        if let sigma, !(sigma > 0 && sigma.isFinite) { throw ValidationError("--sigma must be a positive finite number; got \(sigma)") }
        if let seed, seed < 0 { throw ValidationError("--seed must be 0 or more; got \(seed)") }
        guard ["partial", "full"].contains(reorthogonalization) else {
            throw ValidationError("--reorthogonalization must be partial or full; got '\(reorthogonalization)'")
        }
        guard DensitySplit(rawValue: split) != nil else { throw ValidationError("--split must be batch or probes; got '\(split)'") }
        guard ["f32", "f64"].contains(dtype) else { throw ValidationError("--dtype must be f32 or f64; got '\(dtype)'") }
        if let blocks, BlockGrouping(blocks) == nil {
            throw ValidationError("--blocks must be layers, tensors or comma-separated name prefixes (no empty or repeated ones); got '\(blocks)'")
        }
        if blocks != nil && fromTridiagonals { throw ValidationError("--blocks needs Hessian-vector products; it cannot be combined with --from-tridiagonals") }
        if trace && traceMatvecs < 6 { throw ValidationError("--trace-matvecs must be at least 6; got \(traceMatvecs)") }
        if let excess = request.memoryEstimate(parameters: 0).excess() {
            throw ValidationError("--probes \(probes) x --lanczos \(lanczos) on a \(grid)-point --grid \(excess)")
        }
    }

    /// The analysis the options ask for (valid once `validate` has passed).
    var request: DensityRequest {
        var request = DensityRequest()
        request.steps = StepSelection(at) ?? .all
        request.operatorKind = SpectralOperator(rawValue: operatorName) ?? .hessian
        request.probes = probes
        request.lanczos = lanczos
        request.sigma = sigma
        request.gridPoints = grid
        request.top = top
        request.bottom = bottom
        request.eigenTolerance = eigTolerance
        request.eigenProducts = eigProducts
        request.traceMatvecs = trace ? traceMatvecs : 0
        request.dtype = dtype
        request.seed = seed.map { UInt64($0) }
        request.fromTridiagonals = fromTridiagonals
        request.blocks = blocks.flatMap(BlockGrouping.init)
        request.force = force
        request.reorthogonalization = Reorthogonalization(rawValue: reorthogonalization) ?? .partial
        request.split = DensitySplit(rawValue: split) ?? .batch
        return request
    }

    func run() throws {
        let request = self.request
        let ranks = Communicator.world
        catchInterrupts(Communicator.launchedByMPI ? [SIGINT, SIGTERM] : [SIGINT])
        let outcomes: [DensityAnalysis.Outcome]
        do {
            outcomes = try DensityAnalysis.run(path: path, request: request, progress: quiet ? .quiet : nil,
                                               shouldStop: { interruptRequested }, ranks: ranks)
        } catch {
            failAndExit("curv-density", error)
        }
        for o in outcomes where ranks.isRoot {
            let a = o.analysis
            // A value that did not meet the tolerance is marked with '?'.
            func values(_ v: [Double], _ converged: [Bool], _ k: Int) -> String {
                v.prefix(k).enumerated().map { i, x in String(format: "%.6g", x) + (i < converged.count && !converged[i] ? "?" : "") }
                    .joined(separator: ", ")
            }
            let tops = values(a.topEigenvalues, a.topConverged, 3)
            let bottoms = values(a.bottomEigenvalues, a.bottomConverged, 2)
            var line = "step \(a.step) [\(a.operator.rawValue)] \(o.id.map { "analysis \($0)" } ?? "kept existing analysis"):"
            line += [tops.isEmpty ? nil : " top \(tops)", bottoms.isEmpty ? nil : " bottom \(bottoms)"].compactMap { $0 }.joined(separator: ";")
            if !a.trace.isNaN { line += String(format: "; trace %.6g ± %.2g", a.trace, a.traceStandardError) }
            if o.stalled {
                line += String(format: " ('?': residual above %.2g of |H|: the residuals stopped falling, ", a.eigenTolerance)
                    + "at the rounding of \(a.dtype) products; use --dtype f64 or a larger --eig-tolerance)"
            } else if a.topConverged.contains(false) || a.bottomConverged.contains(false) {
                line += String(format: " ('?': residual above %.2g of |H| after %d products; raise --eig-products)", a.eigenTolerance, request.eigenProducts)
            }
            print(line)
            for b in a.blocks {
                print("  block \(b.name) (\(b.size) parameters): λ_max \(String(format: "%.6g", b.value))\(b.converged ? "" : "?")")
            }
        }
        if interruptRequested { throw ExitCode(ExitStatus.interrupted) }
    }
}

curv_keep_freed_memory()
DensityCommand.mainWithToolErrors()
