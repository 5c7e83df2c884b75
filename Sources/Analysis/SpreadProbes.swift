import MessagePassing
import Spectral

/// SLQ's Lanczos tridiagonals with the probes dealt out over `ranks`: probe l (0-based) runs on
/// rank l mod N, on that rank's whole operator, and every rank receives all the tridiagonals in
/// probe order (one all-gather). Each equals the one-process run to the bit (probe l's start
/// vector depends on the seed and l only); `progress(l + 1)` follows this rank's own probes.
func spreadLanczosTridiagonals(of op: SymmetricOperator, settings: SLQSettings, ranks: Communicator,
                               progress: (Int) -> Void) throws -> [Tridiagonal] {
    let mine = Array(stride(from: ranks.rank, to: settings.probes, by: ranks.size))
    let runs = try lanczosRuns(of: op, settings: settings, only: mine, progress: progress)
    // Each run as [m, alpha_1..m, beta_1..m-1] (runs stop early at a breakdown, so m varies).
    var packed = [Double]()
    for run in runs { packed += [Double(run.alpha.count)] + run.alpha + run.beta }
    var tridiagonals = [Tridiagonal?](repeating: nil, count: settings.probes)
    for (rank, values) in ranks.allGather(packed).enumerated() {
        var offset = 0
        for l in stride(from: rank, to: settings.probes, by: ranks.size) {
            let m = Int(values[offset])
            tridiagonals[l] = Tridiagonal(alpha: Array(values[offset + 1...offset + m]),
                                          beta: Array(values[offset + 1 + m..<offset + 2 * m]))
            offset += 2 * m
        }
    }
    return tridiagonals.map { $0! }
}
