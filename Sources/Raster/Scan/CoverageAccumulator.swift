/// Scan conversion by exact signed-area accumulation (the idea behind font-rs and tiny-skia's AA fill).
///
/// For every line segment of a closed outline, each cell of a pixel region receives the signed area
/// the segment adds to the winding-number integral of that pixel and everything to its right on the same row.
/// A left-to-right prefix sum over a row then yields, per pixel, the exact mean winding number over the
/// pixel's area; `FillRule.coverage` turns that into coverage. No supersampling, no stair steps.
///
/// Coordinates given to `add` are canvas pixels (y down). The region is a `PixelRect`; geometry outside it
/// is clipped exactly: rows above and below are dropped, x is clamped to the region's left and right edges
/// (a segment left of the region covers the whole row to its right, which is what clamping gives).
///
/// Sparse bookkeeping: each row has a bitmap of the `blockSize`-cell blocks that received contributions.
/// The sweep reads only those blocks; between them the running sum is constant, so a run of untouched
/// blocks is either skipped (coverage 0) or emitted as constant coverage (inside a shape). The cell buffer
/// and bitmaps are kept between fills and are all zeros whenever no fill is in progress (the sweep clears
/// what it reads), so a fill costs time in proportion to its edges and inked area, not to its bounding box.
struct CoverageAccumulator {
    /// Cells per bookkeeping block (a power of two).
    static let blockShift = 4
    static let blockSize = 1 << blockShift

    private var cells: [Float] = []
    private var touched: [UInt64] = []
    private var coverageRow: [Float] = []
    private(set) var region = PixelRect(x: 0, y: 0, width: 0, height: 0)
    /// Cells per row: the region's width plus two sentinel columns for contributions at its right edge.
    private var stride = 0
    /// Bitmap words per row.
    private var wordsPerRow = 0

    /// Prepares an empty accumulation over `region` (which must not be empty).
    mutating func begin(_ region: PixelRect) {
        self.region = region
        stride = region.width + 2
        let blocks = (stride + Self.blockSize - 1) >> Self.blockShift
        wordsPerRow = (blocks + 63) >> 6
        if cells.count < stride * region.height { cells = [Float](repeating: 0, count: stride * region.height) }
        if touched.count < wordsPerRow * region.height {
            touched = [UInt64](repeating: 0, count: wordsPerRow * region.height)
        }
        if coverageRow.count < region.width { coverageRow = [Float](repeating: 0, count: region.width) }
    }

    /// Adds every segment of the polylines moved by `offset`, each closed back to its first point (fill semantics).
    mutating func add(_ polylines: [Polyline], offset: Point = .zero) {
        let region = self.region, stride = self.stride, wordsPerRow = self.wordsPerRow
        // Shifting the region the other way is the same as moving every point by `offset`.
        let originX = Double(region.x) - offset.x, originY = Double(region.y) - offset.y
        cells.withUnsafeMutableBufferPointer { c in
            touched.withUnsafeMutableBufferPointer { t in
                let edges = EdgeRasterizer(cells: c.baseAddress!, touched: t.baseAddress!, wordsPerRow: wordsPerRow,
                                           stride: stride, width: region.width, height: region.height,
                                           originX: originX, originY: originY)
                for line in polylines {
                    line.points.withUnsafeBufferPointer { pts in
                        guard pts.count > 1 else { return }
                        for k in 1..<pts.count { edges.addLine(pts[k - 1], pts[k]) }
                        edges.addLine(pts[pts.count - 1], pts[0])
                    }
                }
            }
        }
    }

    /// Turns the accumulated rows into coverage and hands each run of pixels with nonzero coverage to `body`
    /// as (canvas row, first canvas column, coverage of consecutive pixels from that column). Clears the cells.
    mutating func sweep(_ rule: FillRule, _ body: (Int, Int, UnsafeBufferPointer<Float>) -> Void) {
        let width = region.width, height = region.height, stride = self.stride, wordsPerRow = self.wordsPerRow
        let originX = region.x, originY = region.y
        let blockSize = Self.blockSize, blockShift = Self.blockShift
        let blocks = (stride + blockSize - 1) >> blockShift
        cells.withUnsafeMutableBufferPointer { a in
            touched.withUnsafeMutableBufferPointer { bits in
                coverageRow.withUnsafeMutableBufferPointer { out in
                    let out = out.baseAddress!
                    for row in 0..<height {
                        let words = bits.baseAddress! + row * wordsPerRow
                        var any: UInt64 = 0
                        for w in 0..<wordsPerRow { any |= words[w] }
                        if any == 0 { continue }
                        let rowCells = a.baseAddress! + row * stride
                        var acc: Float = 0
                        var spanStart = -1  // first column of the run being collected, -1 when none
                        func flush(_ end: Int) {
                            if spanStart >= 0 && end > spanStart {
                                body(originY + row, originX + spanStart,
                                     UnsafeBufferPointer(start: out + spanStart, count: end - spanStart))
                            }
                            spanStart = -1
                        }
                        var block = 0
                        while block < blocks {
                            let x0 = block << blockShift
                            let isTouched = words[block >> 6] & (1 << UInt64(block & 63)) != 0
                            if isTouched {
                                let x1 = min(x0 + blockSize, stride)
                                if spanStart < 0 { spanStart = x0 }
                                var i = x0
                                while i < x1 {
                                    acc += rowCells[i]
                                    rowCells[i] = 0
                                    if i < width { out[i] = rule.coverage(acc) }
                                    i += 1
                                }
                                block += 1
                                continue
                            }
                            // Untouched blocks up to the next touched one share one coverage value.
                            var next = block + 1
                            while next < blocks && words[next >> 6] & (1 << UInt64(next & 63)) == 0 { next += 1 }
                            let runEnd = min(next << blockShift, width)
                            let c = rule.coverage(acc)
                            if c > 0 && x0 < width {
                                if spanStart < 0 { spanStart = x0 }
                                for i in x0..<runEnd { out[i] = c }
                            } else {
                                flush(min(x0, width))
                            }
                            block = next
                        }
                        flush(width)
                        for w in 0..<wordsPerRow { words[w] = 0 }
                    }
                }
            }
        }
    }
}
