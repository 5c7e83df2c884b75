// A tiny JSON builder with ordered keys and exact numbers. Foundation's JSONSerialization
// rejects NaN and does not keep key order; run summaries need both under control.

/// A JSON value whose text form is deterministic.
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    /// A double; NaN and infinities become `null` in strict mode (see `JSONValue.text`).
    case double(Double)
    case string(String)
    case array([JSONValue])
    /// Keys keep the order given.
    case object([(String, JSONValue)])
    /// Already-serialized JSON text inserted verbatim (e.g. a stored config object).
    case raw(String)

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.text() == rhs.text() }

    /// How non-finite doubles are written.
    public enum NonFinite: Sendable {
        /// As `null` (strict JSON; what `curv-inspect --json` prints).
        case null
        /// As `NaN`, `Infinity`, `-Infinity` (accepted by Python's json module; used by manifests).
        case literals
    }

    /// The JSON text. With `indent` > 0, objects and arrays of containers are spread over lines;
    /// arrays of scalars and objects of at most six scalars stay on one line.
    public func text(indent: Int = 0, nonFinite: NonFinite = .null) -> String {
        var output = ""
        write(to: &output, indent: indent, depth: 0, nonFinite: nonFinite)
        return output
    }

    private var isContainer: Bool {
        switch self {
        case .array, .object: return true
        default: return false
        }
    }

    private func write(to output: inout String, indent: Int, depth: Int, nonFinite: NonFinite) {
        let newline = indent > 0 ? "\n" : ""
        let pad = String(repeating: " ", count: indent * (depth + 1))
        let closePad = String(repeating: " ", count: indent * depth)
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .int(let value): output += String(value)
        case .double(let value): output += JSONValue.number(value, nonFinite: nonFinite)
        case .string(let value): output += JSONValue.quoted(value)
        case .raw(let text): output += text
        case .array(let items):
            guard !items.isEmpty else { output += "[]"; return }
            let spread = indent > 0 && items.contains { $0.isContainer }
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += spread ? "," : ", " }
                if spread { output += newline + pad }
                item.write(to: &output, indent: indent, depth: depth + 1, nonFinite: nonFinite)
            }
            output += spread ? newline + closePad + "]" : "]"
        case .object(let members):
            guard !members.isEmpty else { output += "{}"; return }
            // Small objects of scalars (an event, a spectrum key) stay on one line.
            let spread = indent > 0 && (members.count > 6 || members.contains { $0.1.isContainer })
            output += "{"
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { output += spread ? "," : ", " }
                if spread { output += newline + pad }
                output += JSONValue.quoted(key) + ": "
                value.write(to: &output, indent: indent, depth: depth + 1, nonFinite: nonFinite)
            }
            output += spread ? newline + closePad + "}" : "}"
        }
    }

    /// Shortest text that reads back as exactly `value` ("0.1", "1e-08", "42.0" -> "42.0").
    static func number(_ value: Double, nonFinite: NonFinite) -> String {
        if value.isNaN { return nonFinite == .null ? "null" : "NaN" }
        if value.isInfinite { return nonFinite == .null ? "null" : (value > 0 ? "Infinity" : "-Infinity") }
        return value.description
    }

    static func quoted(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                output += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output + "\""
    }
}

extension JSONValue {
    public static func doubles(_ values: [Double]) -> JSONValue { .array(values.map { .double($0) }) }
    public static func ints(_ values: [Int]) -> JSONValue { .array(values.map { .int($0) }) }
}
