import Foundation
import RunStore
import TOMLKit

/// A parsed configuration value: the TOML data model, as plain Swift values.
public indirect enum ConfigValue: Equatable, Sendable {
    case string(String)
    case integer(Int)
    case number(Double)
    case boolean(Bool)
    case array([ConfigValue])
    case table([String: ConfigValue])

    /// Parses TOML text; `file` names the source in errors.
    public static func parse(toml text: String, file: String) throws -> [String: ConfigValue] {
        try TOMLParserGuard.check(text, file: file)
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let error as TOMLParseError {
            throw ConfigError("\(file):\(error.source.begin.line):\(error.source.begin.column): TOML syntax error: \(error.description)")
        } catch {
            throw ConfigError("\(file): not valid TOML (\(error))")
        }
        return try convert(table, path: "", file: file)
    }

    private static func convert(_ table: TOMLTable, path: String, file: String) throws -> [String: ConfigValue] {
        var out = [String: ConfigValue]()
        for key in table.keys {
            out[key] = try convert(table[key]!, path: path.isEmpty ? key : "\(path).\(key)", file: file)
        }
        return out
    }

    private static func convert(_ value: TOMLValueConvertible, path: String, file: String) throws -> ConfigValue {
        switch value.type {
        case .string: return .string(value.string!)
        case .int: return .integer(value.int!)
        case .double: return .number(value.double!)
        case .bool: return .boolean(value.bool!)
        case .array: return .array(try value.array!.map { try convert($0, path: path, file: file) })
        case .table: return .table(try convert(value.table!, path: path, file: file))
        default: throw ConfigError("\(file): \(path): dates and times are not used in Curvature configs")
        }
    }

    /// TOML text for the value (as the right-hand side of `key = ...`).
    public var tomlLiteral: String {
        switch self {
        case let .string(s): return ConfigValue.basicString(s)
        case let .integer(i): return String(i)
        case let .number(x): return x.isFinite ? (x == x.rounded() && abs(x) < 1e15 ? String(format: "%.1f", x) : "\(x)") : (x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf"))
        case let .boolean(b): return b ? "true" : "false"
        case let .array(a): return "[" + a.map(\.tomlLiteral).joined(separator: ", ") + "]"
        case let .table(t): return "{ " + t.keys.sorted().map { "\($0) = \(t[$0]!.tomlLiteral)" }.joined(separator: ", ") + " }"
        }
    }

    /// A TOML basic string: backslash, quote and control characters (other than tab) escaped, as
    /// TOML requires; a raw control character makes the resolved TOML unreadable.
    static func basicString(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out.unicodeScalars.append(c)
            case _ where c.value < 0x20 || c.value == 0x7F: out += String(format: "\\u%04X", c.value)
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }

    /// The value as JSON (keys sorted), through RunStore's JSON writer.
    var json: JSONValue {
        switch self {
        case let .string(x): return .string(x)
        case let .integer(i): return .int(i)
        case let .number(x): return .double(x)
        case let .boolean(b): return .bool(b)
        case let .array(a): return .array(a.map(\.json))
        case let .table(t): return .object(t.keys.sorted().map { ($0, t[$0]!.json) })
        }
    }
}

/// A configuration problem; the text names the file, the key, the value and what is allowed.
public struct ConfigError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Reads typed values from one table of a config, remembering which keys were read so that any
/// other key is reported as unknown (with the allowed keys listed).
struct ConfigSection {
    let file: String
    let path: String
    let values: [String: ConfigValue]
    private(set) var read: [String] = []

    init(file: String, path: String, values: [String: ConfigValue]) {
        self.file = file
        self.path = path
        self.values = values
    }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func fail(_ key: String, _ value: ConfigValue?, _ expected: String) -> ConfigError {
        ConfigError("\(file): \(name(key))\(value.map { " = \($0.tomlLiteral)" } ?? ""): expected \(expected)")
    }

    mutating func string(_ key: String, default d: String, allowed: [String]? = nil) throws -> String {
        read.append(key)
        guard let v = values[key] else { return d }
        guard case let .string(s) = v else { throw fail(key, v, allowed.map { "one of \($0.joined(separator: ", "))" } ?? "a string") }
        if let allowed, !allowed.contains(s) { throw fail(key, v, "one of \(allowed.joined(separator: ", "))") }
        return s
    }

    mutating func choice<E: RawRepresentable & CaseIterable>(_ key: String, default d: E) throws -> E where E.RawValue == String {
        let raw = try string(key, default: d.rawValue, allowed: E.allCases.map(\.rawValue))
        return E(rawValue: raw)!
    }

    mutating func integer(_ key: String, default d: Int, min: Int = Int.min, max: Int = Int.max) throws -> Int {
        read.append(key)
        guard let v = values[key] else { return d }
        guard case let .integer(i) = v, i >= min, i <= max else {
            var range = [String]()
            if min > Int.min { range.append(">= \(min)") }
            if max < Int.max { range.append("<= \(max)") }
            throw fail(key, v, "an integer" + (range.isEmpty ? "" : " " + range.joined(separator: " and ")))
        }
        return i
    }

    mutating func number(_ key: String, default d: Double, min: Double = -.infinity, exclusiveMin: Bool = false,
                         max: Double = .infinity) throws -> Double {
        read.append(key)
        guard let v = values[key] else { return d }
        let x: Double
        switch v {
        case let .number(n): x = n
        case let .integer(i): x = Double(i)
        default: throw fail(key, v, "a number")
        }
        let above = exclusiveMin ? x > min : x >= min
        guard x.isFinite, above, x <= max else {
            var range = [String]()
            if min > -.infinity { range.append(exclusiveMin ? "> \(min)" : ">= \(min)") }
            if max < .infinity { range.append("<= \(max)") }
            throw fail(key, v, "a finite number" + (range.isEmpty ? "" : " " + range.joined(separator: " and ")))
        }
        return x
    }

    /// A geometric growth factor: 0 (off) or a number in `allowed` (a factor nearer 1 schedules
    /// nearly every step, one far above it only the first and last).
    mutating func factor(_ key: String, default d: Double, allowed: ClosedRange<Double>) throws -> Double {
        let x = try number(key, default: d, min: 0)
        guard x == 0 || allowed.contains(x) else {
            let hint = x > 1 && x < allowed.lowerBound ? "; a factor this close to 1 would schedule nearly every step: list steps explicitly instead" : ""
            throw fail(key, values[key], "0 (off) or a number from \(allowed.lowerBound) to \(Int(allowed.upperBound))\(hint)")
        }
        return x
    }

    mutating func boolean(_ key: String, default d: Bool) throws -> Bool {
        read.append(key)
        guard let v = values[key] else { return d }
        guard case let .boolean(b) = v else { throw fail(key, v, "true or false") }
        return b
    }

    mutating func integers(_ key: String, default d: [Int], min: Int = Int.min) throws -> [Int] {
        read.append(key)
        guard let v = values[key] else { return d }
        guard case let .array(a) = v else { throw fail(key, v, "an array of integers") }
        return try a.map {
            guard case let .integer(i) = $0, i >= min else { throw fail(key, v, "an array of integers >= \(min)") }
            return i
        }
    }

    mutating func strings(_ key: String, default d: [String]) throws -> [String] {
        read.append(key)
        guard let v = values[key] else { return d }
        guard case let .array(a) = v else { throw fail(key, v, "an array of strings") }
        return try a.map {
            guard case let .string(s) = $0 else { throw fail(key, v, "an array of strings") }
            return s
        }
    }

    /// Marks a key (a sub-table read elsewhere) as known.
    mutating func markRead(_ key: String) { read.append(key) }

    /// Throws for any key that was not read.
    func rejectUnknownKeys() throws {
        let unknown = values.keys.filter { !read.contains($0) }.sorted()
        guard let first = unknown.first else { return }
        throw ConfigError("\(file): unknown key '\(name(first))'\(unknown.count > 1 ? " (and \(unknown.count - 1) more)" : ""); allowed in \(path.isEmpty ? "the top level" : "[\(path)]"): \(read.joined(separator: ", "))")
    }
}
