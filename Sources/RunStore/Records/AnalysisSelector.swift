/// Names an analysis by what it is rather than by its ordinal: `step=200,operator=preconditioned`,
/// `step=600,probes=10,lanczos=80,dtype=f64`, or an id (`0003`). Keys: `id`, `step`, `operator`
/// (hessian, preconditioned), `probes`, `lanczos`, `dtype` (f32, f64, or "" for rebuilt densities),
/// `seed`, `reorthogonalization`, `blocks` (the grouping: layers, tensors, prefixes; "" for none),
/// `trace` (yes/no: whether a trace was estimated). A selection must match exactly one analysis;
/// `latest` as a key-free word picks the newest of several matches (`step=600,latest`).
public struct AnalysisSelector: Equatable, Sendable, CustomStringConvertible {
    public var conditions: [(key: String, value: String)]
    /// Pick the newest when several analyses match.
    public var latest: Bool

    public static let keys = ["id", "step", "operator", "probes", "lanczos", "dtype", "seed", "reorthogonalization", "blocks", "trace"]

    /// Parses `text`: an id alone, or comma-separated `key=value` conditions (and `latest`). Throws a
    /// message naming the unknown key or the malformed part.
    public init(_ text: String) throws {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        if parts.count == 1, !parts[0].contains("="), parts[0] != "latest" {
            guard !parts[0].isEmpty, !parts[0].contains("/") else { throw AnalysisSelectorError("'\(text)' is neither an analysis id (such as 0003) nor key=value conditions") }
            conditions = [("id", parts[0])]
            latest = false
            return
        }
        var conditions: [(key: String, value: String)] = [], latest = false
        for part in parts {
            if part == "latest" { latest = true; continue }
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard kv.count == 2, !kv[0].isEmpty else {
                throw AnalysisSelectorError("'\(part)' in '\(text)' is not key=value (keys: \(Self.keys.joined(separator: ", ")); or the word latest)")
            }
            guard Self.keys.contains(kv[0]) else {
                throw AnalysisSelectorError("unknown key '\(kv[0])' in '\(text)'; keys: \(Self.keys.joined(separator: ", "))")
            }
            conditions.append((kv[0], kv[1]))
        }
        guard !conditions.isEmpty else { throw AnalysisSelectorError("'\(text)' names no condition; e.g. step=200,operator=hessian") }
        self.conditions = conditions
        self.latest = latest
    }

    public static func == (a: AnalysisSelector, b: AnalysisSelector) -> Bool {
        a.latest == b.latest && a.conditions.map(\.key) == b.conditions.map(\.key) && a.conditions.map(\.value) == b.conditions.map(\.value)
    }

    public var description: String {
        (conditions.map { $0.key == "id" && conditions.count == 1 ? $0.value : "\($0.key)=\($0.value)" } + (latest ? ["latest"] : []))
            .joined(separator: ",")
    }

    /// Whether `stored` meets every condition.
    public func matches(_ stored: StoredAnalysis) -> Bool {
        conditions.allSatisfy { Self.value(of: $0.key, in: stored) == Self.normalized($0.key, $0.value) }
    }

    /// The one analysis selected, or an error that lists the candidates with their settings.
    public func select(from all: [StoredAnalysis], file: String) throws -> StoredAnalysis {
        let found = all.filter(matches)
        if found.count == 1 || (latest && !found.isEmpty) { return found.last! }
        let listed = (found.isEmpty ? all : found).map { "  \($0.id): \(Self.summary($0))" }.joined(separator: "\n")
        if found.isEmpty {
            throw AnalysisSelectorError(all.isEmpty
                ? "\(file) has no analyses; run curv-density \(file) to add one"
                : "\(file): no analysis matches '\(description)'; its analyses:\n\(listed)")
        }
        throw AnalysisSelectorError("\(file): \(found.count) analyses match '\(description)':\n\(listed)\nadd a condition (e.g. probes=, lanczos=, dtype=), name one by id, or add ',latest' for the newest")
    }

    /// "step 200, hessian, 10 probes x 80 Lanczos steps, f64, partial, seed 42" and the extras it has.
    public static func summary(_ s: StoredAnalysis) -> String {
        let a = s.analysis
        var text = "step=\(a.step),operator=\(a.operator.rawValue),probes=\(a.probes),lanczos=\(a.lanczosSteps),dtype=\(a.dtype),seed=\(a.seed)"
        if !a.reorthogonalization.isEmpty { text += ",reorthogonalization=\(a.reorthogonalization)" }
        if !a.blockGrouping.isEmpty { text += ",blocks=\(a.blockGrouping)" }
        if !a.trace.isNaN { text += ",trace=yes" }
        return text + " (\(s.created))"
    }

    static func value(of key: String, in s: StoredAnalysis) -> String {
        let a = s.analysis
        switch key {
        case "id": return s.id
        case "step": return String(a.step)
        case "operator": return a.operator.rawValue
        case "probes": return String(a.probes)
        case "lanczos": return String(a.lanczosSteps)
        case "dtype": return a.dtype
        case "seed": return String(a.seed)
        case "reorthogonalization": return a.reorthogonalization
        case "blocks": return a.blockGrouping
        case "trace": return a.trace.isNaN ? "no" : "yes"
        default: return "\u{0}"
        }
    }

    /// Values as `value(of:in:)` writes them: numbers without leading zeros or `+`, yes/no for booleans.
    static func normalized(_ key: String, _ value: String) -> String {
        switch key {
        case "step", "probes", "lanczos": return Int(value).map(String.init) ?? value
        case "seed": return UInt64(value).map(String.init) ?? value
        case "trace": return ["true", "1", "yes"].contains(value.lowercased()) ? "yes" : ["false", "0", "no"].contains(value.lowercased()) ? "no" : value
        default: return value
        }
    }
}

/// A selection that cannot be parsed or does not pick exactly one analysis; the text says why and lists candidates.
public struct AnalysisSelectorError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
