// Run files edited after recording (fixtures/bad/runs, made by scripts/make-bad-fixtures): each is
// refused with an error naming the file and the damage, before any Hessian product (before the
// fix, each trapped in the products or analysed an empty batch as all-zero eigenvalues).

import Analysis
import CHDF5
import Foundation
import RunStore
import Testing
import Training

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

    // Found while checking what the runplan fuzz target reaches: DensityAnalysis rebuilt the
    // tridiagonals of earlier analyses unchecked, and Tridiagonal's precondition trapped on
    // mismatched lengths (RunReader.analyses() now leaves such an analysis out).
    @Test("--from-tridiagonals over an earlier analysis whose beta no longer matches its alpha uses the recorded spectrum instead of trapping")
    func mismatchedAnalysisTridiagonals() throws {
        let (path, _) = try smallRun()
        var request = DensityRequest()
        request.fromTridiagonals = true
        request.sigma = 0.02
        request.gridPoints = 100
        _ = try DensityAnalysis.run(path: path, request: request, progress: .quiet)   // analyses 0000-0002 at steps 0, 3, 6
        _ = curv_h5_silence_errors()
        let file = H5Fopen(path, curv_h5_acc_rdwr(), curv_h5_p_default())
        try #require(file >= 0)
        // alpha is [3][20]; a beta of [3][20] has one entry too many per probe.
        H5Ldelete(file, "/analyses/0000/beta", curv_h5_p_default())
        var dims: [hsize_t] = [3, 20]
        let space = H5Screate_simple(2, &dims, nil)
        let dataset = H5Dcreate2(file, "/analyses/0000/beta", curv_h5_ieee_f64le(), space, curv_h5_p_default(), curv_h5_p_default(), curv_h5_p_default())
        var values = [Double](repeating: 0.5, count: 60)
        #expect(H5Dwrite(dataset, curv_h5_native_double(), curv_h5_s_all(), curv_h5_s_all(), curv_h5_p_default(), &values) >= 0)
        H5Dclose(dataset); H5Sclose(space); H5Fclose(file)

        request.steps = .steps([0])
        let outcomes = try DensityAnalysis.run(path: path, request: request, progress: .quiet)
        #expect(outcomes.map(\.step) == [0] && outcomes.first?.analysis.source == "tridiagonals stored at step 0")
        #expect(outcomes.first?.analysis.beta.first?.count == 19)
    }

    // Found by the runplan fuzzer after 50 807 inputs: a negative analysis step reached
    // spectrumSeed's UInt64(step) through --from-tridiagonals' list of analysed steps.
    @Test("--from-tridiagonals over a run whose analysis step was edited to -5 analyses the real steps")
    func negativeAnalysisStep() throws {
        let (path, _) = try smallRun()
        var request = DensityRequest()
        request.fromTridiagonals = true
        request.sigma = 0.02
        request.gridPoints = 100
        _ = try DensityAnalysis.run(path: path, request: request, progress: .quiet)   // analyses 0000-0002 at steps 0, 3, 6
        _ = curv_h5_silence_errors()
        let file = H5Fopen(path, curv_h5_acc_rdwr(), curv_h5_p_default())
        try #require(file >= 0)
        let group = H5Gopen2(file, "/analyses/0000", curv_h5_p_default())
        let attribute = H5Aopen(group, "step", curv_h5_p_default())
        var step: Int64 = -5
        #expect(H5Awrite(attribute, curv_h5_native_int64(), &step) >= 0)
        H5Aclose(attribute); H5Gclose(group); H5Fclose(file)

        request.force = true
        let outcomes = try DensityAnalysis.run(path: path, request: request, progress: .quiet)
        #expect(outcomes.map(\.step) == [0, 3, 6])
        #expect(spectrumSeed(configSeed: 7, step: 3) == 7 * 1_000_003 + 3)
        _ = spectrumSeed(configSeed: -1, step: -5)   // total: no trap
    }
}
