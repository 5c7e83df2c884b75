import Foundation
import RunStore
import Testing
import Tensor
import Models
import Training

/// The repository root, found from this source file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A fresh temporary directory for one test.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("curv-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Runs a shell command (for gzip, sha256sum); returns its standard output.
func shell(_ command: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    let pipe = Pipe()
    process.standardOutput = pipe
    try ChildProcesses.spawn { try process.run() }
    process.waitUntilExit()
    return String(data: pipe.fileHandleForReading.readDataToEndOfFile(), encoding: .utf8) ?? ""
}

@Suite("Data sources")
struct DataTests {
    let digitsDirectory = repositoryRoot.appendingPathComponent("fixtures/digits")

    @Test("the bundled digits load as 1797 examples of 64 pixels 0-16 with labels 0-9 and a content hash")
    func digits() throws {
        let data = try Dataset.digits(in: digitsDirectory)
        #expect(data.features.shape == [1797, 64] && data.targets.shape == [1797, 10])
        #expect(data.features.scalars.allSatisfy { (0...16).contains($0) })
        #expect(Set(data.labels!) == Set(0..<10))
        // First row of scikit-learn's digits.csv: 0 0 5 13 9 1 0 0 ..., label 0.
        #expect(Array(data.features.scalars.prefix(6)) == [0, 0, 5, 13, 9, 1])
        #expect(data.labels![0] == 0 && data.targets[0, 0] == 1)
        let files = ["digits-images-idx3-ubyte", "digits-labels-idx1-ubyte"].map { digitsDirectory.appendingPathComponent($0).path }
        let expected = try shell("cat \(files.joined(separator: " ")) | sha256sum").prefix(64)
        #expect(data.provenance.sha256 == String(expected))
        let batch: Models.Batch<Float> = data.batch()
        #expect(batch.targets.sum() == 1797)
    }

    @Test("SHA-256 matches the FIPS test vectors")
    func sha256() {
        #expect(SHA256.hex(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test("gzip-compressed IDX files read the same as plain ones")
    func gzipIDX() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for name in ["digits-images-idx3-ubyte", "digits-labels-idx1-ubyte"] {
            _ = try shell("gzip -c \(digitsDirectory.appendingPathComponent(name).path) > \(dir.path)/\(name).gz")
        }
        let plain = try Dataset.digits(in: digitsDirectory)
        let zipped = try Dataset.idx(images: dir.appendingPathComponent("digits-images-idx3-ubyte.gz"),
                                     labels: dir.appendingPathComponent("digits-labels-idx1-ubyte.gz"))
        #expect(zipped.features == plain.features && zipped.labels == plain.labels)
        // A truncated gzip file is an error naming it.
        let whole = try Data(contentsOf: dir.appendingPathComponent("digits-images-idx3-ubyte.gz"))
        let cut = dir.appendingPathComponent("cut.gz")
        try whole.prefix(whole.count / 2).write(to: cut)
        do {
            _ = try Dataset.idx(images: cut, labels: dir.appendingPathComponent("digits-labels-idx1-ubyte.gz"))
            Issue.record("a truncated gzip file was accepted")
        } catch { #expect("\(error)".contains("cut.gz")) }
    }

    @Test("IDX element types decode big-endian values; bad files name the file and the problem")
    func idxFormat() throws {
        let int16 = Data([0, 0, 0x0B, 1, 0, 0, 0, 2, 0xFF, 0xFE, 0x01, 0x2C])
        #expect(try IDXArray(data: int16, name: "t").values == [-2, 300])
        let f32 = Data([0, 0, 0x0D, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0x3F, 0xC0, 0, 0])
        #expect(try IDXArray(data: f32, name: "t").values == [1.5])
        #expect(throws: DataError.self) { try IDXArray(data: Data([1, 2, 3, 4]), name: "x.idx") }
        do {
            _ = try IDXArray(data: Data([0, 0, 0x08, 1, 0, 0, 0, 5, 1, 2]), name: "short.idx")
            Issue.record("a truncated file was accepted")
        } catch { #expect("\(error)".contains("short.idx")) }
        do {
            _ = try Dataset.digits(in: URL(fileURLWithPath: "/nonexistent"))
            Issue.record("a missing file was accepted")
        } catch { #expect("\(error)".contains("/nonexistent/digits-images-idx3-ubyte")) }
    }

    @Test("IDX files that trapped: dimensions whose product overflows, labels that are not class indices, no features, no examples")
    func idxTraps() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func write(_ name: String, _ bytes: [UInt8]) throws -> URL {
            let url = dir.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            return url
        }
        func expectError(_ images: URL, _ labels: URL, _ fragments: [String], absent: [String] = []) {
            do {
                _ = try Dataset.idx(images: images, labels: labels)
                Issue.record("accepted \(images.lastPathComponent) with \(labels.lastPathComponent)")
            } catch {
                for f in fragments { #expect("\(error)".contains(f), "'\(f)' missing from: \(error)") }
                for f in absent { #expect(!"\(error)".contains(f), "'\(f)' in: \(error)") }
            }
        }
        let images = try write("images.idx", [0, 0, 8, 2, 0, 0, 0, 3, 0, 0, 0, 2] + [1, 2, 3, 4, 5, 6])
        let huge = try write("huge.idx", [0, 0, 8, 3] + [UInt8](repeating: 0xFF, count: 12) + [1, 2, 3])
        let labels = try write("labels.idx", [0, 0, 8, 1, 0, 0, 0, 3, 0, 1, 2])
        expectError(huge, labels, ["huge.idx", "4294967295", "file has 19 bytes"])
        func floatLabels(_ name: String, _ value: Float) throws -> URL {
            try write(name, [0, 0, 0x0D, 1, 0, 0, 0, 3] + [Float(0), 1, value].flatMap { v in withUnsafeBytes(of: v.bitPattern.bigEndian, Array.init) })
        }
        expectError(images, try floatLabels("inf.idx", .infinity), ["inf.idx", "label 2 is inf"])
        expectError(images, try floatLabels("nan.idx", .nan), ["nan.idx", "label 2 is nan"])
        expectError(images, try floatLabels("half.idx", 0.5), ["half.idx", "label 2 is 0.5"])
        let big = try write("big.idx", [0, 0, 0x0E, 1, 0, 0, 0, 3] + [0.0, 1.0, 1e300].flatMap { v in withUnsafeBytes(of: v.bitPattern.bigEndian, Array.init) })
        expectError(images, big, ["big.idx", "label 2 is 1e+300"])
        let noFeatures = try write("flat.idx", [0, 0, 8, 2, 0, 0, 0, 3, 0, 0, 0, 0])
        expectError(noFeatures, labels, ["flat.idx", "no values", "input feature"])
        let none = try write("none.idx", [0, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 2])
        let noLabels = try write("nolabels.idx", [0, 0, 8, 1, 0, 0, 0, 0])
        expectError(none, noLabels, ["none.idx", "0 examples"], absent: ["subset"])
    }

    @Test("a gzip IDX file is recognised by its magic bytes, whatever its name")
    func gzipWithoutSuffix() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for name in ["digits-images-idx3-ubyte", "digits-labels-idx1-ubyte"] {
            _ = try shell("gzip -c \(digitsDirectory.appendingPathComponent(name).path) > \(dir.path)/\(name)")
        }
        let zipped = try Dataset.digits(in: dir)
        #expect(zipped.features == (try Dataset.digits(in: digitsDirectory)).features)
    }

    @Test("CSV: NaN and infinite features or targets, huge labels and no feature columns are refused with file, line and column")
    func csvRefusals() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("d.csv")
        func expectError(_ text: String, label: Int?, targets: [Int] = [], _ fragments: [String]) throws {
            try text.write(to: file, atomically: true, encoding: .utf8)
            do {
                _ = try Dataset.csv(file, header: true, labelColumn: label, targetColumns: targets)
                Issue.record("accepted: \(text)")
            } catch {
                #expect("\(error)".contains(file.path), "\(error)")
                for f in fragments { #expect("\(error)".contains(f), "'\(f)' missing from: \(error)") }
            }
        }
        try expectError("a,b,label\n1,2,0\n3,nan,1\n", label: 2, ["line 3, column 2", "'nan' is not a finite number"])
        try expectError("a,b,label\n1,-inf,0\n", label: 2, ["line 2, column 2", "'-inf'"])
        try expectError("y,x\ninf,1\n2,3\n", label: nil, targets: [0], ["line 2, column 1", "'inf'"])
        try expectError("a,label\n1,1e300\n", label: 1, ["line 2, column 2", "label '1e300'"])
        try expectError("a,label\n" + (0..<50).map { "\($0),\($0 == 7 ? 999_999_999 : 0)\n" }.joined(), label: 1,
                        ["label '999999999' is not a whole number from 0 to \(Dataset.maximumClasses - 1)"])
        try expectError("label\n0\n1\n", label: 0, ["feature column"])
    }

    @Test("CIFAR-10 binary batches: labels and RGB planes in order; a wrong size is an error")
    func cifar() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var bytes = [UInt8]()
        for r in 0..<3 {
            bytes.append(UInt8(r * 3))
            bytes.append(contentsOf: (0..<3072).map { UInt8(($0 + r) % 256) })
        }
        let file = dir.appendingPathComponent("data_batch_1.bin")
        try Data(bytes).write(to: file)
        let data = try Dataset.cifar10(files: [file])
        #expect(data.labels == [0, 3, 6] && data.features.shape == [3, 3072])
        #expect(data.features[1, 0] == 1 && data.features[2, 3071] == Double((3071 + 2) % 256))
        try Data(bytes.dropLast()).write(to: file)
        #expect(throws: DataError.self) { try Dataset.cifar10(files: [file]) }
    }

    @Test("CSV: classification by a label column, regression by target columns, bad fields named")
    func csv() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("d.csv")
        try "a,b,label\n1,2,0\n3,4.5,2\n".write(to: file, atomically: true, encoding: .utf8)
        let classification = try Dataset.csv(file, header: true, labelColumn: 2)
        #expect(classification.labels == [0, 2] && classification.features.scalars == [1, 2, 3, 4.5])
        #expect(classification.outputDimension == 3)
        let regression = try Dataset.csv(file, header: true, labelColumn: nil, targetColumns: [0])
        #expect(regression.labels == nil && regression.targets.scalars == [1, 3] && regression.features.scalars == [2, 0, 4.5, 2])
        try "a,b,label\n1,x,0\n".write(to: file, atomically: true, encoding: .utf8)
        do {
            _ = try Dataset.csv(file, header: true, labelColumn: 2)
            Issue.record("a non-numeric field was accepted")
        } catch { #expect("\(error)".contains("line 2, column 2")) }
    }

    @Test("synthetic sets are reproducible from their seed and have the asked shapes")
    func synthetic() {
        let a = Dataset.gaussianMixture(count: 90, dimension: 5, classes: 3, separation: 3, seed: 4)
        let b = Dataset.gaussianMixture(count: 90, dimension: 5, classes: 3, separation: 3, seed: 4)
        #expect(a.features == b.features && a.labels == b.labels && a.provenance.sha256 == b.provenance.sha256)
        #expect(a.features.shape == [90, 5] && Set(a.labels!) == [0, 1, 2])
        let t = Dataset.teacherStudent(count: 50, teacherWidths: [4, 8, 2], noise: 0.1, seed: 1)
        #expect(t.features.shape == [50, 4] && t.targets.shape == [50, 2] && !t.isClassification)
        #expect(Dataset.teacherStudent(count: 50, teacherWidths: [4, 8, 2], noise: 0.1, seed: 2).targets != t.targets)
    }

    @Test("normalization is fitted on one set and applied to another; standardized columns have mean 0 and variance 1")
    func normalization() throws {
        let data = try Dataset.digits(in: digitsDirectory)
        let fitted = FeatureNormalization(.standardize, fittedTo: data.features)
        let x = fitted.apply(data.features)
        let (n, d) = (x.shape[0], x.shape[1])
        for j in 0..<d {
            let column = (0..<n).map { x[$0, j] }
            let mean = column.reduce(0, +) / Double(n)
            let variance = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
            #expect(abs(mean) < 1e-12 && (variance < 1e-12 || abs(variance - 1) < 1e-9))
        }
        let scaled = FeatureNormalization(.scale, fittedTo: data.features).apply(data.features)
        #expect(scaled.scalars.max() == 1 && scaled.scalars.min() == 0)
        let p = Dataset.permutation(10, seed: 3)
        #expect(p.sorted() == Array(0..<10) && p != Array(0..<10) && p == Dataset.permutation(10, seed: 3))
    }
}
