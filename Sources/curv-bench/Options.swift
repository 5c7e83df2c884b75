// curv-bench's command line: its options, --help and --version.

import Foundation
import RunStore

struct Options {
    static let usage = """
        OVERVIEW: Benchmarks: the tensor core, autodiff, Lanczos, SLQ, tracking and recording on the benchmark
        models, each figure printed beside this machine's own SGEMM speed measured in the same run (scripts/bench
        runs it; docs/performance.md names the models).

        USAGE: curv-bench [--json] [--repeats N] [--data DIR] [--no-slq] [--no-density] [--no-tracking]
                          [--no-recording] [--profile [cnn-|resnet-|transformer-]grad|hvp|remembered|loss|measure|conv|sgemm]

        OPTIONS:
          --json            one JSON object of every figure (keys: docs/performance.md)
          --repeats N       timed repetitions per figure; the median is reported (default 15)
          --data DIR        the digits IDX files (default fixtures/digits)
          --no-slq, --no-density, --no-tracking, --no-recording
                            leave out those (slower) sections
          --profile WHAT    run only one model's gradient, HVP, remembered HVP or loss --repeats times and print
                            the mean time: a loop to put under perf (M2 by default; cnn-, resnet-, transformer-);
                            sgemm prints this machine's SGEMM GFLOP/s alone (median)
          --version         print the version
          -h, --help        show this help

        Exit status: 0 success; 64 usage error.
        """
    var json = false
    var repeats = 15
    var data = "fixtures/digits"
    var slq = true
    var density = true
    var tracking = true
    var recording = true
    var profile = ""

    init(_ args: [String]) {
        var it = args.makeIterator()
        while let a = it.next() {
            switch a {
            case "--json": json = true
            case "--repeats": repeats = Int(it.next() ?? "") ?? repeats
            case "--data": data = it.next() ?? data
            case "--no-slq": slq = false
            case "--no-density": density = false
            case "--no-tracking": tracking = false
            case "--no-recording": recording = false
            case "--profile": profile = it.next() ?? ""
            case "--help", "-h":
                print(Options.usage)
                exit(0)
            case "--version":
                print(RunFormat.software)
                exit(0)
            default:
                FileHandle.standardError.write("curv-bench: unknown option \(a)\n\n\(Options.usage)\n".data(using: .utf8)!)
                exit(64)
            }
        }
    }
}
