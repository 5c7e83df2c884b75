import Foundation

/// `index.json` of a sweep folder: the axes, and per point its values, files, status and result.
/// Rewritten whole (a temporary file, then a rename) after every point, so a reader never sees a
/// half-written index. `index.csv` holds the same table for spreadsheets.
public struct SweepIndex: Codable, Equatable, Sendable {
    public static let format = "curvature-sweep 1"

    public struct Axis: Codable, Equatable, Sendable {
        public var name: String
        public var labels: [String]
        /// The numbers the values stand for (one numeric key), else nil.
        public var numbers: [Double]?

        public init(name: String, labels: [String], numbers: [Double]? = nil) {
            self.name = name
            self.labels = labels
            self.numbers = numbers
        }
    }

    public enum Status: String, Codable, Sendable {
        /// Recorded: the run file is complete and `result` read from it.
        case done
        /// curv-record failed (`message` says why; the log is kept); redone on the next run.
        case failed
        /// Not recorded yet, or interrupted (its partial file was removed); run on the next run.
        case pending
    }

    public struct Point: Codable, Equatable, Sendable {
        public var name: String
        /// Per axis, the index of the value (the grid cell).
        public var coordinates: [Int]
        /// Axis name -> value label.
        public var values: [String: String]
        public var status: Status
        /// Paths relative to the sweep folder.
        public var run: String
        public var config: String
        public var log: String
        public var seconds: Double?
        public var message: String?
        public var result: PointResult?

        public init(name: String, coordinates: [Int], values: [String: String], status: Status, run: String, config: String,
                    log: String, seconds: Double? = nil, message: String? = nil, result: PointResult? = nil) {
            self.name = name
            self.coordinates = coordinates
            self.values = values
            self.status = status
            self.run = run
            self.config = config
            self.log = log
            self.seconds = seconds
            self.message = message
            self.result = result
        }
    }

    public var format = SweepIndex.format
    /// The sweep file and base config the folder was made from.
    public var sweep: String
    public var base: String
    public var axes: [Axis]
    public var points: [Point]

    public init(sweep: String, base: String, axes: [Axis], points: [Point]) {
        self.sweep = sweep
        self.base = base
        self.axes = axes
        self.points = points
    }

    /// Reads `DIR/index.json`. Errors name the file and say what is wrong.
    public static func read(folder: String) throws -> SweepIndex {
        let path = (folder as NSString).appendingPathComponent("index.json")
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SweepError("\(path): no sweep index (missing or unreadable); is \(folder) a folder curv-sweep wrote?")
        }
        let index: SweepIndex
        do { index = try JSONDecoder().decode(SweepIndex.self, from: data) } catch {
            throw SweepError("\(path): not a sweep index (\(Self.describe(error))); rerun curv-sweep on the sweep file to rewrite it")
        }
        guard index.format == format else {
            throw SweepError("\(path): format '\(index.format)', this toolkit reads '\(format)'")
        }
        let cells = index.axes.reduce(1) { $0 * max($1.labels.count, 1) }
        guard !index.axes.isEmpty, index.axes.allSatisfy({ !$0.labels.isEmpty && $0.labels.count <= SweepSpec.maximumPoints }),
              cells <= SweepSpec.maximumPoints else {
            throw SweepError("\(path): axes of \(index.axes.map { String($0.labels.count) }.joined(separator: " x ")) values; a sweep has 1 to \(SweepSpec.maximumPoints) points and every axis a value")
        }
        for p in index.points {
            guard p.coordinates.count == index.axes.count,
                  zip(p.coordinates, index.axes).allSatisfy({ $0 >= 0 && $0 < $1.labels.count }) else {
                throw SweepError("\(path): point \(p.name) has coordinates \(p.coordinates) outside the axes (\(index.axes.map { String($0.labels.count) }.joined(separator: " x ")))")
            }
        }
        return index
    }

    /// Writes `index.json` and `index.csv` into `folder`, each through a temporary file and a rename.
    public func write(folder: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try Self.replace((folder as NSString).appendingPathComponent("index.json"), with: try encoder.encode(self) + Data("\n".utf8))
        try Self.replace((folder as NSString).appendingPathComponent("index.csv"), with: Data(csv.utf8))
    }

    /// One row per point: its axis values, status, outcome and numbers, and its run file.
    public var csv: String {
        func field(_ s: String) -> String { s.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s }
        func number(_ x: Double?) -> String { x.map { "\($0)" } ?? "" }
        func integer(_ x: Int?) -> String { x.map(String.init) ?? "" }
        var lines = [(axes.map(\.name) + ["status", "outcome", "initial_loss", "final_loss", "initial_lambda_max", "max_lr_lambda",
                                          "max_threshold_ratio", "first_crossing_step", "spikes", "divergence_step",
                                          "seconds", "run"]).map(field).joined(separator: ",")]
        for p in points {
            let r = p.result
            let cells = axes.map { p.values[$0.name] ?? "" } + [
                p.status.rawValue, r?.outcome.rawValue ?? "", number(r?.initialLoss), number(r?.finalLoss), number(r?.initialLambdaMax),
                number(r?.maxLRLambda), number(r?.maxThresholdRatio), integer(r?.firstCrossingStep),
                r.map { String($0.spikes) } ?? "", integer(r?.divergenceStep), number(p.seconds), p.run,
            ]
            lines.append(cells.map(field).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `data` to `path` whole: a temporary file beside it, flushed, then renamed over it.
    static func replace(_ path: String, with data: Data) throws {
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw SweepError("\(temporary): cannot write (permissions, or the disk is full)")
        }
        let fd = open(temporary, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw SweepError("\(path): cannot replace (\(reason))")
        }
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, context):
            return "missing '\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context), let DecodingError.dataCorrupted(context):
            return "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        default: return "\(error)"
        }
    }
}

/// A sweep problem (bad folder, index, or a failed point); the text names the file.
public struct SweepError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
