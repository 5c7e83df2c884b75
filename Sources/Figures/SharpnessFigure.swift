import Plot
import Raster
import RunStore

/// `sharpness`: λ_max of the Hessian (or of Adam's preconditioned Hessian) against step on a log y axis,
/// with the stability threshold computed from the learning rate at each step as its own dashed line, the
/// recorded threshold crossings marked (▲ up, ▼ down) and the divergence step as a dotted vertical line.
/// Several runs share the axes, one colour each (solid: λ_max, dashed: its threshold).
enum SharpnessFigure {
    static func axes(_ runs: [RunData], options: FigureOptions) throws -> Axes {
        let single = runs.count == 1
        let op0 = runs[0].defaultOperator(options.operator)
        let name = op0 == .preconditioned ? "preconditioned λ_max" : "λ_max"
        var a = Axes(title: single ? runs[0].label : "Sharpness vs stability threshold", xLabel: "step",
                     yLabel: op0 == .preconditioned ? "λ_max of P⁻½ H P⁻½" : "λ_max of the Hessian",
                     xScale: options.logX ? .log : .linear, yScale: .log)
        var crossings: [(x: Double, y: Double, up: Bool)] = []
        for (i, run) in runs.enumerated() {
            let op = run.defaultOperator(options.operator)
            let (metric, _) = RunData.names(op)
            guard let lambda = run.series(metric) else { throw missing(run, op) }
            let color = Palette.color(i)
            let sharp = forAxis(lambda, logX: options.logX)
            a.add(.line(x: sharp.x, y: sharp.y, label: single ? name : run.label, color: color, width: 2, marker: .circle))
            if let t = run.threshold(op) {
                let t = forAxis(t, logX: options.logX)
                a.add(.line(x: t.x, y: t.y, label: single ? run.thresholdName(op) : nil,
                            color: single ? Palette.reference : color, width: 1.4, dash: [7, 4]))
            }
            for e in run.crossings(op) {
                // Mark on the λ_max line at the nearest measured step.
                guard let j = lambda.x.indices.min(by: { abs(lambda.x[$0] - Double(e.step)) < abs(lambda.x[$1] - Double(e.step)) })
                else { continue }
                crossings.append((lambda.x[j], lambda.y[j], e.kind.hasSuffix("up")))
            }
            if let d = run.divergenceStep {
                a.tightX = false   // keep the divergence line off the frame
                a.add(.vertical(Double(d), label: single ? "diverged (step \(d))" : nil, color: color, width: 1.2, dash: [2, 3]))
            }
        }
        if !single && runs.contains(where: { $0.threshold($0.defaultOperator(options.operator)) != nil }) {
            a.add(.line(x: [], y: [], label: "dashed: stability threshold", color: Palette.reference, width: 1.4, dash: [7, 4]))
        }
        let ups = crossings.filter(\.up), downs = crossings.filter { !$0.up }
        // Events are told from series by shape and a neutral look (white, dark outline), never by a
        // series colour.
        if !ups.isEmpty {
            a.add(.scatter(x: ups.map(\.x), y: ups.map(\.y), label: "crosses up", color: .white, marker: .triangle, size: 11, edge: Palette.ink))
        }
        if !downs.isEmpty {
            a.add(.scatter(x: downs.map(\.x), y: downs.map(\.y), label: "crosses down", color: .white, marker: .diamond, size: 11, edge: Palette.ink))
        }
        if single {
            // The threshold in the blue/black pair is told apart by colour and dash; keep λ_max first.
            a.series.sort { ($0.kind == .scatter ? 1 : 0) < ($1.kind == .scatter ? 1 : 0) }
        }
        return a
    }

    static func missing(_ run: RunData, _ op: SpectralOperator) -> FigureError {
        if op == .preconditioned {
            return .missing(.sharpness, run.file, "preconditioned_sharpness metric",
                            "it is recorded for adam/adamw runs with record.preconditioned = true and record.sharpness_every > 0 (or use --operator hessian)")
        }
        return .missing(.sharpness, run.file, "sharpness metric", "set record.sharpness_every > 0 in the config")
    }
}
