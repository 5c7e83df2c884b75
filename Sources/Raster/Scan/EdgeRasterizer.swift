/// The inner loop of `CoverageAccumulator`: adds line segments' signed areas to its cell buffer.
/// Holds raw pointers into the accumulator's arrays for the duration of one `add` call (no per-row
/// array access overhead); never stored.
struct EdgeRasterizer {
    let cells: UnsafeMutablePointer<Float>
    /// Per-row bitmaps of touched blocks (see `CoverageAccumulator`), `wordsPerRow` words each.
    let touched: UnsafeMutablePointer<UInt64>
    let wordsPerRow: Int
    /// Cells per row (region width + 2 sentinel columns).
    let stride: Int
    /// Region size in pixels.
    let width: Int
    let height: Int
    /// Canvas coordinates of the region's top-left corner (fractional when points are offset).
    let originX: Double
    let originY: Double

    /// Adds the directed segment p0 -> p1 given in canvas pixels. A segment going down (increasing y)
    /// adds positive winding. Clipping to the region is exact (see `CoverageAccumulator`).
    @inline(__always)
    func addLine(_ p0: Point, _ p1: Point) {
        var x0 = p0.x - originX, y0 = p0.y - originY
        var x1 = p1.x - originX, y1 = p1.y - originY
        guard y0 != y1, x0.isFinite, x1.isFinite, y0.isFinite, y1.isFinite else { return }
        var dir: Double = 1
        if y0 > y1 {
            swap(&x0, &x1)
            swap(&y0, &y1)
            dir = -1
        }
        let h = Double(height), w = Double(width)
        if y1 <= 0 || y0 >= h { return }
        let dxdy = (x1 - x0) / (y1 - y0)
        if y0 < 0 {
            x0 += (0 - y0) * dxdy
            y0 = 0
        }
        if y1 > h {
            x1 -= (y1 - h) * dxdy
            y1 = h
        }
        if x0 >= 0, x1 >= 0, x0 <= w, x1 <= w {
            accumulate(x0, y0, x1, y1, dir)
            return
        }
        // Split where the segment crosses the region's left and right edges, then clamp x into [0, w]:
        // a part left of the region covers its whole row, exactly like the same part moved onto x = 0.
        var ys = [y0, y1]
        for edge in [0.0, w] where (x0 < edge) != (x1 < edge) {
            ys.append(y0 + (edge - x0) / (x1 - x0) * (y1 - y0))
        }
        ys.sort()
        for k in 0..<(ys.count - 1) where ys[k + 1] > ys[k] {
            let xa = x0 + (ys[k] - y0) * dxdy, xb = x0 + (ys[k + 1] - y0) * dxdy
            accumulate(min(max(xa, 0), w), ys[k], min(max(xb, 0), w), ys[k + 1], dir)
        }
    }

    /// Accumulates a segment inside the region, y0 < y1, going down when dir = 1, one row at a time,
    /// and marks the blocks of the segment's column range as touched in each of its rows.
    @inline(__always)
    private func accumulate(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, _ dir: Double) {
        let dxdy = (x1 - x0) / (y1 - y0)
        let firstRow = Int(y0)
        let lastRow = min(Int(y1.rounded(.up)) - 1, height - 1)
        guard firstRow <= lastRow else { return }
        let xMin = min(x0, x1), xMax = max(x0, x1)
        let column = cellIndex(xMin)
        if xMax <= Double(column) + 1 {
            // Steep segment inside one column (the common case for outlines of thin strokes and glyph stems).
            let left = Double(column)
            var y = y0, x = x0
            var a = cells + firstRow * stride + column
            for row in firstRow...lastRow {
                let yEnd = min(Double(row + 1), y1)
                let xEnd = row == lastRow ? x1 : x0 + (yEnd - y0) * dxdy
                let d = dir * (yEnd - y)
                let mid = (x + xEnd) * 0.5 - left
                a[0] += Float(d * (1 - mid))
                a[1] += Float(d * mid)
                x = xEnd
                y = yEnd
                a += stride
            }
            markRows(firstRow, lastRow, column, column + 1)
            return
        }
        var y = y0, x = x0
        for row in firstRow...lastRow {
            let yEnd = min(Double(row + 1), y1)
            let xEnd = row == lastRow ? x1 : x0 + (yEnd - y0) * dxdy
            accumulateRow(cells + row * stride, x, xEnd, dir * (yEnd - y))
            x = xEnd
            y = yEnd
        }
        markRows(firstRow, lastRow, column, cellIndex(xMax) + 1)
    }

    /// Marks the blocks holding columns lo...hi as touched in rows first...last.
    @inline(__always)
    private func markRows(_ first: Int, _ last: Int, _ lo: Int, _ hi: Int) {
        let b0 = lo >> CoverageAccumulator.blockShift, b1 = hi >> CoverageAccumulator.blockShift
        if b0 == b1 {
            let word = b0 >> 6, bit: UInt64 = 1 << UInt64(b0 & 63)
            var p = touched + first * wordsPerRow + word
            for _ in first...last {
                p.pointee |= bit
                p += wordsPerRow
            }
            return
        }
        for row in first...last {
            let words = touched + row * wordsPerRow
            for b in b0...b1 { words[b >> 6] |= 1 << UInt64(b & 63) }
        }
    }

    /// Adds the part of a segment inside one row (cells `a`): it spans x from xa to xb (any order) and has
    /// signed height d. The area right of the segment within a column is what the column's cell accumulates
    /// (minus what the columns to its left already passed on), so the row's prefix sum is each pixel's mean
    /// winding number.
    @inline(__always)
    private func accumulateRow(_ a: UnsafeMutablePointer<Float>, _ xa: Double, _ xb: Double, _ d: Double) {
        let x0 = min(xa, xb), x1 = max(xa, xb)
        let i0 = cellIndex(x0)
        let left = Double(i0)
        if x1 <= left + 1 {
            // Within one column: the part right of the segment has mean width 1 - (mid - i0).
            let mid = (x0 + x1) * 0.5 - left
            a[i0] += Float(d * (1 - mid))
            a[i0 + 1] += Float(d * mid)
            return
        }
        // Across columns: the covered area c(j) up to column j grows linearly, quadratically at each end.
        let i1 = max(cellIndex(x1), i0)
        let s = d / (x1 - x0)
        let wA = left + 1 - x0
        var previous = s * wA * wA * 0.5
        a[i0] += Float(previous)
        var j = i0 + 1
        while j < i1 {
            let c = s * (Double(j) - x0 + 0.5)
            a[j] += Float(c - previous)
            previous = c
            j += 1
        }
        let wB = x1 - Double(i1)
        let cEnd = s * (Double(i1) - x0 + wB * (1 - 0.5 * wB))
        a[i1] += Float(cEnd - previous)
        a[i1 + 1] += Float(d - cEnd)
    }

    /// A column index i with i <= x <= i + 1 for 0 <= x < 2^50, without the range checks of `Int(x)`
    /// (the coverage formulas hold for either neighbour when x is a whole number). Adding 1.5 * 2^52 rounds
    /// x - 0.5 to an integer in the low mantissa bits.
    @inline(__always)
    private func cellIndex(_ x: Double) -> Int {
        let shifted = (x - 0.5) + 6_755_399_441_055_744.0
        return Int(truncatingIfNeeded: Int32(truncatingIfNeeded: shifted.bitPattern))
    }
}
