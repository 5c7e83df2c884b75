// Every committed fuzz input (seeds and the regression-* inputs that once crashed a reader) run
// through its fuzz target in the ordinary test build: a reader change that brings back a crash
// fails here, without building the fuzzers.

import CurvatureFuzz
import Foundation
import Testing

@Suite("Fuzz corpus")
struct CorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fuzz/corpus")

    @Test("each target's committed inputs run without trapping", arguments: FuzzTarget.allCases)
    func replay(target: FuzzTarget) throws {
        let directory = Self.corpus.appendingPathComponent(target.rawValue)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names.contains { $0.hasPrefix("seed-") }, "no seeds in \(directory.path)")
        for name in names {
            target.run([UInt8](try Data(contentsOf: directory.appendingPathComponent(name))))
        }
    }
}
