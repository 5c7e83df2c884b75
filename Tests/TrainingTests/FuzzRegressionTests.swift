// Inputs the fuzzers (scripts/fuzz) found that crashed a reader; each must now be an error.
// The same inputs are in fuzz/corpus/<target>/regression-*.

import Foundation
import Testing
import Training

/// `text` is refused with a TOML syntax error naming the file (and saying `detail`), instead of
/// reaching the TOML parser.
private func expectSyntaxError(_ text: String, saying detail: String? = nil) {
    do {
        _ = try RunConfig.parse(text, file: "a.toml")
        Issue.record("accepted: \(text.debugDescription)")
    } catch {
        let message = "\(error)"
        #expect(message.contains("a.toml:") && message.contains("TOML syntax error") && message.contains(detail ?? "TOML"), "\(message)")
    }
}

@Suite("Readers on inputs the fuzzers found")
struct FuzzRegressionTests {
    @Test("a table header with no key is a syntax error, not a toml++ assertion that aborts",
          arguments: ["[\n", "[\r", "a = 1\n[\nb = 2\n", "[[[x]]]\n", "[[ =\n", "  [ \t\n", "[#\n",
                      "# A CSV regs/samples/regression.csv\"\nheader = true\ntarget_columns = [0]\n[\nlr = 0.05\n"])
    func tableHeaderWithoutKey(text: String) {
        expectSyntaxError(text)
    }

    @Test("a '}' where an array expects a value is a syntax error, not a toml++ assertion that aborts",
          arguments: ["x = [}\n", "x = [1, }\n", "x = [ # c\n  }\n", "x = { a = [ } ]\n",
                      "# A#a)/lr.\nname =[[[[[[[[[[[}[[[[[[[[[[[[[[Q[ts-mo \"digits\""])
    func closingBraceInArray(text: String) {
        expectSyntaxError(text)
    }

    // toml++ reads a space after a ten-character date-like value as a date-time's separator and
    // asserts on the blank, `#`, `,`, `]` or `}` after the single digit that follows. The first two
    // are the fuzzer's inputs (fuzz/corpus/config/regression-date-space-digit-*.toml), verbatim.
    @Test("a date-like value, one space and one digit is a syntax error, not a toml++ assertion that aborts",
          arguments: ["_ev0 = 2----AR-10 0\t[\t\t\t\n", "p=0r0--h---- 9 = #", "d = 2024-01-01 1\n",
                      "d = [1, 2_024-01-01 1]\n", "d = { a = 1979-05-27 0}\n"])
    func dateSpaceDigit(text: String) {
        expectSyntaxError(text, saying: "is neither a date nor a date-time")
    }

    @Test("headers, quoted headers, multi-line arrays with comments and brackets in strings still parse")
    func validTextStillParses() throws {
        let text = """
            name = "[}, [\\"}" # d = 2024-01-01 1,
              [ "data" ]
            source = 'digits' # [}
            [model]
            hidden = [
              8, # first
              4,
            ]
            """
        let config = try RunConfig.parse(text, file: "a.toml")
        #expect(config.model.hidden == [8, 4] && config.name == "[}, [\"}")
        #expect(try RunConfig.parse("name = '''a[\n}'''\n", file: "a.toml").name == "a[\n}")
        #expect(try RunConfig.parse("name = '2024-01-01 1,'\n", file: "a.toml").name == "2024-01-01 1,")
    }

    @Test("IDX dimensions whose product overflows are an error, not an overflow trap")
    func idxDimensionsOverflow() {
        let header: [UInt8] = [0, 0, 0x08, 3] + [UInt8](repeating: 0xFF, count: 12)
        #expect(throws: DataError.self) { try IDXArray(data: Data(header + [1, 2, 3]), name: "huge.idx") }
    }

    @Test("IDX labels past the class limit or not integers are errors, not a trap or a huge one-hot matrix",
          arguments: [[0x0C, 0x7F, 0xFF, 0xFF, 0xFF],                        // type code, int32 2147483647
                      [0x0E, 0x7E, 0x37, 0xE4, 0x3C, 0x88, 0x00, 0x75, 0x9C],    // float64 1e300
                      [0x0D, 0x7F, 0x80, 0x00, 0x00]] as [[UInt8]])               // float32 inf
    func idxLabelOutOfRange(typeAndLabel: [UInt8]) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("curv-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let images = dir.appendingPathComponent("images"), labels = dir.appendingPathComponent("labels")
        try Data([0, 0, 0x08, 2, 0, 0, 0, 1, 0, 0, 0, 2, 7, 9]).write(to: images)
        try Data([0, 0, typeAndLabel[0], 1, 0, 0, 0, 1] + typeAndLabel.dropFirst()).write(to: labels)
        let error = try #require(throws: DataError.self) { try Dataset.idx(images: images, labels: labels) }
        #expect(error.description.contains("labels must be whole numbers from 0 to \(Dataset.maximumClasses - 1)"))
    }

    @Test("a CSV label too large for an Int, or infinite, is an error, not a conversion trap",
          arguments: ["1.5,2," + String(repeating: "5", count: 110) + "0\n3,2,51\n-1,0,2\n", "1,2,inf\n", "1,2,65536\n"])
    func csvLabelOutOfRange(text: String) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("curv-fuzz-\(UUID().uuidString).csv")
        try Data(text.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let error = try #require(throws: DataError.self) { try Dataset.csv(file, header: false, labelColumn: 2) }
        #expect(error.description.contains(file.path) && (error.description.contains("whole number from 0 to \(Dataset.maximumClasses - 1)") || error.description.contains("not a finite number")), "\(error)")
    }
}

@Suite("Resolved config on inputs the fuzzer found")
struct ResolvedConfigFuzzRegressionTests {
    @Test("strings with control characters round-trip through the resolved TOML (a raw one made it unreadable)")
    func controlCharactersRoundTrip() throws {
        let text = "name = \"a\\u0001b\\nc\\td\\u001Fe\\u007F\\\\\\\"\"\n[data]\npath = \"x\\ry\"\n"
        let config = try RunConfig.parse(text, file: "a.toml")
        #expect(config.name == "a\u{1}b\nc\td\u{1F}e\u{7F}\\\"" && config.data.path == "x\ry")
        #expect(try RunConfig.parse(config.resolvedTOML, file: "resolved.toml") == config)
    }
}
