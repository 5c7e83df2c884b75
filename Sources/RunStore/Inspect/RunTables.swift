// curv-inspect --csv metrics|events|analyses: a run's tables as CSV for spreadsheets and pandas
// (`pandas.read_csv` reads an empty field as NaN).

import Foundation

/// The tables `curv-inspect --csv` prints.
public enum RunTable: String, CaseIterable, Sendable {
    /// One row per recorded step: `step`, then every metric column in name order.
    case metrics
    /// One row per event: `step`, `kind`, `detail`.
    case events
    /// One row per /analyses entry: its settings and summary values (the largest and smallest
    /// eigenvalue with residual and convergence, the trace), and `block:<name>` columns with each
    /// parameter block's λ_max where any analysis has blocks.
    case analyses

    /// RFC 4180 CSV, a header line then one line per row, `\n`-terminated. NaN and missing values
    /// are empty fields; numbers in the shortest form that reads back to the same Double.
    public func csv(_ reader: RunReader) throws -> String {
        var rows: [[String]]
        switch self {
        case .metrics:
            let m = try reader.metrics()
            let names = m.names
            rows = [["step"] + names]
            for (i, step) in m.steps.enumerated() { rows.append([String(step)] + names.map { Self.number(m.columns[$0]![i]) }) }
        case .events:
            rows = [["step", "kind", "detail", "operator"]] + (try reader.events()).map { [String($0.step), $0.kind, $0.detail, $0.operator?.rawValue ?? ""] }
        case .analyses:
            let stored = try reader.analyses()
            var blockNames: [String] = []
            for a in stored { for b in a.analysis.blocks where !blockNames.contains(b.name) { blockNames.append(b.name) } }
            rows = [["id", "step", "operator", "probes", "lanczos_steps", "dtype", "lambda_max", "lambda_max_residual",
                     "lambda_max_converged", "lambda_min", "lambda_min_residual", "lambda_min_converged", "eigen_tolerance",
                     "trace", "trace_stderr", "sigma", "block_grouping", "created"] + blockNames.map { "block:\($0)" }]
            for s in stored {
                let a = s.analysis
                func flag(_ flags: [Bool]) -> String { flags.first.map { $0 ? "1" : "0" } ?? "" }
                var row = [s.id, String(a.step), a.operator.rawValue, String(a.probes), String(a.lanczosSteps), a.dtype,
                           Self.number(a.topEigenvalues.first), Self.number(a.topResiduals.first), flag(a.topConverged),
                           Self.number(a.bottomEigenvalues.first), Self.number(a.bottomResiduals.first), flag(a.bottomConverged),
                           Self.number(a.eigenTolerance), Self.number(a.trace), Self.number(a.traceStandardError),
                           Self.number(a.sigma), a.blockGrouping, s.created]
                row += blockNames.map { name in Self.number(a.blocks.first { $0.name == name }?.value) }
                rows.append(row)
            }
        }
        return rows.map { $0.map(Self.field).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// The shortest decimal that reads back to `value` (Swift's description); "" for NaN and nil,
    /// "inf" and "-inf" for infinities.
    static func number(_ value: Double?) -> String {
        guard let value, !value.isNaN else { return "" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        return value.description
    }

    /// A field quoted when it holds a comma, a quote or a line break (quotes doubled).
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
