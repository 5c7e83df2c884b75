// curv-raster-bench: times the issue-6 raster scene (render + PNG encode) and prints `raster_scene_ms`.
// Usage: curv-raster-bench [--runs N] [--out FILE.png] [--level 0-9] [--filter none|sub|up|adaptive]
//                          [--strategy standard|rle|huffman] [--threads N] [--sections]
import CAllocator
import Foundation
import Raster

curv_keep_freed_memory()
var runs = 15
var out = FileManager.default.temporaryDirectory.appendingPathComponent("curv-raster-bench.png").path
var options = PNGOptions.fast
options.text = [("Software", "curv-raster-bench")]
var sections = false
let usage = "usage: curv-raster-bench [--runs N] [--out FILE.png] [--level 0-9] [--filter none|sub|up|adaptive] [--strategy standard|rle|huffman] [--threads N] [--sections]\n"

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(message.utf8))
    exit(2)
}

var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    switch (flag, arguments.first) {
    case ("--runs", let v?): runs = Int(v) ?? runs; arguments.removeFirst()
    case ("--out", let v?): out = v; arguments.removeFirst()
    case ("--level", let v?): options.compressionLevel = Int(v) ?? options.compressionLevel; arguments.removeFirst()
    case ("--filter", let v?):
        arguments.removeFirst()
        switch v {
        case "none": options.filter = .none
        case "sub": options.filter = .sub
        case "up": options.filter = .up
        case "adaptive": options.filter = .adaptive
        default: fail("unknown filter '\(v)'\n" + usage)
        }
    case ("--strategy", let v?):
        arguments.removeFirst()
        switch v {
        case "standard": options.strategy = .standard
        case "rle": options.strategy = .runLength
        case "huffman": options.strategy = .huffmanOnly
        default: fail("unknown strategy '\(v)'\n" + usage)
        }
    case ("--threads", let v?): options.threads = Int(v) ?? options.threads; arguments.removeFirst()
    case ("--sections", _): sections = true
    default: fail(usage)
    }
}

func milliseconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

let scene = Scene()
_ = Font.dejaVuSans.measure("warm up", size: 12)  // decode the embedded font outside the timings
/// Medians of (render + encode, render, encode) over `runs` scenes written with `options`.
func measure(_ options: PNGOptions) throws -> (Double, Double, Double) {
    var total: [Double] = [], render: [Double] = [], encode: [Double] = []
    for _ in 0..<max(1, runs) {
        var canvas: Canvas?
        let r = milliseconds { canvas = scene.render() }
        let e = try milliseconds { try canvas!.writePNG(to: out, options: options) }
        render.append(r)
        encode.append(e)
        total.append(r + e)
    }
    return (median(total), median(render), median(encode))
}

var total = 0.0, render = 0.0, encode = 0.0, singleThread = 0.0
do {
    (total, render, encode) = try measure(options)
    var one = options
    one.threads = 1
    singleThread = try measure(one).0
} catch {
    FileHandle.standardError.write(Data("curv-raster-bench: \(error)\n".utf8))
    exit(1)
}
print(String(format: "raster_scene_ms %.2f", total))
print(String(format: "raster_render_ms %.2f", render))
print(String(format: "raster_png_ms %.2f", encode))
print(String(format: "raster_scene_1thread_ms %.2f", singleThread))
print("raster_png_options level=\(options.compressionLevel) filter=\(options.filter) strategy=\(options.strategy) threads=\(options.threads == 0 ? "auto" : String(options.threads))")
print("raster_scene_png \(out)")
if sections {
    var parts: [String: [Double]] = [:]
    for _ in 0..<max(1, runs) {
        for (name, ms) in scene.timedSections { body in milliseconds(body) } { parts[name, default: []].append(ms) }
    }
    for name in ["canvas", "line", "markers", "labels"] {
        print(String(format: "raster_%@_ms %.2f", name, median(parts[name] ?? [0])))
    }
}
