import Tensor

/// The distribution of random probe vectors for stochastic estimators.
public enum ProbeKind: String, Sendable, CaseIterable {
    /// Entries ±1: the minimum-variance choice for Hutchinson's trace estimator.
    case rademacher
    /// Entries N(0, 1).
    case gaussian

    /// A probe of length n.
    public func draw(_ n: Int, using rng: inout SeededGenerator) -> [Double] {
        switch self {
        case .rademacher: return (0..<n).map { _ in rng.next() & 1 == 0 ? 1 : -1 }
        case .gaussian: return (0..<n).map { _ in rng.normal() }
        }
    }
}

/// Independent reproducible streams: probe `i` (0-based) of seed `s` is the same whatever else is
/// drawn; SLQ and the trace estimators draw probe `i` from this stream.
public func probeGenerator(seed: UInt64, probe: Int) -> SeededGenerator {
    SeededGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(probe) &+ 1)
}
