import Foundation

/// Progress of long work on standard error: a redrawn bar on a terminal, plain lines every few
/// seconds otherwise (logs, CI), nothing when quiet.
public final class ProgressReporter {
    public enum Mode { case bar, lines, quiet }
    public let mode: Mode
    private let total: Int
    private let label: String
    private var lastPrint = 0.0
    private let start = Date()
    private let interval: Double

    /// `mode` nil picks a bar when standard error is a terminal, lines otherwise.
    public init(total: Int, label: String, mode: Mode? = nil, lineInterval: Double = 5) {
        self.total = max(total, 1)
        self.label = label
        self.mode = mode ?? (isatty(STDERR_FILENO) != 0 ? .bar : .lines)
        self.interval = lineInterval
    }

    /// Reports `done` of `total` with a short status text.
    public func update(_ done: Int, _ status: String, force: Bool = false) {
        let now = Date().timeIntervalSince(start)
        switch mode {
        case .quiet: return
        case .bar:
            guard force || now - lastPrint >= 0.1 || done == total else { return }
            let width = 28, filled = Int(Double(width) * Double(done) / Double(total))
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            write("\r\u{1B}[2K\(label) \(bar) \(done)/\(total) \(status) \(eta(done, now))")
        case .lines:
            guard force || now - lastPrint >= interval || done == total else { return }
            write("\(label) \(done)/\(total) \(status) [\(String(format: "%.0f", now)) s]\n")
        }
        lastPrint = now
    }

    /// Ends the bar's line.
    public func finish(_ message: String) {
        switch mode {
        case .quiet: return
        case .bar: write("\r\u{1B}[2K\(message)\n")
        case .lines: write("\(message)\n")
        }
    }

    private func eta(_ done: Int, _ elapsed: Double) -> String {
        guard done > 0, done < total else { return String(format: "%.0fs", elapsed) }
        return String(format: "%.0fs, ~%.0fs left", elapsed, elapsed / Double(done) * Double(total - done))
    }

    private func write(_ s: String) { FileHandle.standardError.write(s.data(using: .utf8)!) }
}
