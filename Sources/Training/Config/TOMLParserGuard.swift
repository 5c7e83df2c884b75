/// Rejects the TOML that would crash the TOML parser, before it sees it.
///
/// toml++ 3.4 (inside TOMLKit 0.6) asserts, and so aborts the process, on two kinds of malformed
/// text instead of reporting an error:
/// - a table header whose brackets are followed by something that cannot start a key (`[` then a
///   line break, `[=`, `[[[`); fixed upstream in marzer/tomlplusplus#301, not in a TOMLKit release;
/// - a `}` where an array expects a value (`x = [}`, `x = [1, }`);
/// - a value that looks like a date followed by one space and a single digit, then a blank, `#`,
///   `,`, `]` or `}` (`d = 2024-01-01 1`): toml++ reads on past the space for a date-time's time
///   and asserts that the character after that digit does not end the value.
/// All three are reported here as syntax errors with the line (none is valid TOML). The header check looks at every line
/// whose first non-blank character is `[` (where any table header starts), so it also refuses
/// such a line inside a multi-line array or string; no Curvature config has one (arrays hold
/// numbers or strings).
enum TOMLParserGuard {
    static func check(_ text: String, file: String) throws {
        try checkHeaders(text, file: file)
        let scalars = Array(text.unicodeScalars)
        try checkArrayValues(scalars, file: file)
        try checkSpacedDates(scalars, file: file)
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
    static func checkArrayValues(_ c: [Unicode.Scalar], file: String) throws {
        var previous: Unicode.Scalar = "\n"
        try forEachOutsideStrings(c) { i, line in
            switch c[i] {
            case "\n", " ", "\t", "\r":
                break
            case "}" where previous == "[" || previous == ",":
                throw ConfigError("\(file):\(line): TOML syntax error: expected a value or ']' in the array, found '}'")
            default:
                previous = c[i]
            }
        }
    }

    /// A value of ten characters (not counting `_`) that starts with a digit and has `-` as its
    /// 5th and 8th, then one space, one digit and a character that ends a value: toml++ takes the
    /// space for a date-time's separator, scans on after the digit and asserts there. Every value
    /// that starts with a digit is checked (where a key would be read, such text is an error too).
    static func checkSpacedDates(_ c: [Unicode.Scalar], file: String) throws {
        try forEachOutsideStrings(c) { i, line in
            guard isDigit(c[i]), i == 0 || isValueTerminator(c[i - 1]) || "=[{".unicodeScalars.contains(c[i - 1]) else { return }
            // toml++'s scan: up to 127 characters, to the first one that ends a value.
            var end = i, kept: [Unicode.Scalar] = []
            while end < c.count && end - i < 127 && !isValueTerminator(c[end]) {
                if c[end] != "_" { kept.append(c[end]) }
                end += 1
            }
            guard kept.count == 10, kept[4] == "-", kept[7] == "-", end + 2 < c.count,
                  c[end] == " ", isDigit(c[end + 1]), isValueTerminator(c[end + 2]) else { return }
            let value = String(String.UnicodeScalarView(c[i...(end + 1)]))
            throw ConfigError("\(file):\(line): TOML syntax error: '\(value)' is neither a date nor a date-time (a time after a date needs hours, minutes and seconds: 1979-05-27 07:32:00)")
        }
    }

    /// Calls `visit(index, line)` for each character outside strings and comments; for a string,
    /// once with the index of its opening quote. Stops at an unterminated string (toml++ reports it).
    private static func forEachOutsideStrings(_ c: [Unicode.Scalar], _ visit: (_ index: Int, _ line: Int) throws -> Void) throws {
        var i = 0, line = 1
        while i < c.count {
            switch c[i] {
            case "#":
                while i < c.count && c[i] != "\n" { i += 1 }
            case "\"", "'":
                try visit(i, line)
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
            default:
                try visit(i, line)
                if c[i] == "\n" { line += 1 }
                i += 1
            }
        }
    }

    private static func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }

    /// toml++'s `is_value_terminator`: its whitespace (ASCII and the Unicode blanks and line
    /// breaks it lists), `]`, `}`, `,` and `#`.
    private static func isValueTerminator(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x20, 0x5D, 0x7D, 0x2C, 0x23, 0x85, 0xA0, 0x1680, 0x180E, 0x2000...0x200B, 0x2028, 0x2029,
             0x202F, 0x205F, 0x2060, 0x3000, 0xFEFF:
            return true
        default:
            return false
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
