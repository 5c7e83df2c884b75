import Foundation
import Tensor

/// Synthetic next-token prediction tasks. Each example is one sequence of `context + 1` tokens drawn
/// from the task, reproducible from `seed`; its input is the first `context` tokens and its labels
/// the next token at every position, so the loss is next-token prediction over the whole sequence
/// (positions whose next token is random are part of it: their best loss is log of the choices).
extension Dataset {
    /// The copy task: k = context / 2 symbols drawn uniformly from `0 ..< symbols`, the separator
    /// token `symbols`, then the same k symbols again (`context + 1` = 2k + 1 tokens, V =
    /// `symbols + 1`). `context` must be even.
    public static func copyTask(count: Int, context: Int, symbols: Int, seed: UInt64) -> Dataset {
        halves(source: "copy", count: count, context: context, symbols: symbols, seed: seed) { $0 }
    }

    /// The sort task: k = context / 2 symbols drawn uniformly from `0 ..< symbols`, the separator
    /// token `symbols`, then those k symbols in ascending order (`context + 1` = 2k + 1 tokens, V =
    /// `symbols + 1`). `context` must be even.
    public static func sortTask(count: Int, context: Int, symbols: Int, seed: UInt64) -> Dataset {
        halves(source: "sort", count: count, context: context, symbols: symbols, seed: seed) { $0.sorted() }
    }

    /// Modular addition: equations of four tokens `a b = c` one after another, a and b drawn
    /// uniformly from `0 ..< modulus` for each equation, c = (a + b) mod modulus and `=` the token
    /// `modulus` (V = `modulus + 1`); the sequence is cut after `context + 1` tokens, so it starts
    /// with an `a` and its last equation may be incomplete.
    public static func modularAddition(count: Int, context: Int, modulus: Int, seed: UInt64) -> Dataset {
        precondition(count >= 1 && context >= 1 && modulus >= 2, "Dataset.modularAddition: count \(count), context \(context), modulus \(modulus)")
        var rng = SeededGenerator(seed: seed)
        let length = context + 1
        var windows = [Int]()
        windows.reserveCapacity(count * length)
        for _ in 0..<count {
            var sequence = [Int]()
            sequence.reserveCapacity(length + 3)
            while sequence.count < length {
                let a = draw(modulus, &rng), b = draw(modulus, &rng)
                sequence += [a, b, modulus, (a + b) % modulus]
            }
            windows += sequence.prefix(length)
        }
        return sequences("modular_addition", windows, context: context, vocabularySize: modulus + 1)
    }

    /// Sequences `x SEP f(x)` of k = context / 2 random symbols x and the separator `symbols`.
    private static func halves(source: String, count: Int, context: Int, symbols: Int, seed: UInt64,
                               _ second: ([Int]) -> [Int]) -> Dataset {
        precondition(count >= 1 && symbols >= 2, "Dataset.\(source)Task: count \(count), symbols \(symbols)")
        precondition(context >= 2 && context % 2 == 0, "Dataset.\(source)Task: context \(context) must be even (k symbols, a separator, k symbols)")
        var rng = SeededGenerator(seed: seed)
        let k = context / 2
        var windows = [Int]()
        windows.reserveCapacity(count * (context + 1))
        for _ in 0..<count {
            let first = (0..<k).map { _ in draw(symbols, &rng) }
            windows += first + [symbols] + second(first)
        }
        return sequences(source, windows, context: context, vocabularySize: symbols + 1)
    }

    /// A uniform draw from `0 ..< n` (the remainder of a 64-bit draw: its bias, below n / 2^64, is negligible).
    private static func draw(_ n: Int, _ rng: inout SeededGenerator) -> Int { Int(rng.next() % UInt64(n)) }

    /// The windows as a sequence set; the content hash is of the tokens (as Float64, like the
    /// other synthetic sets' values).
    private static func sequences(_ source: String, _ windows: [Int], context: Int, vocabularySize: Int) -> Dataset {
        Dataset(windows: windows, context: context, vocabularySize: vocabularySize,
                provenance: DataOrigin(source: source, paths: [], content: bytes(windows.map(Double.init))))
    }
}
