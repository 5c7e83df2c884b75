import Plot
import Raster
import RunStore

/// `loss`: training loss (solid) and test loss (dashed, when recorded) against step on a log y axis,
/// and, when accuracy was recorded, a second panel with training and test accuracy. The divergence step
/// is a dotted vertical line with a marker on the last finite loss.
/// `lr`: the learning rate in force at each step (linear y, log y when it spans more than two decades).
enum LossFigure {
    static func figure(_ runs: [RunData], options: FigureOptions) throws -> Figure {
        let loss = try lossAxes(runs, options: options)
        let accuracy = accuracyAxes(runs, options: options)
        if let accuracy {
            return Figure(rows: 1, columns: 2, panels: [loss, accuracy],
                          title: runs.count == 1 ? runs[0].label : nil)
        }
        var f = Figure(loss)
        if runs.count == 1 { f.title = runs[0].label }
        return f
    }

    static func lossAxes(_ runs: [RunData], options: FigureOptions) throws -> Axes {
        let single = runs.count == 1
        var a = Axes(title: "Loss", xLabel: "step", yLabel: "loss", xScale: options.logX ? .log : .linear, yScale: .log)
        for (i, run) in runs.enumerated() {
            guard let train = run.all("loss") else {
                throw FigureError.missing(.loss, run.file, "loss metric", "the recorder writes it every step: is the run empty?")
            }
            let color = Palette.color(i)
            let t = forAxis(train, logX: options.logX)
            a.add(.line(x: t.x, y: t.y, label: single ? "train" : run.label, color: color, width: 1.6))
            if let test = run.series("test_loss") {
                let t = forAxis(test, logX: options.logX)
                a.add(.line(x: t.x, y: t.y, label: single ? "test" : nil, color: single ? Palette.color(1) : color,
                            width: 1.6, dash: [6, 3], marker: .circle))
            }
            if let d = run.divergenceStep {
                let mark = single ? Palette.color(1) : color
                a.add(.vertical(Double(d), label: nil, color: mark, width: 1.2, dash: [2, 3]))
                let finite = train.x.indices.filter { train.y[$0].isFinite && train.y[$0] > 0 }
                if let last = finite.last {
                    a.add(.annotation(x: train.x[last], y: train.y[last], text: "diverged at step \(d)", color: mark))
                }
            }
        }
        if !single && runs.contains(where: { $0.series("test_loss") != nil }) {
            a.title = "Loss (solid: train, dashed: test)"
        }
        return a
    }

    static func accuracyAxes(_ runs: [RunData], options: FigureOptions) -> Axes? {
        guard runs.contains(where: { $0.series("accuracy") != nil || $0.series("test_accuracy") != nil }) else { return nil }
        let single = runs.count == 1
        var a = Axes(title: "Accuracy", xLabel: "step", yLabel: "accuracy", xScale: options.logX ? .log : .linear)
        for (i, run) in runs.enumerated() {
            let color = Palette.color(i)
            if let acc = run.series("accuracy") {
                let t = forAxis(acc, logX: options.logX)
                a.add(.line(x: t.x, y: t.y, label: single ? "train" : run.label, color: color))
            }
            if let acc = run.series("test_accuracy") {
                let t = forAxis(acc, logX: options.logX)
                a.add(.line(x: t.x, y: t.y, label: single ? "test" : nil, color: single ? Palette.color(1) : color,
                            dash: [6, 3], marker: .circle))
            }
        }
        return a
    }

    static func lrAxes(_ runs: [RunData], options: FigureOptions) throws -> Axes {
        var a = Axes(title: runs.count == 1 ? "Learning rate: \(runs[0].label)" : "Learning rate", xLabel: "step",
                     yLabel: "learning rate η", xScale: options.logX ? .log : .linear)
        var all: [Double] = []
        for (i, run) in runs.enumerated() {
            guard let lr = run.series("lr") else {
                throw FigureError.missing(.lr, run.file, "lr metric", "the recorder writes it every step: is the run empty?")
            }
            let t = forAxis(lr, logX: options.logX)
            all += t.y
            // A step's learning rate holds until the next step: drawn as steps, not as slopes between them.
            a.add(.step(x: t.x, y: t.y, label: runs.count == 1 ? nil : run.label, color: Palette.color(i), width: 2))
        }
        let positive = all.filter { $0 > 0 }
        if let lo = positive.min(), let hi = positive.max(), hi / lo > 100 { a.yScale = .log }
        // From 0 when every rate is positive (a damaged file may hold negative ones: limits from the data).
        else if let hi = all.max(), let lo = all.min(), lo >= 0, hi > 0 { a.yLimits = 0...(hi * 1.08) }
        return a
    }
}
