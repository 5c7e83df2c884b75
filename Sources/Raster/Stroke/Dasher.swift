/// Cuts polylines into dashes. Lengths are in canvas pixels along the polyline.
///
/// `pattern` alternates on and off lengths, starting with on; an odd-length pattern repeats twice
/// (as SVG does) so on and off alternate. `phase` is how far into the pattern the first point lies.
/// A pattern that is empty, has a negative entry, or sums to zero leaves the polylines solid.
struct Dasher {
    let pattern: [Double]
    let phase: Double

    init(pattern: [Double], phase: Double) {
        self.pattern = pattern.count % 2 == 1 ? pattern + pattern : pattern
        self.phase = phase
    }

    var isSolid: Bool {
        pattern.isEmpty || pattern.contains { $0 < 0 || !$0.isFinite } || pattern.reduce(0, +) <= 0
    }

    /// The "on" pieces of `line` as open polylines (a closed polyline is walked around back to its start).
    func dash(_ line: Polyline) -> [Polyline] {
        guard !isSolid else { return [line] }
        var pts = line.points
        if line.closed, let first = pts.first { pts.append(first) }
        let total = pattern.reduce(0, +)
        var offset = phase.truncatingRemainder(dividingBy: total)
        if offset < 0 { offset += total }
        var index = 0
        while offset > 0 && offset >= pattern[index] {
            offset -= pattern[index]
            index = (index + 1) % pattern.count
        }
        var remaining = pattern[index] - offset  // length left in the current pattern entry
        var on = index % 2 == 0
        var pieces: [Polyline] = []
        var current: [Point] = on ? [pts[0]] : []
        for k in 1..<max(1, pts.count) {
            var a = pts[k - 1]
            let b = pts[k]
            var segment = (b - a).length
            while segment > remaining {
                let cut = a.lerp(b, remaining / segment)
                if on {
                    current.append(cut)
                    pieces.append(Polyline(points: current, closed: false))
                    current = []
                } else {
                    current = [cut]
                }
                segment -= remaining
                a = cut
                on.toggle()
                index = (index + 1) % pattern.count
                remaining = pattern[index]
            }
            remaining -= segment
            if on { current.append(b) }
        }
        if on && current.count > 1 { pieces.append(Polyline(points: current, closed: false)) }
        return pieces
    }
}
