/// Failures of the spectral algorithms; the text says what happened and where.
public enum SpectralError: Error, CustomStringConvertible, Equatable {
    /// The operator returned NaN or infinity at a Lanczos/power step (1-based) of a probe.
    case nonFiniteProduct(step: Int, probe: Int)
    /// A start vector of zero norm, or of the wrong length.
    case badStartVector(String)
    /// LAPACK reported failure (`info` as returned).
    case lapack(routine: String, info: Int)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .nonFiniteProduct(step, probe):
            return "the operator returned NaN or Inf at Lanczos step \(step) of probe \(probe): the weights or data hold non-finite values, or the loss diverged at this checkpoint"
        case let .badStartVector(why): return "bad start vector: \(why)"
        case let .lapack(routine, info): return "LAPACK \(routine) failed with info = \(info)"
        case let .invalidArgument(why): return why
        }
    }
}
