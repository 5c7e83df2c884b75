import Foundation
import TestSupport
@testable import Raster

/// Exact coverage of a path on a `width` x `height` grid, straight from the accumulator (no 8-bit rounding).
func coverageGrid(_ path: Path, width: Int, height: Int, rule: FillRule = .nonZero,
                  transform: Transform = .identity) -> [Float] {
    var grid = [Float](repeating: 0, count: width * height)
    var acc = CoverageAccumulator()
    acc.begin(PixelRect(x: 0, y: 0, width: width, height: height))
    acc.add(path.flattened(transform))
    acc.sweep(rule) { row, x, coverage in
        for (k, c) in coverage.enumerated() { grid[row * width + x + k] = c }
    }
    return grid
}

/// Total ink of a canvas in pixel areas: the sum of alpha over all pixels / 255.
func ink(_ canvas: Canvas) -> Double {
    var total = 0
    for i in stride(from: 3, to: canvas.pixels.count, by: 4) { total += Int(canvas.pixels[i]) }
    return Double(total) / 255
}

/// Relative error |observed - expected| / |expected|.
func relativeError(_ observed: Double, _ expected: Double) -> Double {
    abs(observed - expected) / abs(expected)
}

/// A fresh directory under the system temporary directory, removed by the caller.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("raster-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Path of an executable on PATH, or nil.
func findExecutable(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") {
        let candidate = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// Runs a program and returns (exit status, stdout + stderr).
@discardableResult
func run(_ executable: String, _ arguments: [String]) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try startChild(process)
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Exact coverage of closed polylines (e.g. stroke outlines) filled together.
func coverageGrid(polylines: [Polyline], width: Int, height: Int, rule: FillRule = .nonZero) -> [Float] {
    var grid = [Float](repeating: 0, count: width * height)
    var acc = CoverageAccumulator()
    acc.begin(PixelRect(x: 0, y: 0, width: width, height: height))
    acc.add(polylines)
    acc.sweep(rule) { row, x, coverage in
        for (k, c) in coverage.enumerated() { grid[row * width + x + k] = c }
    }
    return grid
}

/// Total exact ink of a stroke on a `size` x `size` grid.
func strokeInk(_ path: Path, _ style: StrokeStyle, size: Int = 100) -> Double {
    let canvas = Canvas(width: 1, height: 1)
    let outlines = canvas.strokeOutlines(path.flattened(), style: style)
    return Double(coverageGrid(polylines: outlines, width: size, height: size).reduce(0, +))
}
