import Foundation
import Testing
import Tensor
import Training

/// Example i's whole window of `positions + 1` tokens: its first input token, then its labels (the
/// next token at every position).
func window(_ data: Dataset, _ i: Int) -> [Int] {
    let t = data.positions
    return [Int(data.features[i, 0])] + Array(data.labels![(i * t)..<(i * t + t)])
}

/// Checks the sequence-set contract: token-id features, labels shifted by one against them, and
/// targets that are the labels' one-hot blocks.
func expectSequenceContract(_ data: Dataset, sourceLocation: SourceLocation = #_sourceLocation) {
    let (n, t, v) = (data.count, data.positions, data.classes)
    #expect(data.features.shape == [n, t] && data.targets.shape == [n, t * v] && data.labels?.count == n * t,
            sourceLocation: sourceLocation)
    #expect(data.features.scalars.allSatisfy { $0 == $0.rounded() && $0 >= 0 && $0 < Double(v) }, sourceLocation: sourceLocation)
    var oneHot = [Double](repeating: 0, count: n * t * v)
    for (k, label) in data.labels!.enumerated() { oneHot[(k / t) * t * v + (k % t) * v + label] = 1 }
    #expect(data.targets.scalars == oneHot, sourceLocation: sourceLocation)
    for i in 0..<n {
        // Input position p + 1 holds the token that position p predicts.
        for p in 0..<(t - 1) where Int(data.features[i, p + 1]) != data.labels![i * t + p] {
            Issue.record("example \(i): input \(p + 1) is not label \(p)", sourceLocation: sourceLocation)
            return
        }
    }
}

@Suite("Sequence data")
struct SequenceDataTests {
    /// Writes `text` to a fresh file; returns its URL (under a directory the caller removes).
    func textFile(_ text: String, in directory: URL, name: String = "corpus.txt") throws -> URL {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    @Test("text: windows of context + 1 bytes at stride context, labels shifted by one; chars vocabulary is the sorted distinct bytes")
    func textWindows() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = "the quick brown fox jumps over the lazy dog\n"
        let url = try textFile(text, in: dir)
        let context = 5
        let data = try Dataset.text(files: [url], context: context, tokenizer: .chars)

        let bytes = Array(text.utf8)
        let vocabulary = Array(Set(bytes)).sorted()
        #expect(data.vocabulary == vocabulary && data.classes == vocabulary.count && data.positions == context)
        let id = { (b: UInt8) in vocabulary.firstIndex(of: b)! }
        let n = (bytes.count - 1) / context
        #expect(data.count == n && n == 8)
        for i in 0..<n {
            for t in 0..<context {
                #expect(data.features[i, t] == Double(id(bytes[i * context + t])))
                #expect(data.labels![i * context + t] == id(bytes[i * context + t + 1]))
            }
        }
        expectSequenceContract(data)
        // Decoding through the vocabulary gives the text back.
        let decoded = (0..<n).flatMap { i in (0..<context).map { data.vocabulary![Int(data.features[i, $0])] } }
        #expect(decoded == Array(bytes.prefix(n * context)))
        #expect(data.provenance.source == "text" && data.provenance.paths == [url.path])
        #expect(data.provenance.sha256 == String(try shell("sha256sum \(url.path)").prefix(64)))
    }

    @Test("text: the bytes tokenizer has 256 tokens and token id = byte; several files are windowed one by one, in order")
    func bytesTokenizerAndFiles() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try textFile("abcdefghij", in: dir, name: "a.txt"), b = try textFile("ZYXWVUT\u{e9}", in: dir, name: "b.txt")
        let data = try Dataset.text(files: [a, b], context: 3, tokenizer: .bytes)
        #expect(data.classes == 256 && data.vocabulary == (0...255).map { UInt8($0) })
        // a: 10 bytes -> 3 windows; b: 9 bytes (é is two) -> 2 windows; none spans the two files.
        #expect(data.count == 5)
        #expect(window(data, 0) == Array("abcd".utf8).map(Int.init) && window(data, 2) == Array("ghij".utf8).map(Int.init))
        #expect(window(data, 3) == Array("ZYXW".utf8).map(Int.init) && window(data, 4) == Array("WVUT".utf8).map(Int.init))
        expectSequenceContract(data)
        #expect(data.provenance.paths == [a.path, b.path])
        #expect(data.provenance.sha256 == String(try shell("cat \(a.path) \(b.path) | sha256sum").prefix(64)))
    }

    @Test("text: count keeps the first windows; a file shorter than one window is an error naming it and the numbers")
    func textCountAndShortFile() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try textFile(String(repeating: "abcdefg", count: 10), in: dir)
        let all = try Dataset.text(files: [url], context: 4, tokenizer: .chars)
        let three = try Dataset.text(files: [url], context: 4, tokenizer: .chars, count: 3)
        #expect(all.count == 17 && three.count == 3)
        #expect(three.features == all.subset([0, 1, 2]).features && three.labels == all.subset([0, 1, 2]).labels)
        #expect(try Dataset.text(files: [url], context: 4, tokenizer: .chars, count: 100).count == 17)

        let short = try textFile("tiny", in: dir, name: "short.txt")
        let error = try #require(throws: DataError.self) { try Dataset.text(files: [url, short], context: 4, tokenizer: .chars) }
        for fragment in [short.path, "4 bytes", "context + 1 = 5", "data.context"] {
            #expect(error.description.contains(fragment), "'\(fragment)' missing from: \(error)")
        }
    }

    @Test("text through the pipeline: the seeded shuffle and split are reproducible, keep each example's labels together and never normalize")
    func textPipeline() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try textFile(String(repeating: "sphinx of black quartz, judge my vow. ", count: 6), in: dir)
        var config = try RunConfig.parse("""
            [data]
            source = "text"
            path = "\(url.path)"
            context = 8
            test_fraction = 0.25
            shuffle_seed = 3
            [model]
            kind = "transformer"
            """, file: "text.toml")
        let raw = try Dataset.text(files: [url], context: 8, tokenizer: .chars)
        let prepared = try PreparedData.prepare(config), again = try PreparedData.prepare(config)
        #expect(prepared.train.features == again.train.features && prepared.train.labels == again.train.labels)
        #expect(prepared.trainSourceIndices == again.trainSourceIndices && prepared.trainSourceIndices != Array(0..<prepared.train.count))
        let test = try #require(prepared.test)
        #expect(prepared.train.count + test.count == raw.count && test.count == Int((Double(raw.count) * 0.25).rounded()))
        for (i, source) in prepared.trainSourceIndices.enumerated() {
            #expect(window(prepared.train, i) == window(raw, source))
        }
        #expect(prepared.train.positions == 8 && test.positions == 8 && prepared.hessianBatch.positions == 8)
        #expect(prepared.train.vocabulary == raw.vocabulary && prepared.hessianBatch.vocabulary == raw.vocabulary)
        expectSequenceContract(prepared.train)
        expectSequenceContract(test)
        // Another shuffle seed orders the examples differently.
        config.data.shuffleSeed = 4
        #expect(try PreparedData.prepare(config).trainSourceIndices != prepared.trainSourceIndices)
    }

    @Test("text: a missing file names itself and its key; under the fortunes directory it says scripts/setup installs the corpus")
    func missingTextFile() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let present = try textFile(String(repeating: "x", count: 100), in: dir)
        for (files, fragments) in [([present.path, dir.appendingPathComponent("gone.txt").path], ["gone.txt", "no such file", "data.files[1]"]),
                                   (["/usr/share/games/fortunes/no-such-fortune"], ["no-such-fortune", "data.files[0]", "fortunes-min", "scripts/setup"])] {
            var config = RunConfig()
            config.data.source = .text
            config.data.normalize = .none
            config.data.files = files
            let error = try #require(throws: DataError.self) { try PreparedData.prepare(config) }
            for fragment in fragments { #expect(error.description.contains(fragment), "'\(fragment)' missing from: \(error)") }
        }
    }

    @Test("a config built in code that normalizes sequence data is refused, naming data.normalize")
    func normalizedInCode() throws {
        var config = RunConfig()
        config.data.source = .copy
        config.data.context = 4
        let error = try #require(throws: DataError.self) { try PreparedData.prepare(config) }
        #expect(error.description.contains("data.normalize = \"standardize\"") && error.description.contains("normalize = \"none\""), "\(error)")
        config.data.normalize = .none
        let prepared = try PreparedData.prepare(config)
        #expect(prepared.train.features.scalars.allSatisfy { $0 == $0.rounded() && (0...10).contains($0) })
    }

    @Test("the default text corpus (fortunes-min) loads from its three files",
          .enabled(if: Dataset.defaultTextCorpus.allSatisfy { FileManager.default.fileExists(atPath: $0) }, "needs fortunes-min (scripts/setup)"))
    func defaultCorpus() throws {
        let config = try RunConfig.parse("[data]\nsource = \"text\"\ncontext = 64\n", file: "text.toml")
        let prepared = try PreparedData.prepare(config)
        #expect(prepared.origin.paths == Dataset.defaultTextCorpus)
        let bytes = try Dataset.defaultTextCorpus.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        #expect(prepared.train.count == bytes.reduce(0) { $0 + ($1.count - 1) / 64 })
        #expect(prepared.train.vocabulary == Array(Set(bytes.flatMap { $0 })).sorted())
    }

    @Test("copy: after the separator every sequence repeats its first half; reproducible from the seed")
    func copyTask() {
        let data = Dataset.copyTask(count: 50, context: 8, symbols: 5, seed: 1)
        #expect(data.count == 50 && data.positions == 8 && data.classes == 6)
        expectSequenceContract(data)
        for i in 0..<data.count {
            let w = window(data, i)
            #expect(w[4] == 5 && w[0..<4].allSatisfy { (0..<5).contains($0) } && Array(w[5...]) == Array(w[0..<4]), "\(w)")
        }
        checkSeeds { Dataset.copyTask(count: 50, context: 8, symbols: 5, seed: $0) }
    }

    @Test("sort: after the separator every sequence holds its first half sorted; reproducible from the seed")
    func sortTask() {
        let data = Dataset.sortTask(count: 50, context: 10, symbols: 7, seed: 2)
        #expect(data.count == 50 && data.positions == 10 && data.classes == 8)
        expectSequenceContract(data)
        var unsorted = 0
        for i in 0..<data.count {
            let w = window(data, i)
            #expect(w[5] == 7 && w[0..<5].allSatisfy { (0..<7).contains($0) } && Array(w[6...]) == w[0..<5].sorted(), "\(w)")
            if w[0..<5].sorted() != Array(w[0..<5]) { unsorted += 1 }
        }
        #expect(unsorted > 40)  // the first halves are random, not sorted already
        checkSeeds { Dataset.sortTask(count: 50, context: 10, symbols: 7, seed: $0) }
    }

    @Test("modular addition: every equation a b = c has c = (a + b) mod p; reproducible from the seed",
          arguments: [9, 12])
    func modularAddition(context: Int) {
        let p = 11
        let data = Dataset.modularAddition(count: 60, context: context, modulus: p, seed: 3)
        #expect(data.count == 60 && data.positions == context && data.classes == p + 1)
        expectSequenceContract(data)
        var pairs = Set<[Int]>()
        for i in 0..<data.count {
            let w = window(data, i)
            #expect(w.count == context + 1)
            for e in stride(from: 0, to: w.count, by: 4) {
                let equation = Array(w[e..<min(e + 4, w.count)])
                #expect(equation.enumerated().allSatisfy { $0.offset == 2 ? $0.element == p : (0..<p).contains($0.element) }, "\(w)")
                if equation.count == 4 { #expect(equation[3] == (equation[0] + equation[1]) % p, "\(w)") }
                if equation.count >= 2 { pairs.insert(Array(equation.prefix(2))) }
            }
        }
        #expect(pairs.count > 80)  // a and b range over the residues
        checkSeeds { Dataset.modularAddition(count: 60, context: context, modulus: p, seed: $0) }
    }

    /// The same seed gives the same set (and content hash); another seed, another set.
    func checkSeeds(sourceLocation: SourceLocation = #_sourceLocation, _ make: (UInt64) -> Dataset) {
        let (a, b, c) = (make(7), make(7), make(8))
        #expect(a.features == b.features && a.labels == b.labels && a.provenance.sha256 == b.provenance.sha256, sourceLocation: sourceLocation)
        #expect(a.features != c.features && a.provenance.sha256 != c.provenance.sha256, sourceLocation: sourceLocation)
        #expect(a.provenance.sha256.count == 64 && a.provenance.paths.isEmpty, sourceLocation: sourceLocation)
    }

    @Test("a subset takes all of each example's labels; the one-hot targets follow")
    func subset() {
        let data = Dataset.copyTask(count: 6, context: 4, symbols: 3, seed: 0)
        let picked = data.subset([4, 1])
        #expect(picked.positions == 4 && picked.classes == 4 && picked.count == 2)
        #expect(window(picked, 0) == window(data, 4) && window(picked, 1) == window(data, 1))
        #expect(picked.targets == data.targets.rows(at: [4, 1]))
        expectSequenceContract(picked)
        // Every other data set has one label per example.
        #expect(Dataset.gaussianMixture(count: 9, dimension: 2, classes: 3, separation: 1, seed: 0).positions == 1)
    }
}
