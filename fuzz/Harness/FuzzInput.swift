// Structured decoding of a fuzz input: the bytes are read front to back as choices, counts, numbers
// and names. A byte of 0 always picks the first (ordinary) option, and an exhausted input reads as
// zeros, so the empty input decodes to the ordinary case and each mutated byte moves one decision
// away from it.

/// A cursor over the fuzzer's bytes.
struct FuzzInput {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The next byte (0 once the input is used up).
    mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    /// The next two bytes, little-endian.
    mutating func uint16() -> Int { Int(byte()) | Int(byte()) << 8 }

    /// True for an odd byte (so false by default).
    mutating func flag() -> Bool { byte() & 1 == 1 }

    /// True unless the byte is odd.
    mutating func usually() -> Bool { !flag() }

    /// A number in 0...max (0 by default).
    mutating func count(_ max: Int) -> Int { Int(byte()) % (max + 1) }

    /// `start` by default, else another number in `range` (wrapping).
    mutating func count(in range: ClosedRange<Int>, default start: Int) -> Int {
        let span = range.count
        return range.lowerBound + (start - range.lowerBound + Int(byte())) % span
    }

    /// One of `options`, the first by default.
    mutating func pick<T>(_ options: [T]) -> T { options[Int(byte()) % options.count] }

    /// An integer: small ones mostly, and the edges of Int64 and of the types readers convert to.
    mutating func integer(_ usual: Int) -> Int {
        let b = byte()
        switch b {
        case 0: return usual
        case 1...127: return Int(b) - 1
        case 128...135: return -Int(b - 127)
        default:
            return FuzzInput.edgeIntegers[Int(b - 136) % FuzzInput.edgeIntegers.count]
        }
    }

    static let edgeIntegers: [Int] = [
        Int.max, Int.min, Int(Int32.max), Int(Int32.max) + 1, Int(Int32.min), Int(UInt32.max), 1 << 53, (1 << 53) + 1,
        65535, 65536, 1 << 31, 1 << 62, -(1 << 62), 1_000_000_007, 4096, 1024, 1023, 1025, 10_000, 100_000, -1_000_000,
    ]

    /// A Double: `usual` by default, else a small value or one of the troublesome ones (NaN,
    /// infinities, signed zero, subnormals, the edges of Float and Double, huge integers).
    mutating func number(_ usual: Double) -> Double {
        let b = byte()
        switch b {
        case 0: return usual
        case 1...127: return (Double(b) - 64) / 16
        case 128...159:
            return FuzzInput.edgeNumbers[Int(b - 128) % FuzzInput.edgeNumbers.count]
        default:
            // Any bit pattern at all (NaN payloads included).
            var bits: UInt64 = 0
            for _ in 0..<8 { bits = bits << 8 | UInt64(byte()) }
            return Double(bitPattern: bits)
        }
    }

    static let edgeNumbers: [Double] = [
        .nan, .infinity, -.infinity, -0.0, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
        .leastNonzeroMagnitude, .leastNormalMagnitude, Double(Float.greatestFiniteMagnitude) * 2,
        Double(Float.leastNonzeroMagnitude) / 2, 1e300, -1e300, 1e-300, 9.2233720368547758e18, -9.2233720368547758e18,
        1.8446744073709552e19, 2147483648, 65536, 0.5, 1e-8, 2, 40, -1, 1, 0, 3.4e38, -3.4e38, 1e19, 4.5e15, 1e6, 1e-4, 0.1,
    ]

    /// `count` numbers, each `usual(i)` by default.
    mutating func numbers(_ count: Int, usual: (Int) -> Double) -> [Double] {
        (0..<count).map { number(usual($0)) }
    }

    /// A name: `usual` by default, else one of `FuzzInput.names` (names the readers look for,
    /// names the writers refuse, numbers that are not steps) or up to 63 bytes of the input as UTF-8
    /// (invalid sequences repaired, NUL and control characters kept).
    mutating func name(_ usual: String) -> String {
        let b = byte()
        switch b {
        case 0: return usual
        case 1...191: return FuzzInput.names[Int(b - 1) % FuzzInput.names.count]
        default:
            let length = Int(b - 192)
            return String(decoding: (0..<length).map { _ in byte() }, as: UTF8.self)
        }
    }

    /// Text: `usual` by default, else a name or a long repetition of one.
    mutating func text(_ usual: String) -> String {
        let b = byte()
        switch b {
        case 0: return usual
        case 1...223: return name(usual)
        default: return String(repeating: name("x"), count: 1 + Int(b - 224) * 97)
        }
    }

    static let names: [String] = [
        "", "/", ".", "..", "a/b", "step", "loss", "lr", "sharpness", "test_loss", "accuracy", "grad_norm",
        "weights", "gradients", "optimizer", "hessian", "preconditioned", "m", "v", "momentum", "beta1", "beta2", "eps",
        "kind", "step_count", "dtype", "count", "indices", "inputs", "labels", "targets", "alpha", "beta",
        "eigenvalues", "residuals", "0", "1", "10", "-5", "+3", "007", "1e3", " 1", "99999999999999999999", "18446744073709551615",
        "9223372036854775807", "-9223372036854775808", "0000", "0001", "9999", "dense0.weight", "dense0.bias", "dense1.weight",
        "dense1.bias", "f32", "f64", "f16", "sgd", "adam", "adamw", "nesterov", "lbfgs", "rademacher", "gaussian", "full",
        "partial", "\u{0}", "a\u{0}b", "\n", "tab\tname", "é", "Σλ∞", "\u{FEFF}", "\u{202E}rtl", "🙂", "format_version",
        "1.1", "2.0", "0.9", "1", "x.y", "analyses", "checkpoints", "spectra", "metrics", "events", "config", "model",
        "data", "toml", "json", "spec", "{}", "[]", "{\"kind\":\"mlp\"}", "null", "NaN", "inf",
        "sharpness_threshold", "preconditioned_sharpness", "preconditioned_threshold", "test_accuracy", "update_norm",
        "param_norm", "divergence", "loss_spike", "threshold_crossing",
    ]
}
