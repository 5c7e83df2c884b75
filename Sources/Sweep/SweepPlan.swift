import Foundation
import Training

/// The points of a sweep: every combination of the axes' values, each with its full run config.
///
/// A point is known by its config, not its place: its name ends in a hash of the config text, so
/// a grid extended by a value, or with its axes reordered, finds the runs it already has, and a
/// changed base config never mistakes an old run for a new point.
public struct SweepPlan: Sendable {
    public struct Point: Sendable, Equatable {
        /// Position in the grid (row-major: the last axis varies fastest).
        public var ordinal: Int
        /// Per axis: the index of this point's value.
        public var coordinates: [Int]
        /// File stem in the sweep folder: the axes' labels, then 10 hex digits of the config's SHA-256.
        public var name: String
        /// The run config `curv-record` reads (TOML).
        public var configText: String
        /// The parsed config, checked for recording.
        public var config: RunConfig
        /// "lr=0.5, warmup_steps=0": how progress lines name it.
        public var caption: String
    }

    public var spec: SweepSpec
    public var points: [Point]

    /// Builds every point's config and checks it as `curv-record` would, so a bad value is reported
    /// (naming the sweep file, the point and the key) before any point runs.
    public init(_ spec: SweepSpec) throws {
        self.spec = spec
        guard let data = FileManager.default.contents(atPath: spec.base), let baseText = String(data: data, encoding: .utf8) else {
            throw ConfigError("\(spec.file): base = \(spec.base): cannot read the run config (missing, unreadable or not UTF-8)")
        }
        // The base must be a valid config on its own: its errors then name its own file.
        _ = try RunConfig.parse(baseText, file: spec.base)
        let baseTree = try ConfigValue.parse(toml: baseText, file: spec.base)
        // Relative data paths are read from the folder of the file that sets them (the base config's,
        // or the sweep file's for a swept path). A point is known by its config as written (so a
        // sweep keeps its names when the folder moves); the config it runs holds absolute paths.
        let baseFolder = DataConfig.folder(of: spec.base), sweepFolder = DataConfig.folder(of: spec.file)
        let runBaseTree = ConfigTree.resolvingDataPaths(baseTree, against: baseFolder)
        var points: [Point] = []
        for ordinal in 0..<spec.pointCount {
            var rest = ordinal, coordinates = [Int](repeating: 0, count: spec.axes.count)
            for a in spec.axes.indices.reversed() {
                coordinates[a] = rest % spec.axes[a].labels.count
                rest /= spec.axes[a].labels.count
            }
            let settings = spec.fixed + spec.axes.indices.flatMap { spec.axes[$0].settings[coordinates[$0]] }
            let caption = spec.axes.indices.map { "\(Self.shortName(spec.axes[$0].name))=\(spec.axes[$0].labels[coordinates[$0]])" }
                .joined(separator: ", ")
            let source = "\(spec.file) (point \(caption))"
            var tree = baseTree, runTree = runBaseTree
            for s in settings {
                do {
                    try ConfigTree.set(s.key, to: s.value, in: &tree)
                    try ConfigTree.set(s.key, to: ConfigTree.resolvingDataPaths(setting: s.key, s.value, against: sweepFolder), in: &runTree)
                } catch let e as ConfigError { throw ConfigError("\(source): \(e.description)") }
            }
            let header = ["Written by curv-sweep: \(spec.base) with " + settings.map { "\($0.key) = \($0.value.tomlLiteral)" }.joined(separator: ", ") + "."]
            let text = ConfigTree.toml(runTree, header: header)
            let config = try RunConfig.parse(text, file: source)
            try config.validateForRecording(file: source)
            let hash = SHA256.hex(Data(ConfigTree.toml(tree).utf8)).prefix(10)
            let stem = spec.axes.indices.map { "\(Self.shortName(spec.axes[$0].name))_\(spec.axes[$0].labels[coordinates[$0]])" }
                .joined(separator: "-")
            points.append(Point(ordinal: ordinal, coordinates: coordinates, name: Self.safeFileName(stem) + "-" + hash,
                                configText: text, config: config, caption: caption))
        }
        self.points = points
    }

    /// The last part of a dotted key (`optimizer.lr` -> `lr`).
    static func shortName(_ name: String) -> String { name.split(separator: ".").last.map(String.init) ?? name }

    /// A file name made of letters, digits and `._=+-` only (others become `_`), at most 80 characters.
    static func safeFileName(_ s: String) -> String {
        let kept = s.unicodeScalars.map { c -> Character in
            let ok = ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || "._=+-".unicodeScalars.contains(c)
            return ok ? Character(c) : "_"
        }
        return String(String(kept).prefix(80))
    }
}
