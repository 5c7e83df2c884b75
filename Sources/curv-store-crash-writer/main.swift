// Test helper for RunStoreTests' SIGKILL test: writes records to a run file in an endless loop
// and prints one line per record once its write (and flush) has returned:
//
//   created
//   metrics <i>        checkpoint <i>        spectrum <i>        event <i>
//
// The parent kills this process at a random moment, reopens the file and checks that every
// acknowledged record is intact. Record contents are deterministic functions of i; the same
// formulas live in Tests/RunStoreTests/CrashDrill.swift (keep the two in step).
//
//   curv-store-crash-writer RUN.h5 [--max N]

import Foundation
import RunStore

func values(_ i: Int, _ salt: Int, count: Int) -> [Float] {
    (0..<count).map { Float(sin(Double(i) * 0.37 + Double(salt) + Double($0) * 0.001)) }
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write("usage: curv-store-crash-writer RUN.h5 [--max N]\n".data(using: .utf8)!)
    exit(2)
}
let path = arguments[1]
let maximum = arguments.count >= 4 && arguments[2] == "--max" ? Int(arguments[3]) ?? Int.max : Int.max

setvbuf(stdout, nil, _IOLBF, 0)
do {
    let header = RunHeader(configTOML: "[run]\nname = \"crash\"\n", configJSON: "{\"run\":{\"name\":\"crash\"}}",
                           modelSpec: "{\"kind\":\"mlp\",\"widths\":[64,80,10]}", parameterCount: 64 * 80 + 80,
                           data: DataProvenance(name: "synthetic"))
    let writer = try RunWriter.create(at: path, header: header)
    print("created")
    var i = 0
    while i < maximum {
        try writer.appendMetrics(step: i, ["loss": 1 / Double(i + 1), "lr": 0.1 + Double(i % 5)])
        print("metrics \(i)")
        if i % 3 == 0 {
            let weights = [NamedArray(name: "w0", shape: [64, 80], values: values(i, 0, count: 64 * 80)),
                           NamedArray(name: "b0", shape: [80], values: values(i, 1, count: 80))]
            let gradients = [NamedArray(name: "w0", shape: [64, 80], values: values(i, 2, count: 64 * 80)),
                             NamedArray(name: "b0", shape: [80], values: values(i, 3, count: 80))]
            let momentum = [NamedArray(name: "w0", shape: [64, 80], values: values(i, 4, count: 64 * 80))]
            try writer.writeCheckpoint(Checkpoint(step: i, learningRate: 0.01 * Double(i), weights: weights,
                                                  gradients: gradients,
                                                  optimizer: OptimizerState(kind: "momentum", stepCount: i,
                                                                            hyperparameters: ["momentum": 0.9],
                                                                            slots: ["momentum": momentum])))
            print("checkpoint \(i)")
        }
        if i % 4 == 1 {
            let alpha = (0..<3).map { p in (0..<8).map { Double(i * 100 + p * 10 + $0) } }
            let beta = (0..<3).map { p in (0..<7).map { Double(i * 100 + p * 10 + $0) + 0.5 } }
            try writer.writeSpectrum(Spectrum(step: i, operator: .hessian, eigenvalues: [Double(i), 1],
                                              residuals: [1e-6, 1e-5], alpha: alpha, beta: beta, seed: UInt64(i),
                                              probeKind: "rademacher"))
            print("spectrum \(i)")
        }
        if i % 5 == 2 {
            try writer.appendEvent(RunEvent(step: i, kind: "loss_spike", detail: "event number \(i) ✓"))
            print("event \(i)")
        }
        i += 1
    }
    try writer.close()
    print("closed")
} catch {
    FileHandle.standardError.write("curv-store-crash-writer: \(error)\n".data(using: .utf8)!)
    exit(1)
}
