import Foundation
import Testing
import Training

@Suite("Sequence data configs")
struct SequenceConfigTests {
    @Test("text keys parse with their defaults, and the resolved config parses back to the same config")
    func textKeys() throws {
        let c = try RunConfig.parse("""
            [data]
            source = "text"
            files = ["a.txt", "b.txt"]
            context = 16
            tokenizer = "bytes"
            count = 5
            """, file: "a.toml")
        #expect(c.data.source == .text && c.data.source.isSequence && c.data.textFiles == ["a.txt", "b.txt"])
        #expect(c.data.context == 16 && c.data.tokenizer == .bytes && c.data.count == 5 && c.data.normalize == .none)
        #expect(try RunConfig.parse(c.resolvedTOML, file: "resolved.toml") == c)
        #expect(c.resolvedTOML.contains("context = 16") && c.resolvedTOML.contains("tokenizer = \"bytes\""))

        // Defaults: every window, chars, and the fortunes-min corpus when no file is named.
        let d = try RunConfig.parse("[data]\nsource = \"text\"\n", file: "a.toml")
        #expect(d.data.count == 0 && d.data.tokenizer == .chars && d.data.context == 32 && d.data.normalize == .none)
        #expect(d.data.textFiles == Dataset.defaultTextCorpus && d.data.path.isEmpty)
        #expect(try RunConfig.parse(d.resolvedTOML, file: "resolved.toml") == d)
        let one = try RunConfig.parse("[data]\nsource = \"text\"\npath = \"book.txt\"\n", file: "a.toml")
        #expect(one.data.textFiles == ["book.txt"] && one.data.files.isEmpty)
        #expect(try RunConfig.parse("[data]\nsource = \"text\"\nnormalize = \"none\"\n", file: "a.toml").data.normalize == .none)
    }

    @Test("synthetic sequence keys parse; other sources' resolved configs gain no sequence keys")
    func taskKeys() throws {
        let copy = try RunConfig.parse("[data]\nsource = \"copy\"\ncontext = 12\nsymbols = 4\ncount = 200\n", file: "a.toml")
        #expect(copy.data.source == .copy && copy.data.context == 12 && copy.data.symbols == 4 && copy.data.count == 200)
        #expect(copy.data.sequenceVocabularySize == 5 && copy.data.normalize == .none)
        #expect(try RunConfig.parse(copy.resolvedTOML, file: "resolved.toml") == copy)
        let sort = try RunConfig.parse("[data]\nsource = \"sort\"\n", file: "a.toml")
        #expect(sort.data.context == 32 && sort.data.symbols == 10 && sort.data.count == 1000)
        let addition = try RunConfig.parse("[data]\nsource = \"modular_addition\"\nmodulus = 13\ncontext = 7\n", file: "a.toml")
        #expect(addition.data.modulus == 13 && addition.data.context == 7 && addition.data.sequenceVocabularySize == 14)
        #expect(addition.resolvedTOML.contains("modulus = 13") && !addition.resolvedTOML.contains("symbols"))
        #expect(try RunConfig.parse(addition.resolvedTOML, file: "resolved.toml") == addition)
        let digits = try RunConfig.parse("", file: "a.toml").resolvedTOML
        for key in ["context", "tokenizer", "symbols", "modulus"] { #expect(!digits.contains(key), "\(key) in \(digits)") }
    }
}
