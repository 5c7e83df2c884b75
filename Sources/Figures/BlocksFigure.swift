import Foundation
import Models
import Plot
import RunStore
import Training

/// `blocks`: λ_max of each parameter block's own Hessian `H_bb` against step, as a heatmap (a row
/// per block in model order, the whole network's λ_max as the top row; colour: log λ_max; white:
/// not measured). Each measurement sits in its own column at its step: columns are spaced by the
/// largest step that divides every gap between measured steps, so no cell spans an unmeasured
/// step. Reads the recorder's `block_sharpness:<block>` columns (`record.block_sharpness_every`),
/// else the block values of `curv-density --blocks` analyses of the requested operator (one per
/// step, the newest). Draws one run.
enum BlocksFigure {
    static let wholeNetwork = "whole network"

    static func axes(_ runs: [RunData], options: FigureOptions) throws -> Axes {
        guard runs.count == 1 else {
            throw FigureError("blocks: draws one run; got \(runs.count) (one heatmap per run: call curv-plot blocks for each)")
        }
        let run = runs[0]
        let (steps, rows, source) = try measurements(run, options: options)
        let spacing = steps.dropFirst().enumerated().reduce(0) { gcd($0, $1.element - steps[$1.offset]) }
        let width = max(spacing, 1)
        let columns = (steps.last! - steps.first!) / width + 1
        var values = [Double](repeating: .nan, count: rows.count * columns)
        // Heatmap row 0 is at the bottom: the last block there, the whole network on top.
        for (r, row) in rows.reversed().enumerated() {
            for (k, step) in steps.enumerated() { values[r * columns + (step - steps.first!) / width] = row.values[k] }
        }
        let x0 = Double(steps.first!) - Double(width) / 2, x1 = Double(steps.last!) + Double(width) / 2
        let heatmap = Heatmap(values: values, columns: columns, rows: rows.count, x: x0...x1, y: 0...Double(rows.count),
                              colorScale: .log, label: "λ_max")
        var a = Axes(title: run.label, xLabel: "step",
                     yLabel: nil, xScale: .linear, yScale: .linear)
        a.subtitle = source
        a.heatmap = heatmap
        a.xLimits = x0...x1
        a.yLimits = 0...Double(rows.count)
        a.grid = false
        a.yCategories = rows.reversed().enumerated().map { (Double($0.offset) + 0.5, $0.element.name) }
        return a
    }

    /// The measured steps (ascending), one row of values per block with the whole network first,
    /// and a caption saying where they came from.
    static func measurements(_ run: RunData, options: FigureOptions) throws -> (steps: [Int], rows: [(name: String, values: [Double])], source: String) {
        let prefix = RecordConfig.blockSharpnessPrefix
        let recorded = run.metrics.columns.keys.filter { $0.hasPrefix(prefix) }
        if !recorded.isEmpty {
            let order = try blockOrder(run, names: recorded.map { String($0.dropFirst(prefix.count)) })
            let rowsMeasured = run.metrics.steps.indices.filter { i in recorded.contains { run.metrics.columns[$0]![i].isFinite } }
            guard !rowsMeasured.isEmpty else {
                throw FigureError.missing(.blocks, run.file, "finite block λ_max", "every block_sharpness value is NaN (a diverged run?)")
            }
            let steps = rowsMeasured.map { run.metrics.steps[$0] }
            let whole = run.metrics.columns["sharpness"].map { c in rowsMeasured.map { c[$0] } } ?? steps.map { _ in .nan }
            let rows = [(name: wholeNetwork, values: whole)]
                + order.map { name in (name: name, values: rowsMeasured.map { run.metrics.columns[prefix + name]![$0] }) }
            return (steps, rows, "recorded every \(run.config?.record.blockSharpnessEvery ?? 0) steps (record.blocks = \"\(run.config?.record.blocks ?? "?")\"), Hessian")
        }
        let op = options.operator ?? .hessian
        var newest: [Int: Analysis] = [:]
        for stored in try run.analyses() where stored.analysis.operator == op && !stored.analysis.blocks.isEmpty {
            newest[stored.analysis.step] = stored.analysis
        }
        guard !newest.isEmpty else {
            throw FigureError.missing(.blocks, run.file, "block λ_max",
                                      "record them with record.block_sharpness_every > 0, or add them to checkpoints with curv-density \(run.file) --blocks layers")
        }
        let steps = newest.keys.sorted()
        let names = newest[steps.last!]!.blocks.map(\.name)
        guard steps.allSatisfy({ newest[$0]!.blocks.map(\.name) == names }) else {
            throw FigureError("blocks: \(run.file) has block analyses of different groupings (\(Set(steps.map { newest[$0]!.blockGrouping }).sorted().joined(separator: "; "))); analyse every step with the same --blocks (curv-density --force)")
        }
        let rows = [(name: wholeNetwork, values: steps.map { newest[$0]!.topEigenvalues.first ?? .nan })]
            + names.indices.map { b in (name: names[b], values: steps.map { newest[$0]!.blocks[b].value }) }
        return (steps, rows, "curv-density --blocks \(newest[steps.last!]!.blockGrouping) at \(steps.count) checkpoint(s), \(op.rawValue)")
    }

    /// The recorded block names in the model's parameter order (sorted when the model spec cannot
    /// say, e.g. a grouping the spec no longer matches).
    private static func blockOrder(_ run: RunData, names: [String]) throws -> [String] {
        guard let spec = try? ModelSpec.parse(json: run.reader.modelSpec(), source: run.path),
              let grouping = BlockGrouping(run.config?.record.blocks ?? "layers"),
              let blocks = try? spec.network.layout.blocks(grouping) else { return names.sorted() }
        let ordered = blocks.map(\.name).filter(names.contains)
        return ordered.count == names.count ? ordered : names.sorted()
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? abs(a) : gcd(b, a % b) }
}
