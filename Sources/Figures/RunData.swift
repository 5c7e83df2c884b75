import Foundation
import Plot
import RunStore
import Training

/// What the figures read from one run file: metrics, events, the parsed config and a legend label.
final class RunData {
    let path: String
    let reader: RunReader
    let metrics: MetricsTable
    let events: [RunEvent]
    let config: RunConfig?
    let label: String
    let figure: FigureKind

    /// The file's name without directories, as error messages show it.
    var file: String { (path as NSString).lastPathComponent }

    private init(path: String, reader: RunReader, metrics: MetricsTable, events: [RunEvent], config: RunConfig?,
                 label: String, figure: FigureKind) {
        self.path = path; self.reader = reader; self.metrics = metrics; self.events = events
        self.config = config; self.label = label; self.figure = figure
    }

    static func load(_ path: String, figure: FigureKind, label: String?) throws -> RunData {
        let reader: RunReader
        do {
            // A run being recorded is drawn from its live view (metrics and events so far).
            let (opened, note) = try LiveView.open(path)
            if let note { FileHandle.standardError.write("curv-plot: \(note)\n".data(using: .utf8)!) }
            reader = opened
        } catch { throw FigureError("\(figure.rawValue): \(error)") }
        do {
            let metrics = try reader.metrics()
            let events = try reader.events()
            let config = try? RunConfig.parse(reader.configTOML(), file: path)
            let name = label ?? config.map(defaultLabel) ?? ((path as NSString).lastPathComponent)
            return RunData(path: path, reader: reader, metrics: metrics, events: events, config: config, label: name, figure: figure)
        } catch {
            reader.close()
            throw FigureError("\(figure.rawValue): \(error)")
        }
    }

    func close() { reader.close() }

    private var cachedAnalyses: [StoredAnalysis]?
    private var cachedSpectrumKeys: [(step: Int, operator: SpectralOperator)]?

    /// Every analysis under /analyses, in order of writing (read once).
    func analyses() throws -> [StoredAnalysis] {
        if let cachedAnalyses { return cachedAnalyses }
        do { cachedAnalyses = try reader.analyses() } catch { throw FigureError("\(figure.rawValue): \(error)") }
        return cachedAnalyses!
    }

    /// (step, operator) of every recorded spectrum (read once).
    func spectrumKeys() throws -> [(step: Int, operator: SpectralOperator)] {
        if let cachedSpectrumKeys { return cachedSpectrumKeys }
        do { cachedSpectrumKeys = try reader.spectrumKeys() } catch { throw FigureError("\(figure.rawValue): \(error)") }
        return cachedSpectrumKeys!
    }

    /// Precision of the recorder's Hessian-vector products (the run's dtype, "f32" or "f64"); "" when
    /// the config cannot be read.
    var recordedPrecision: String { config?.dtype ?? "" }

    /// "name (adam, η=0.003, warmup 40)".
    static func defaultLabel(_ c: RunConfig) -> String {
        var parts = ["\(c.optimizer.kind.rawValue)", "η=\(shortNumber(c.optimizer.lr))"]
        if c.schedule.warmupSteps > 0 { parts.append("warmup \(c.schedule.warmupSteps)") }
        return "\(c.name) (\(parts.joined(separator: ", ")))"
    }

    /// Up to 3 significant digits, no trailing zeros: 0.5, 0.003, 40, 1.25e-05.
    static func shortNumber(_ v: Double) -> String {
        if v != 0, abs(v) < 1e-3 || abs(v) >= 1e5 { return String(format: "%.3g", v) }
        var s = String(format: "%.3g", v)
        if s.contains("."), !s.contains("e") { while s.hasSuffix("0") { s.removeLast() }; if s.hasSuffix(".") { s.removeLast() } }
        return s
    }

    /// The finite (step, value) pairs of a metric, or nil when the metric is absent or never measured.
    func series(_ name: String) -> (x: [Double], y: [Double])? {
        guard let column = metrics.columns[name] else { return nil }
        var xs: [Double] = [], ys: [Double] = []
        for (s, v) in zip(metrics.steps, column) where v.isFinite { xs.append(Double(s)); ys.append(v) }
        return xs.isEmpty ? nil : (xs, ys)
    }

    /// As `series`, but a NaN or infinite value that ends the run (divergence) stays in as a gap.
    func all(_ name: String) -> (x: [Double], y: [Double])? {
        guard let column = metrics.columns[name], column.contains(where: \.isFinite) else { return nil }
        return (metrics.steps.map(Double.init), column)
    }

    var isAdam: Bool { config.map { $0.optimizer.kind == .adam || $0.optimizer.kind == .adamw } ?? (metrics.columns["preconditioned_sharpness"] != nil) }

    /// The operator a figure shows when none is asked for.
    func defaultOperator(_ requested: SpectralOperator?) -> SpectralOperator {
        if let requested { return requested }
        return isAdam && series("preconditioned_sharpness") != nil ? .preconditioned : .hessian
    }

    /// Metric names for an operator's sharpness and threshold.
    static func names(_ op: SpectralOperator) -> (sharpness: String, threshold: String) {
        op == .preconditioned ? ("preconditioned_sharpness", "preconditioned_threshold") : ("sharpness", "sharpness_threshold")
    }

    /// The stability threshold at every step with a learning rate: `c / lr`, where `c` (2 for SGD,
    /// 2 + 2β for heavy ball, 38 for Adam at β1 = 0.9, ...) is read off the recorded thresholds
    /// (threshold x lr at the measured steps), so the line follows the schedule between measurements.
    ///
    /// An Adam run records no threshold for the Hessian itself (its stability is governed by the
    /// preconditioned one); its Hessian is drawn against gradient descent's 2/lr at the same
    /// learning rate, the reference Gilmer et al. use.
    func threshold(_ op: SpectralOperator) -> (x: [Double], y: [Double])? {
        if op == .hessian, isAdam, series(Self.names(op).threshold) == nil, let lr = metrics.columns["lr"] {
            let steps = zip(metrics.steps, lr).filter { $0.1.isFinite && $0.1 > 0 }
            return steps.isEmpty ? nil : (steps.map { Double($0.0) }, steps.map { 2 / $0.1 })
        }
        guard let recorded = series(Self.names(op).threshold), let lr = metrics.columns["lr"] else { return nil }
        var products: [Double] = []
        for (s, t) in zip(recorded.x, recorded.y) {
            if let i = metrics.steps.firstIndex(where: { Double($0) == s }), lr[i] > 0 { products.append(t * lr[i]) }
        }
        guard !products.isEmpty else { return recorded }
        let c = products.sorted()[products.count / 2]
        var xs: [Double] = [], ys: [Double] = []
        for (s, l) in zip(metrics.steps, lr) where l.isFinite && l > 0 { xs.append(Double(s)); ys.append(c / l) }
        return (xs, ys)
    }

    /// The threshold's name in legends: 2/η, (2+2β)/η, 38/η ...
    func thresholdName(_ op: SpectralOperator) -> String {
        if op == .hessian, isAdam, series(Self.names(op).threshold) == nil { return "2/η (GD's threshold)" }
        guard let recorded = series(Self.names(op).threshold), let lr = metrics.columns["lr"],
              let s = recorded.x.first, let i = metrics.steps.firstIndex(where: { Double($0) == s }), lr[i] > 0 else { return "threshold" }
        let c = recorded.y[0] * lr[i]
        return "\(Self.shortNumber((c * 1000).rounded() / 1000))/η"
    }

    /// The recorded threshold crossings of `op`'s λ_max: by the event's operator (format 1.5), or
    /// in older files by the start of its detail ("lambda_max = ..." or "preconditioned lambda_max = ...").
    func crossings(_ op: SpectralOperator) -> [RunEvent] {
        events.filter { event in
            guard event.kind.hasPrefix("threshold_crossing") else { return false }
            return event.operator.map { $0 == op } ?? (event.detail.hasPrefix("preconditioned") == (op == .preconditioned))
        }
    }

    /// Steps of the divergence event, if any.
    var divergenceStep: Int? { events.first { $0.kind == "divergence" }?.step }
}

extension Array where Element == Double {
    /// Drops x <= 0 for a log x axis.
    func positiveMask() -> [Bool] { map { $0 > 0 } }
}

/// Keeps the points whose x can appear on a log axis when `logX`.
func forAxis(_ s: (x: [Double], y: [Double]), logX: Bool) -> (x: [Double], y: [Double]) {
    guard logX else { return s }
    let keep = s.x.indices.filter { s.x[$0] > 0 }
    return (keep.map { s.x[$0] }, keep.map { s.y[$0] })
}
