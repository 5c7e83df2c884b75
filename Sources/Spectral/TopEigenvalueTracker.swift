/// Follows λ_max of a slowly changing symmetric operator (a Hessian along a training trajectory)
/// at a few products per measurement.
///
/// Each measurement is a thick-restart Lanczos solve (`extremeEigenpairs`) warm-started from the
/// previous measurement's top `carried` Ritz vectors plus one random vector. Carrying several
/// vectors is what follows a swap of the top two eigenvalues: started from the old top vector
/// alone, Lanczos converges to what is now λ₂, with a small residual, so no stopping rule notices.
/// The solve stops when the Kato-Temple estimate of λ₁ − θ₁, `r₁² / (θ₁ − θ₂ − r₂)`, is at most
/// `tolerance × θ₁` (θ₂ resolved by the carried vectors) and the other carried pairs' residuals are
/// at most `√tolerance × θ₁` (so the vectors carried on stay near the top eigenvectors, and each
/// measurement's expansions keep searching the rest of the space), or after `maxProducts` products.
///
/// What a measurement guarantees: the returned residual r (from the operator's own products)
/// bounds the distance from θ to *an* eigenvalue. That it is λ₁ rests on the start block having
/// a component along λ₁'s eigenvector that a few products amplify, which the carried vectors
/// (through swaps) and the random vector (a direction rising from the bulk) provide; it is
/// checked against dense eigensolvers in the tests, not provable from a few products.
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

    public init(maxProducts: Int, tolerance: Double?, carried: Int = 4, companionSteps: Int = 1) {
        precondition(maxProducts >= 1 && carried >= 1)
        self.maxProducts = maxProducts
        self.tolerance = tolerance
        self.carried = carried
        self.companionSteps = companionSteps
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
        let result = try extremeEigenpairs(of: op, settings: settings, warmStart: vectors)
        vectors = result.top.compactMap(\.vector)
        return (result.top[0], result.products)
    }
}
