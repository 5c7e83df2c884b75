import Foundation
import Raster
import TestSupport

/// Plot element goldens live in fixtures/plot; `CURV_REGOLDEN=1 swift test --filter PlotTests` rewrites them.
/// Up to 50 channel values may differ by more than 3 levels (text antialiasing between compilers).
func checkPlotGolden(_ canvas: Canvas, _ name: String) throws {
    let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/plot")
    try expectMatchesGolden(canvas, directory.appendingPathComponent(name + ".png"), allowedOutliers: 50)
}
