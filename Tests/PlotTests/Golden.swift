import Foundation
import Raster
import Testing

/// Golden-image comparison for Plot. `CURV_REGOLDEN=1 swift test --filter PlotTests` rewrites the goldens in
/// fixtures/plot/ (look at every one before committing); otherwise each image must match its golden within
/// `plotGoldenTolerance` per channel on all but `plotGoldenOutliers` channel values (antialiasing of text
/// may move by one level between compilers). On a mismatch the rendered image is written to the temporary
/// directory and its path is printed.
let plotGoldenTolerance = 3
let plotGoldenOutliers = 50

/// fixtures/plot, found from this source file's location.
let plotGoldenDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("fixtures/plot")

func checkPlotGolden(_ canvas: Canvas, _ name: String) throws {
    let url = plotGoldenDirectory.appendingPathComponent(name + ".png")
    if ProcessInfo.processInfo.environment["CURV_REGOLDEN"] == "1" {
        try FileManager.default.createDirectory(at: plotGoldenDirectory, withIntermediateDirectories: true)
        try canvas.writePNG(to: url.path, options: PNGOptions(compressionLevel: 9))
        print("golden rewritten: \(url.path)")
        return
    }
    guard FileManager.default.fileExists(atPath: url.path) else {
        Issue.record("missing golden \(url.path): run with CURV_REGOLDEN=1 and inspect the image")
        return
    }
    let golden = try RGBAImage(pngFile: url.path)
    let observed = canvas.image
    #expect(golden.width == observed.width && golden.height == observed.height, "size differs from golden \(name)")
    guard golden.width == observed.width, golden.height == observed.height else { return }
    var worst = 0, over = 0
    for i in 0..<golden.bytes.count {
        let d = abs(Int(golden.bytes[i]) - Int(observed.bytes[i]))
        worst = max(worst, d)
        if d > plotGoldenTolerance { over += 1 }
    }
    if over > plotGoldenOutliers {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-observed.png")
        try? canvas.writePNG(to: out.path)
        Issue.record("\(name): \(over) channel values differ by more than \(plotGoldenTolerance) (worst \(worst)); rendered image at \(out.path)")
    }
}
