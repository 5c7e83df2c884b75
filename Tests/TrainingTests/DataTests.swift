import Foundation
import Testing
import Training

/// The repository root, found from this source file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite("Data files")
struct DataTests {
    @Test("the bundled digits load as 1797 examples of 64 pixels in [0, 1] with labels 0-9")
    func digits() throws {
        let data = try LabelledData.digits(in: repositoryRoot.appendingPathComponent("fixtures/digits"))
        #expect(data.features.shape == [1797, 64])
        #expect(data.classes == 10 && data.count == 1797)
        #expect(data.features.scalars.allSatisfy { (0...1).contains($0) })
        #expect(Set(data.labels) == Set(0..<10))
        // First row of scikit-learn's digits.csv: 0 0 5 13 9 1 0 0 ..., label 0.
        let firstPixels: [Double] = [0, 0, 5, 13, 9, 1].map { $0 / 16 }
        #expect(Array(data.features.scalars.prefix(6)) == firstPixels)
        #expect(data.labels[0] == 0)
        let batch = data.batch(as: Float.self)
        #expect(batch.targets.shape == [1797, 10] && batch.targets.sum() == 1797)
    }

    @Test("IDX element types decode big-endian values")
    func idxTypes() throws {
        // int16 vector [2] = {-2, 300}; float32 scalar matrix [1, 1] = {1.5}
        let int16 = Data([0, 0, 0x0B, 1, 0, 0, 0, 2, 0xFF, 0xFE, 0x01, 0x2C])
        #expect(try IDXArray(data: int16, name: "t").values == [-2, 300])
        let f32 = Data([0, 0, 0x0D, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0x3F, 0xC0, 0, 0])
        let a = try IDXArray(data: f32, name: "t")
        #expect(a.shape == [1, 1] && a.values == [1.5])
    }

    @Test("bad IDX files are errors that name the file and the problem")
    func badFiles() {
        #expect(throws: DataError.self) { try IDXArray(data: Data([1, 2, 3, 4]), name: "x.idx") }
        do {
            _ = try IDXArray(data: Data([0, 0, 0x08, 1, 0, 0, 0, 5, 1, 2]), name: "short.idx")
            Issue.record("a truncated file was accepted")
        } catch {
            #expect("\(error)".contains("short.idx") && "\(error)".contains("5"))
        }
        do {
            _ = try IDXArray(contentsOf: URL(fileURLWithPath: "/nonexistent/file-idx"))
            Issue.record("a missing file was accepted")
        } catch {
            #expect("\(error)".contains("/nonexistent/file-idx"))
        }
    }

    @Test("standardized features have zero mean and unit variance per non-constant column")
    func standardize() throws {
        let data = try LabelledData.digits(in: repositoryRoot.appendingPathComponent("fixtures/digits")).standardized()
        let (n, d) = (data.features.shape[0], data.features.shape[1])
        for j in 0..<d {
            let column = (0..<n).map { data.features[$0, j] }
            let mean = column.reduce(0, +) / Double(n)
            let variance = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
            #expect(abs(mean) < 1e-12)
            #expect(variance < 1e-12 || abs(variance - 1) < 1e-9)
        }
    }
}
