/// How overlapping subpaths decide what is inside.
public enum FillRule: Sendable, Hashable {
    /// Inside where the winding number is not zero (overlaps stay filled).
    case nonZero
    /// Inside where the winding number is odd (overlaps cut holes).
    case evenOdd

    /// Pixel coverage in 0...1 from the accumulated mean winding number over the pixel.
    /// Exact wherever the winding number takes only the values 0 and one other value within the pixel.
    @inline(__always) func coverage(_ winding: Float) -> Float {
        let w = abs(winding)
        switch self {
        case .nonZero:
            return min(w, 1)
        case .evenOdd:
            let t = w - 2 * (w * 0.5).rounded(.down)
            return t > 1 ? 2 - t : t
        }
    }
}
