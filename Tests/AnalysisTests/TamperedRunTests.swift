// Run files edited after recording (fixtures/bad/runs, made by scripts/make-bad-fixtures): each is
// refused with an error naming the file and the damage, before any Hessian product (before the
// fix, each trapped in the products or analysed an empty batch as all-zero eigenvalues).

import Analysis
import Foundation
import RunStore
import Testing

@Suite("Tampered run files")
struct TamperedRunTests {
    static let cases: [(file: String, fragments: [String])] = [
        ("hessian-wide-inputs.h5", ["/data/hessian_batch", "shape [12, 65]", "64 inputs"]),
        ("hessian-fewer-rows.h5", ["/data/hessian_batch", "5 input rows but 12 labels"]),
        ("hessian-empty.h5", ["/data/hessian_batch", "empty"]),
    ]

    @Test("a Hessian batch of the wrong width, with fewer rows than labels, or empty is refused", arguments: cases)
    func hessianBatch(file: String, fragments: [String]) throws {
        let path = repositoryRoot.appendingPathComponent("fixtures/bad/runs/\(file)").path
        let reader = try RunReader.open(path)
        defer { reader.close() }
        let error = try #require(throws: AnalysisError.self) { try RunModel<Double>(reader: reader) }
        #expect(error.description.contains(path), "\(error)")
        for fragment in fragments { #expect(error.description.contains(fragment), "'\(fragment)' missing from: \(error)") }
    }
}
