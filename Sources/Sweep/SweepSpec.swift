import Foundation
import Training

/// A sweep file (docs/sweeps.md): a base run config, keys set for every point, and the axes whose
/// values are crossed into the grid of points.
///
/// ```toml
/// base = "../fixtures/configs/digits-lr1-nowarmup.toml"   # relative to this file
/// [set]                                                 # optional: every point
/// steps = 200
/// [[axis]]
/// key = "optimizer.lr"
/// values = [0.25, 0.5, 1.0]
/// [[axis]]                                              # several keys per value: tables
/// name = "init"
/// values = [{ "model.init" = "default" }, { "model.init" = "fixup", "model.norm" = "none" }]
/// labels = ["default", "fixup"]
/// ```
public struct SweepSpec: Equatable, Sendable {
    /// One axis of the grid: its values in order, each a set of config keys.
    public struct Axis: Equatable, Sendable {
        /// What the axis is called in the index and on figures (its key when it sets one key).
        public var name: String
        /// Per value: the (dotted key, value) pairs it sets.
        public var settings: [[ConfigSetting]]
        /// Per value: how figures and progress lines name it.
        public var labels: [String]
        /// Per value: the number it stands for when the axis sets one numeric key (nil otherwise).
        public var numbers: [Double]?
    }

    /// The sweep file, as given.
    public var file: String
    /// The base config's path (resolved against the sweep file's directory).
    public var base: String
    /// Keys set for every point (after the base, before the axes).
    public var fixed: [ConfigSetting]
    public var axes: [Axis]
    /// The number of points run at once when the command line does not say (nil: one per core).
    public var jobs: Int?

    /// The largest grid accepted (points); a typo such as a 1000-value axis is refused before any run.
    public static let maximumPoints = 10_000

    public var pointCount: Int { axes.reduce(1) { $0 * $1.labels.count } }

    /// Reads and checks a sweep file. Errors name the file and the key, as config errors do.
    public static func load(_ path: String) throws -> SweepSpec {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError("\(path): cannot read the sweep file (missing or unreadable)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ConfigError("\(path): not UTF-8 text") }
        return try parse(text, file: path)
    }

    /// The spec with `settings` (`curv-sweep --set`) applied to every point after `[set]`: a key
    /// already in `[set]` takes the new value; a swept key is refused. Data paths among them are
    /// read from the working directory, where they were typed.
    public func setting(_ settings: [ConfigSetting]) throws -> SweepSpec {
        var spec = self
        let swept = Set(axes.flatMap { $0.settings.flatMap { $0.map(\.key) } })
        let cwd = FileManager.default.currentDirectoryPath
        for s in settings {
            if swept.contains(s.key) {
                throw ConfigError("--set \(s.key)=\(s.value.tomlLiteral): \(file) sweeps '\(s.key)' on an axis; --set fixes keys that are not swept")
            }
            let value = ConfigTree.resolvingDataPaths(setting: s.key, s.value, against: cwd)
            spec.fixed.removeAll { $0.key == s.key }
            spec.fixed.append(ConfigSetting(key: s.key, value: value))
        }
        return spec
    }

    public static func parse(_ text: String, file: String) throws -> SweepSpec {
        guard !text.utf8.contains(0) else { throw ConfigError("\(file): the file contains a NUL byte; a sweep file is plain UTF-8 text") }
        let root = try ConfigValue.parse(toml: text, file: file)
        let allowed = ["base", "jobs", "set", "axis"]
        if let unknown = root.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw ConfigError("\(file): unknown key '\(unknown)'; a sweep file has: \(allowed.joined(separator: ", ")) (docs/sweeps.md)")
        }
        guard case let .string(baseName)? = root["base"], !baseName.isEmpty else {
            throw ConfigError("\(file): base must name the run config every point starts from (base = \"config.toml\", relative to the sweep file)")
        }
        // (Made absolute before `..` is removed: a relative URL's `..` cannot climb above its own path.)
        let base = baseName.hasPrefix("/") ? baseName
            : URL(fileURLWithPath: DataConfig.absolutePath(baseName, against: DataConfig.folder(of: file))).relativePathFromCurrent
        var jobs: Int?
        if let j = root["jobs"] {
            guard case let .integer(n) = j, n >= 1, n <= 256 else {
                throw ConfigError("\(file): jobs = \(j.tomlLiteral): expected an integer from 1 to 256 (points run at once)")
            }
            jobs = n
        }
        var fixed: [ConfigSetting] = []
        if let s = root["set"] {
            guard case let .table(t) = s else { throw ConfigError("\(file): 'set' must be a table ([set]) of config keys") }
            fixed = ConfigTree.leaves(t).map { ConfigSetting(key: $0.key, value: $0.value) }
        }
        guard case let .array(axisValues)? = root["axis"], !axisValues.isEmpty else {
            throw ConfigError("\(file): no axes; add one [[axis]] table per swept key (key = \"optimizer.lr\", values = [...])")
        }
        var axes: [Axis] = []
        for (i, v) in axisValues.enumerated() {
            guard case let .table(t) = v else { throw ConfigError("\(file): axis \(i + 1) must be a table ([[axis]])") }
            axes.append(try axis(t, number: i + 1, file: file))
        }
        let names = axes.map(\.name)
        if let dup = names.first(where: { n in names.filter { $0 == n }.count > 1 }) {
            throw ConfigError("\(file): two axes are named '\(dup)'; give each [[axis]] its own key or name")
        }
        let setKeys = axes.flatMap { Set($0.settings.flatMap { $0.map(\.key) }) }
        if let dup = setKeys.first(where: { k in setKeys.filter { $0 == k }.count > 1 }) {
            throw ConfigError("\(file): '\(dup)' is set by two axes; a key belongs to one axis")
        }
        if let both = fixed.first(where: { setKeys.contains($0.key) }) {
            throw ConfigError("\(file): '\(both.key)' is in [set] and on an axis; remove it from one")
        }
        let spec = SweepSpec(file: file, base: base, fixed: fixed, axes: axes, jobs: jobs)
        guard spec.axes.allSatisfy({ $0.labels.count <= maximumPoints }), spec.pointCount <= maximumPoints else {
            throw ConfigError("\(file): the grid has \(axes.map { String($0.labels.count) }.joined(separator: " x ")) points, more than \(maximumPoints); split the sweep")
        }
        return spec
    }

    private static func axis(_ t: [String: ConfigValue], number: Int, file: String) throws -> Axis {
        let where_ = "\(file): axis \(number)"
        if let unknown = t.keys.sorted().first(where: { !["key", "name", "values", "labels"].contains($0) }) {
            throw ConfigError("\(where_): unknown key '\(unknown)'; an [[axis]] has key, name, values, labels")
        }
        var key: String?
        if let k = t["key"] {
            guard case let .string(s) = k, !s.isEmpty else { throw ConfigError("\(where_): key must be a config key such as \"optimizer.lr\"") }
            key = s
        }
        var name: String?
        if let n = t["name"] {
            guard case let .string(s) = n, !s.isEmpty else { throw ConfigError("\(where_): name must be a non-empty string") }
            name = s
        }
        guard case let .array(values)? = t["values"], !values.isEmpty else {
            throw ConfigError("\(where_): values must be a non-empty array (values = [0.1, 0.2], or tables of keys)")
        }
        var settings: [[ConfigSetting]] = []
        for v in values {
            if case let .table(keys) = v {
                guard key == nil else {
                    throw ConfigError("\(where_): a value is a table of keys, so the axis has no single 'key'; remove key and give a name")
                }
                let leaves = ConfigTree.leaves(keys)
                guard !leaves.isEmpty else { throw ConfigError("\(where_): a value is an empty table; give it the keys it sets") }
                settings.append(leaves.map { ConfigSetting(key: $0.key, value: $0.value) })
            } else {
                guard let key else {
                    throw ConfigError("\(where_): values \(v.tomlLiteral) set no key; add key = \"section.name\" (or make each value a table of keys)")
                }
                settings.append([ConfigSetting(key: key, value: v)])
            }
        }
        if settings.contains(where: { $0.count != 1 || $0[0].key != settings[0][0].key }), name == nil {
            throw ConfigError("\(where_): its values set different keys; give the axis a name (name = \"init\")")
        }
        let labels: [String]
        if let l = t["labels"] {
            guard case let .array(items) = l, items.count == values.count,
                  case let strings = items.compactMap({ if case let .string(s) = $0 { return s } else { return nil } }),
                  strings.count == items.count else {
                throw ConfigError("\(where_): labels must be \(values.count) strings, one per value")
            }
            labels = strings
        } else {
            labels = settings.map { s in s.count == 1 && name == nil ? s[0].value.label : s.map { "\($0.key)=\($0.value.label)" }.joined(separator: ",") }
        }
        if let dup = labels.first(where: { l in labels.filter { $0 == l }.count > 1 }) {
            throw ConfigError("\(where_): the value '\(dup)' appears twice; each value of an axis is one point")
        }
        let oneKey = settings.allSatisfy { $0.count == 1 && $0[0].key == settings[0][0].key }
        let numbers = oneKey ? settings.compactMap { $0[0].value.numberValue } : []
        return Axis(name: name ?? key ?? "axis \(number)", settings: settings, labels: labels,
                    numbers: numbers.count == settings.count ? numbers : nil)
    }
}

extension ConfigValue {
    /// How a swept value is shown: a string without quotes, a number as TOML writes it.
    public var label: String {
        switch self {
        case let .string(s): return s
        case let .number(x): return x.isFinite ? "\(x)" : tomlLiteral
        default: return tomlLiteral
        }
    }

    /// The number an integer or floating-point value stands for.
    public var numberValue: Double? {
        switch self {
        case let .integer(i): return Double(i)
        case let .number(x): return x
        default: return nil
        }
    }
}

extension URL {
    /// The path relative to the current directory when it lies under it, else absolute.
    var relativePathFromCurrent: String {
        let cwd = FileManager.default.currentDirectoryPath
        let p = standardized.path
        return p.hasPrefix(cwd + "/") ? String(p.dropFirst(cwd.count + 1)) : p
    }
}
