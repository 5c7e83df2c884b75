import Foundation
import Raster
import TestSupport

/// Raster goldens live in fixtures/raster; `CURV_REGOLDEN=1 swift test --filter RasterTests` rewrites them.
/// Every channel must match within 3 levels.
func checkGolden(_ canvas: Canvas, _ name: String) throws {
    let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/raster")
    try expectMatchesGolden(canvas, directory.appendingPathComponent(name + ".png"))
}
