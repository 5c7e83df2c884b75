// curv-bench-store: write and read back a checkpoint of 50 Float32 tensors (about 200 MB) with
// RunStore, uncompressed and compressed (deflate 4 + shuffle), and report median MB/s
// (1 MB = 10^6 bytes of tensor data). When python3 with h5py is available, scripts/bench-store-h5py
// times h5py on the same data, same chunk shapes and same filters, in the same run.
//
//   curv-bench-store [--repeats N] [--megabytes M] [--dir DIR] [--json] [--no-h5py]
//
// Keys: h5_write_mbps h5_read_mbps h5_write_gzip_mbps h5_read_gzip_mbps gzip_ratio
//       h5py_write_mbps h5py_read_mbps h5py_write_gzip_mbps h5py_read_gzip_mbps

import Foundation
import RunStore

struct Options {
    var repeats = 3
    var megabytes = 200.0
    var directory = FileManager.default.temporaryDirectory.path
    var json = false
    var h5py = true

    init(_ arguments: [String]) {
        var index = 0
        func value() -> String {
            index += 1
            guard index < arguments.count else { fail("missing value after \(arguments[index - 1])") }
            return arguments[index]
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--repeats": repeats = max(1, Int(value()) ?? { fail("--repeats takes a positive integer") }())
            case "--megabytes": megabytes = Double(value()) ?? { fail("--megabytes takes a number") }()
            case "--dir": directory = value()
            case "--json": json = true
            case "--no-h5py": h5py = false
            case "-h", "--help":
                print("usage: curv-bench-store [--repeats N] [--megabytes M] [--dir DIR] [--json] [--no-h5py]")
                exit(0)
            default: fail("unknown argument '\(arguments[index])' (try --help)")
            }
            index += 1
        }
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write("curv-bench-store: \(message)\n".data(using: .utf8)!)
    exit(2)
}

/// 50 tensors of varied shapes totalling about `megabytes` MB of Float32, with weight-like
/// values (approximately normal, scale 0.05; deterministic).
func makeTensors(megabytes: Double) -> [NamedArray<Float>] {
    let perTensor = Int(megabytes * 1e6 / 4 / 50)
    var state: UInt64 = 0x2545_F491_4F6C_DD1D
    func uniform() -> Float {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Float(state >> 40) / Float(1 << 24)
    }
    return (0..<50).map { index in
        let columns = [256, 512, 1024, 784, 100][index % 5]
        let rows = max(1, perTensor / columns)
        let values = (0..<(rows * columns)).map { _ in (uniform() + uniform() + uniform() - 1.5) * 0.1 }
        return NamedArray(name: "layer\(index).weight", shape: [rows, columns], values: values)
    }
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
let tensors = makeTensors(megabytes: options.megabytes)
let bytes = Double(tensors.reduce(0) { $0 + $1.values.count * 4 })
let header = RunHeader(configTOML: "", modelSpec: "{}", parameterCount: tensors.reduce(0) { $0 + $1.values.count },
                       data: DataProvenance(name: "bench"))
let checkpoint = Checkpoint(step: 0, learningRate: 0.1, weights: tensors,
                            optimizer: OptimizerState<Float>(kind: "sgd", stepCount: 0))
var results: [(String, Double)] = []
var plainPath = ""

do {
    for (label, compression) in [("", Compression.none), ("_gzip", Compression.standard)] {
        let path = (options.directory as NSString).appendingPathComponent("curv-bench-store-\(getpid())\(label).h5")
        var writes: [Double] = [], reads: [Double] = []
        for _ in 0..<options.repeats {
            writes.append(try seconds {
                let writer = try RunWriter.create(at: path, header: header,
                                                  options: .init(overwrite: true, compression: compression))
                try writer.writeCheckpoint(checkpoint)
                try writer.close()
            })
            var read: Checkpoint<Float>?
            reads.append(try seconds {
                let reader = try RunReader.open(path)
                read = try reader.checkpoint(at: 0, as: Float.self)
                reader.close()
            })
            guard read?.weights.count == tensors.count else { fail("read back \(read?.weights.count ?? 0) tensors") }
        }
        results.append(("h5_write\(label)_mbps", bytes / median(writes) / 1e6))
        results.append(("h5_read\(label)_mbps", bytes / median(reads) / 1e6))
        if label.isEmpty {
            plainPath = path
        } else {
            let size = Double((try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
            results.append(("gzip_ratio", size / bytes))
            try? FileManager.default.removeItem(atPath: path)
        }
    }
} catch {
    fail("\(error)")
}

// h5py on the same data: the script reads the uncompressed file written above.
if options.h5py {
    // Run from the package root (as scripts/bench does); fall back to the source tree's location.
    let relative = "scripts/bench-store-h5py"
    let script = FileManager.default.fileExists(atPath: relative) ? relative
        : URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(relative).path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script, plainPath, "--repeats", String(options.repeats)]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.standardError
    if FileManager.default.fileExists(atPath: script), (try? process.run()) != nil {
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus == 0,
           let object = try? JSONSerialization.jsonObject(with: output) as? [String: Double] {
            for key in object.keys.sorted() { results.append((key, object[key]!)) }
        }
    }
}
try? FileManager.default.removeItem(atPath: plainPath)

if options.json {
    let members = results.map { "\"\($0.0)\": \(String(format: "%.4g", $0.1))" }
    print("{" + (["\"h5_tensor_megabytes\": \(String(format: "%.1f", bytes / 1e6))", "\"repeats\": \(options.repeats)"]
                 + members).joined(separator: ", ") + "}")
} else {
    print(String(format: "checkpoint: 50 Float32 tensors, %.1f MB, median of %d", bytes / 1e6, options.repeats))
    for (key, value) in results { print(key.padding(toLength: 24, withPad: " ", startingAt: 0) + String(format: "%.1f", value)) }
}
