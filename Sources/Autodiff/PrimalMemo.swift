import Tensor

/// The primal half of a computation over duals, remembered so that the same computation at the
/// same point with another tangent does not redo it.
///
/// In a forward-over-reverse pass the primal values (activations, the backward pass's adjoints,
/// softmax probabilities) depend on the point w only; only the tangents depend on v. Lanczos
/// applies the Hessian at one w dozens of times, so the first product records the primal work
/// here and later products reuse it, paying for tangents alone. For an MLP layer that is 6 matrix
/// products instead of 8, and no primal elementwise work.
///
/// Each dual operation claims one slot, in program order, at every pass; a pass that runs the same
/// code claims the same slots in the same order, so a slot always holds the same quantity. A slot
/// is filled when its value is first computed (an operation's own primal, or a deferred primal
/// when it is first read), and later passes read it. Slots carry the operation's name, checked on
/// reuse: running another computation through the memo stops with a message, never mixes values.
/// Not thread-safe: one pass at a time.
public final class PrimalMemo<T: TensorScalar> {
    private struct Slot {
        let operation: StaticString
        var values: [Tensor<T>]?
    }
    private var slots: [Slot] = []
    private var cursor = 0
    private var storedBytes = 0
    /// Remembered values stop being added beyond this many bytes (later ones are recomputed).
    public let byteLimit: Int

    public init(byteLimit: Int = 1 << 30) {
        self.byteLimit = byteLimit
    }

    /// Starts a pass: slots are claimed from the first again.
    public func rewind() { cursor = 0 }

    /// Bytes held.
    public var bytes: Int { storedBytes }

    /// Claims the next slot for `operation`; returns its index and its values if already known.
    func claim(_ operation: StaticString) -> (slot: Int, values: [Tensor<T>]?) {
        defer { cursor += 1 }
        if cursor == slots.count {
            slots.append(Slot(operation: operation, values: nil))
            return (cursor, nil)
        }
        precondition(slots[cursor].operation.utf8Start == operation.utf8Start,
                     "PrimalMemo: pass diverged at step \(cursor) (\(operation) where \(slots[cursor].operation) was recorded); a memo serves one computation at one point")
        return (cursor, slots[cursor].values)
    }

    /// Fills `slot` (if it is empty and the byte budget allows).
    func store(_ values: [Tensor<T>], in slot: Int) {
        guard slots[slot].values == nil else { return }
        let size = values.reduce(0) { $0 + $1.count * MemoryLayout<T>.stride }
        guard storedBytes + size <= byteLimit else { return }
        slots[slot].values = values
        storedBytes += size
    }

    /// `compute()` the first time this slot is reached, its remembered result afterwards.
    func remember(_ operation: StaticString, _ compute: () -> [Tensor<T>]) -> [Tensor<T>] {
        let (slot, known) = claim(operation)
        if let known { return known }
        let values = compute()
        store(values, in: slot)
        return values
    }
}
