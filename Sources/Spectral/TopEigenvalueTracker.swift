import Tensor

/// Follows λ_max of a slowly changing symmetric operator (a Hessian along a training trajectory)
/// at a few products per measurement.
///
/// Each measurement is a thick-restart Lanczos solve (`extremeEigenpairs`) warm-started from the
/// previous measurement's top `carried` Ritz vectors (default 2), the last with a random vector
/// added. Carrying more than the top vector is what follows a swap of the top two eigenvalues:
/// started from the old top vector alone, Lanczos converges to what is now λ₂, with a small
/// residual, so no stopping rule notices. `companionSteps` Krylov steps are spent on the carried
/// vectors below the top whatever their residuals: they amplify the random component and the
/// directions just below the top, so a direction rising from the bulk is in the carried pair
/// before it becomes the top. The solve then stops when the Kato-Temple estimate of λ₁ − θ₁,
/// `r₁² / (θ₁ − θ₂ − r₂)` (θ₂ + r₂ standing in for an upper bound on λ₂), is at most `tolerance × θ₁`, or after
/// `maxProducts` products.
///
/// What a measurement guarantees: the returned residual r (from the operator's own products)
/// bounds the distance from θ to *an* eigenvalue, and θ ≤ λ₁ (a Rayleigh quotient). That θ is
/// within the tolerance of λ₁ is not provable from a few products; it is checked against dense
/// eigensolvers at every measurement in the tests (synthetic swaps and risers, a network at the
/// edge of stability) and against converged cold solves by `scripts/check-tracking`. Settings
/// chosen by those measurements: 2 carried + 2 steps spends 4.6 products a measurement on the
/// synthetic trajectories with no miss; 4 carried + 1 step spent 6.3.
public struct TopEigenvalueTracker: Sendable {
    /// Products allowed per measurement.
    public let maxProducts: Int
    /// Relative accuracy asked of λ_max (nil: spend `maxProducts` on every measurement).
    public let tolerance: Double?
    /// Top Ritz vectors carried from one measurement to the next.
    public let carried: Int
    private var vectors: [[Double]] = []

    /// Krylov steps per measurement on the carried vectors below the top (see `EigenSettings.companionSteps`).
    public let companionSteps: Int

    /// The random vector rides on the last carried vector (their sum) instead of costing a
    /// product of its own.
    public let mixRandom: Bool

    public init(maxProducts: Int, tolerance: Double?, carried: Int = 2, companionSteps: Int = 2, mixRandom: Bool = true) {
        precondition(maxProducts >= 1 && carried >= 1)
        self.maxProducts = maxProducts
        self.tolerance = tolerance
        self.carried = carried
        self.companionSteps = companionSteps
        self.mixRandom = mixRandom
    }

    /// λ_max of `op` (same dimension at every call), with its residual and the products spent.
    public mutating func measure(_ op: SymmetricOperator, seed: UInt64) throws -> (pair: RitzPair, products: Int) {
        var settings = EigenSettings(top: carried, tolerance: tolerance ?? 1e-14)
        settings.convergeTop = 1
        settings.companionSteps = companionSteps
        settings.topRule = .gap
        settings.maxProducts = maxProducts
        settings.randomVectors = 1
        settings.seed = seed
        settings.keepVectors = true
        // The residual from the basis's own products, Σ s_i (H v_i): the same ‖Hy − θy‖ up to
        // the operator's rounding, without an extra product.
        settings.freshResiduals = false
        var start = vectors
        if mixRandom, start.count == carried, carried >= 2 {
            var rng = SeededGenerator(seed: seed ^ 0x5EED)
            start[carried - 1] = start[carried - 1].map { $0 + rng.normal() / Double(op.dimension).squareRoot() }
            settings.randomVectors = 0
        }
        let result = try extremeEigenpairs(of: op, settings: settings, warmStart: start)
        vectors = result.top.compactMap(\.vector)
        return (result.top[0], result.products)
    }
}
