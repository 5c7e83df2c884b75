// The bad-input corpus (fixtures/bad/, README there): every tool is run over every input that
// once ended in a trap, an abort, a hang or a misleading message. Each must exit with its
// documented status and a message naming the file and the problem, and leave every file as it
// was, creating none.

import Foundation
import Testing

/// One run of one tool over one bad input.
struct BadInput: CustomTestStringConvertible, Sendable {
    let tool: String
    /// The bad input, relative to the repository (named in the message).
    let input: String
    let extra: [String]
    /// Words the message must contain besides the input's name.
    let problem: [String]
    /// The file the message must name, when it is not `input` (a data file a config points at).
    let names: String?
    var status: Int32 = 1

    init(_ tool: String, _ input: String, _ extra: [String] = [], _ problem: [String], names: String? = nil) {
        self.tool = tool; self.input = input; self.extra = extra; self.problem = problem; self.names = names
    }

    var testDescription: String { "\(tool) \(input) \(extra.joined(separator: " "))" }

    var arguments: [String] {
        switch tool {
        case "curv-record": return [input, "--out", "out.h5", "--quiet"] + extra
        case "curv-plot": return [extra[0], input, "--out", "out.png", "--quiet"] + extra.dropFirst()
        case "curv-density": return [input, "--quiet", "--probes", "2", "--lanczos", "4"] + extra
        default: return [input] + extra
        }
    }
}

@Suite("Bad-input corpus")
struct BadInputCorpusTests {
    static let configs = "fixtures/bad/configs/", data = "fixtures/bad/data/", runs = "fixtures/bad/runs/"

    static let cases: [BadInput] = [
        // Schedules and step counts that overflowed or never advanced.
        BadInput("curv-record", configs + "checkpoint-geometric-1e19.toml", [], ["record.checkpoint_geometric = 1e+19", "1.01 to 1000000"]),
        BadInput("curv-record", configs + "spectrum-geometric-1e300.toml", [], ["record.spectrum_geometric = 1e+300"]),
        BadInput("curv-record", configs + "checkpoint-geometric-stuck.toml", [], ["record.checkpoint_geometric = 1.0000000001", "close to 1"]),
        BadInput("curv-record", configs + "steps-int64-max.toml", [], ["steps = 9223372036854775807", "<= 1000000000"]),
        BadInput("curv-record", configs + "checkpoint-beyond-steps.toml", [], ["record.checkpoint_at", "step 50 beyond steps = 20"]),
        // Models and data too large for memory, parameter counts that overflow.
        BadInput("curv-record", configs + "parameter-overflow.toml", [], ["4000000000", "64-bit"]),
        BadInput("curv-record", configs + "layer-100000x100000.toml", [], ["needs about", "TB of memory", "this machine has"]),
        BadInput("curv-record", configs + "synthetic-800gb.toml", [], ["100000000 examples of 1000 features", "needs about"]),
        BadInput("curv-record", configs + "csv-billion-label.toml", [], ["label '999999999' is not a whole number from 0 to 65535"], names: data + "billion-label.csv"),
        // Values that do not convert; shapes with nothing in them.
        BadInput("curv-record", configs + "idx-label-1e300.toml", [], ["label 2 is 1e+300"], names: data + "labels-1e300.idx"),
        BadInput("curv-record", configs + "idx-label-inf.toml", [], ["label 2 is inf"], names: data + "labels-inf.idx"),
        BadInput("curv-record", configs + "idx-label-nan.toml", [], ["label 2 is nan"], names: data + "labels-nan.idx"),
        BadInput("curv-record", configs + "idx-zero-features.toml", [], ["[3, 0]", "input feature"], names: data + "images-zero-features.idx"),
        BadInput("curv-record", configs + "idx-huge-dims.toml", [], ["4294967295", "file has 28 bytes"], names: data + "images-huge-dims.idx"),
        BadInput("curv-record", configs + "idx-zero-examples.toml", [], ["holds 0 examples"], names: data + "images-zero-examples.idx"),
        BadInput("curv-record", configs + "csv-nan-feature.toml", [], ["line 4, column 1", "'nan' is not a finite number"], names: data + "nan-feature.csv"),
        BadInput("curv-record", configs + "csv-inf-target.toml", [], ["line 4, column 1", "'inf' is not a finite number"], names: data + "inf-target.csv"),
        BadInput("curv-record", configs + "csv-no-features.toml", [], ["feature column"], names: data + "label-only.csv"),
        BadInput("curv-record", configs + "nul-byte.toml", [], [":6:7", "NUL byte"]),
        // Run files edited after recording.
        BadInput("curv-density", runs + "hessian-wide-inputs.h5", [], ["/data/hessian_batch", "shape [12, 65]", "64 inputs"]),
        BadInput("curv-density", runs + "hessian-fewer-rows.h5", [], ["/data/hessian_batch", "5 input rows but 12 labels"]),
        BadInput("curv-density", runs + "hessian-empty.h5", [], ["/data/hessian_batch", "empty"]),
        // Readers skip what is not a complete record (a killed writer's leftovers, a stray name).
        BadInput("curv-density", runs + "checkpoint-minus-5.h5", [], ["the run has no checkpoints"]),
        BadInput("curv-density", runs + "tridiagonal-mismatch.h5", ["--from-tridiagonals"], ["/spectra/4/hessian", "alpha [2][6] and beta [2][2]"]),
        BadInput("curv-plot", runs + "tridiagonal-mismatch.h5", ["density"], ["/spectra/4/hessian", "do not match"]),
        BadInput("curv-plot", runs + "tridiagonal-mismatch.h5", ["spectrum"], ["/spectra/4/hessian", "do not match"]),
    ]

    @Test("each tool refuses each bad input with its status and a message naming the file and the problem, changing nothing",
          arguments: cases)
    func refuses(_ bad: BadInput) throws {
        // A scratch copy of the corpus (and the digits the tampered runs name), so that a tool that
        // wrongly writes cannot touch the repository; configs name data relative to their own folder,
        // tampered runs relative to the working directory (as older run files did).
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fixtures = dir.appendingPathComponent("fixtures")
        try FileManager.default.createDirectory(at: fixtures, withIntermediateDirectories: true)
        for name in ["bad", "digits"] {
            try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("fixtures/\(name)"), to: fixtures.appendingPathComponent(name))
        }
        let before = tree(dir)
        let result = try tool(bad.tool, bad.arguments, in: dir, timeout: 120)
        #expect(result.status == bad.status, "exit status \(result.status); stderr: \(result.stderr)")
        let message = result.stderr
        #expect(message.hasPrefix("\(bad.tool): "), "\(message)")
        #expect(message.contains(bad.names ?? bad.input), "the message does not name \(bad.names ?? bad.input): \(message)")
        for word in bad.problem { #expect(message.contains(word), "'\(word)' missing from: \(message)") }
        #expect(changes(before, tree(dir)).isEmpty, "files created or changed: \(changes(before, tree(dir)))")
    }

    @Test("every file in the corpus is used by a case")
    func everyFileUsed() throws {
        var used = Set(Self.cases.map(\.input))
        for bad in Self.cases { if let names = bad.names { used.insert(names) } }
        // Companion files a config points at beside the one named in its message.
        used.formUnion([Self.data + "images-3x2x2.idx", Self.data + "labels-3.idx", Self.data + "labels-zero-examples.idx"])
        for folder in [Self.configs, Self.data, Self.runs] {
            for name in try FileManager.default.contentsOfDirectory(atPath: repositoryRoot.appendingPathComponent(folder).path)
            where name != "README.md" {
                #expect(used.contains(folder + name), "\(folder + name) is not used by any case")
            }
        }
    }
}
