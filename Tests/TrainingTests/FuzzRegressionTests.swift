// Inputs the fuzzers (scripts/fuzz) found that crashed a reader; each must now be an error.
// The same inputs are in fuzz/corpus/<target>/regression-*.

import Foundation
import Testing
import Training

@Suite("Readers on inputs the fuzzers found")
struct FuzzRegressionTests {
    @Test("a table header with no key is a syntax error, not a toml++ assertion that aborts",
          arguments: ["[\n", "[\r", "a = 1\n[\nb = 2\n", "[[[x]]]\n", "[[ =\n", "  [ \t\n", "[#\n",
                      "# A CSV regs/samples/regression.csv\"\nheader = true\ntarget_columns = [0]\n[\nlr = 0.05\n"])
    func tableHeaderWithoutKey(text: String) {
        do {
            _ = try RunConfig.parse(text, file: "a.toml")
            Issue.record("accepted: \(text.debugDescription)")
        } catch {
            #expect("\(error)".contains("a.toml:") && "\(error)".contains("TOML syntax error"), "\(error)")
        }
    }

    @Test("a '}' where an array expects a value is a syntax error, not a toml++ assertion that aborts",
          arguments: ["x = [}\n", "x = [1, }\n", "x = [ # c\n  }\n", "x = { a = [ } ]\n",
                      "# A#a)/lr.\nname =[[[[[[[[[[[}[[[[[[[[[[[[[[Q[ts-mo \"digits\""])
    func closingBraceInArray(text: String) {
        do {
            _ = try RunConfig.parse(text, file: "a.toml")
            Issue.record("accepted: \(text.debugDescription)")
        } catch {
            #expect("\(error)".contains("a.toml:") && "\(error)".contains("TOML syntax error"), "\(error)")
        }
    }

    @Test("headers, quoted headers, multi-line arrays with comments and brackets in strings still parse")
    func validTextStillParses() throws {
        let text = """
            name = "[}, [\\"}"
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
    }
}
