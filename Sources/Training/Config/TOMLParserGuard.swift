/// Rejects the TOML that would crash the TOML parser, before it sees it.
///
/// toml++ 3.4 (inside TOMLKit 0.6) asserts, and so aborts the process, on two kinds of malformed
/// text instead of reporting an error:
/// - a table header whose brackets are followed by something that cannot start a key (`[` then a
///   line break, `[=`, `[[[`); fixed upstream in marzer/tomlplusplus#301, not in a TOMLKit release;
/// - a `}` where an array expects a value (`x = [}`, `x = [1, }`).
/// Both are reported here as syntax errors with the line. The header check looks at every line
/// whose first non-blank character is `[` (where any table header starts), so it also refuses
/// such a line inside a multi-line array or string; no Curvature config has one (arrays hold
/// numbers or strings).
enum TOMLParserGuard {
    static func check(_ text: String, file: String) throws {
        try checkHeaders(text, file: file)
        try checkArrayValues(text, file: file)
    }

    static func checkHeaders(_ text: String, file: String) throws {
        var line = 1
        var atLineStart = true
        var iterator = text.unicodeScalars.makeIterator()
        var next = iterator.next()
        while let c = next {
            next = iterator.next()
            if c == "\n" {
                line += 1
                atLineStart = true
                continue
            }
            guard atLineStart, !isLeadingBlank(c) else { continue }
            atLineStart = false
            guard c == "[" else { continue }
            // toml++ reads '[', a second '[' (array of tables), blanks, then a key: the key must
            // start with a bare-key character or a quote (']' and the end of text it reports itself).
            var after = next
            if after == "[" { after = iterator.next() }
            while let a = after, isBlank(a) { after = iterator.next() }
            next = after
            guard let first = after else { return }
            guard isBareKey(first) || first == "\"" || first == "'" || first == "]" else {
                throw ConfigError("\(file):\(line): TOML syntax error: a table header needs a key after '[', found \(describe(first))")
            }
        }
    }

    /// A `}` whose previous character outside strings and comments is `[` or `,`: where toml++'s
    /// array reader expects a value (it skips blanks, line breaks and comments first).
    static func checkArrayValues(_ text: String, file: String) throws {
        let c = Array(text.unicodeScalars)
        var i = 0, line = 1
        var previous: Unicode.Scalar = "\n"
        while i < c.count {
            switch c[i] {
            case "\n":
                line += 1
                i += 1
            case " ", "\t", "\r":
                i += 1
            case "#":
                while i < c.count && c[i] != "\n" { i += 1 }
            case "\"", "'":
                // A string: skip it whole (toml++ reports an unterminated one, so stop there).
                let quote = c[i], basic = quote == "\""
                let multiLine = i + 2 < c.count && c[i + 1] == quote && c[i + 2] == quote
                i += multiLine ? 3 : 1
                while true {
                    guard i < c.count else { return }
                    if basic && c[i] == "\\" {
                        i += 2
                    } else if c[i] == quote && (!multiLine || (i + 2 < c.count && c[i + 1] == quote && c[i + 2] == quote)) {
                        i += multiLine ? 3 : 1
                        var extra = 0  // up to two more quotes belong to a multi-line string
                        while multiLine && extra < 2 && i < c.count && c[i] == quote { i += 1; extra += 1 }
                        break
                    } else {
                        if c[i] == "\n" {
                            guard multiLine else { return }
                            line += 1
                        }
                        i += 1
                    }
                }
                previous = quote
            case "}" where previous == "[" || previous == ",":
                throw ConfigError("\(file):\(line): TOML syntax error: expected a value or ']' in the array, found '}'")
            default:
                previous = c[i]
                i += 1
            }
        }
    }

    /// What toml++ skips inside a header: spaces and tabs only (a '\r' there is the crash too).
    private static func isBlank(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" }

    /// Skipped before looking for a header: more than toml++ skips, so no header is missed.
    private static func isLeadingBlank(_ c: Unicode.Scalar) -> Bool { isBlank(c) || c == "\r" || c == "\u{FEFF}" }

    private static func isBareKey(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "-"
    }

    private static func describe(_ c: Unicode.Scalar) -> String {
        c == "\n" ? "the end of the line" : c.properties.generalCategory == .control ? "U+\(String(c.value, radix: 16, uppercase: true))" : "'\(c)'"
    }
}
