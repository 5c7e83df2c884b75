import Foundation
import Raster
import Testing

/// Compares a rendered canvas with the golden PNG at `url`, channel by channel.
///
/// Passes when at most `max(allowedOutliers, allowedOutlierFraction x channels)` channel values differ
/// by more than `tolerance` levels (text antialiasing may move by a level between compilers; recorded
/// numbers may differ in the last bits between BLAS builds). On a mismatch the rendered image is
/// written to the temporary directory and its path is reported. With `CURV_REGOLDEN=1` in the
/// environment the golden is rewritten instead: look at every rewritten image before committing it.
public func expectMatchesGolden(_ canvas: Canvas, _ url: URL, tolerance: Int = 3, allowedOutliers: Int = 0,
                                allowedOutlierFraction: Double = 0) throws {
    let name = url.deletingPathExtension().lastPathComponent
    if ProcessInfo.processInfo.environment["CURV_REGOLDEN"] == "1" {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try canvas.writePNG(to: url.path, options: PNGOptions(compressionLevel: 9, filter: .adaptive))
        print("golden rewritten: \(url.path)")
        return
    }
    guard FileManager.default.fileExists(atPath: url.path) else {
        Issue.record("missing golden \(url.path): run with CURV_REGOLDEN=1 and inspect the image")
        return
    }
    let golden = try RGBAImage(pngFile: url.path), observed = canvas.image
    guard golden.width == observed.width, golden.height == observed.height else {
        Issue.record("\(name): size \(observed.width)x\(observed.height) differs from the golden's \(golden.width)x\(golden.height)")
        return
    }
    let (over, worst) = channelDifferences(golden, observed, tolerance: tolerance)
    let allowed = max(allowedOutliers, Int(allowedOutlierFraction * Double(golden.bytes.count)))
    if over > allowed {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-observed.png")
        try? canvas.writePNG(to: out.path)
        Issue.record("\(name): \(over) channel values differ by more than \(tolerance) (allowed \(allowed), worst \(worst)); rendered image at \(out.path)")
    }
}

/// How many channel values of `b` differ from `a`'s by more than `tolerance`, and the largest difference.
public func channelDifferences(_ a: RGBAImage, _ b: RGBAImage, tolerance: Int = 3) -> (over: Int, worst: Int) {
    precondition(a.width == b.width && a.height == b.height, "channelDifferences: sizes differ")
    var worst = 0, over = 0
    for i in 0..<a.bytes.count {
        let d = abs(Int(a.bytes[i]) - Int(b.bytes[i]))
        worst = max(worst, d)
        if d > tolerance { over += 1 }
    }
    return (over, worst)
}
