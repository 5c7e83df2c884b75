import Foundation

/// A config as a tree of values (`ConfigValue.parse(toml:file:)`'s result), edited by dotted key and
/// written back as TOML. `curv-sweep` makes each point's config this way: the base config's tree,
/// a few keys set, then the text that `curv-record` reads.
public enum ConfigTree {
    /// Every leaf of `tree` as (dotted key, value), keys sorted; a table nested in a table becomes
    /// `outer.inner.key`. A quoted key containing dots (`"optimizer.lr" = 0.1`) reads the same as
    /// the nested form, so both spellings name one key.
    public static func leaves(_ tree: [String: ConfigValue], prefix: String = "") -> [(key: String, value: ConfigValue)] {
        var out: [(key: String, value: ConfigValue)] = []
        for key in tree.keys.sorted() {
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            if case let .table(inner) = tree[key]! { out += leaves(inner, prefix: path) } else { out.append((path, tree[key]!)) }
        }
        return out
    }

    /// Sets the dotted `key` (e.g. `optimizer.lr`) to `value`, creating the tables on its path.
    /// Throws when a part of the path is a value, not a table (`steps.x`), or when the key is empty
    /// or has an empty part (`optimizer..lr`).
    public static func set(_ key: String, to value: ConfigValue, in tree: inout [String: ConfigValue]) throws {
        let parts = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty }) else {
            throw ConfigError("'\(key)' is not a config key (dotted names such as optimizer.lr; no empty parts)")
        }
        try set(parts[...], value, &tree, done: [])
    }

    private static func set(_ parts: ArraySlice<String>, _ value: ConfigValue, _ tree: inout [String: ConfigValue], done: [String]) throws {
        let head = parts.first!
        guard parts.count > 1 else { tree[head] = value; return }
        var inner: [String: ConfigValue] = [:]
        switch tree[head] {
        case nil: break
        case let .table(t)?: inner = t
        case let other?:
            throw ConfigError("'\((done + Array(parts)).joined(separator: "."))': '\((done + [head]).joined(separator: "."))' is a value (\(other.tomlLiteral)), not a table")
        }
        try set(parts.dropFirst(), value, &inner, done: done + [head])
        tree[head] = .table(inner)
    }

    /// TOML text for `tree`: the top level's values first, then a `[table]` header per table
    /// (nested tables as `[outer.inner]`), keys sorted. Parsing it gives `tree` back.
    public static func toml(_ tree: [String: ConfigValue], header: [String] = []) -> String {
        var lines = header.map { "# \($0)" }
        func write(_ table: [String: ConfigValue], path: [String]) {
            let keys = table.keys.sorted()
            let values = keys.filter { if case .table = table[$0]! { return false }; return true }
            let tables = keys.filter { if case .table = table[$0]! { return true }; return false }
            if !path.isEmpty && (!values.isEmpty || tables.isEmpty) {
                if !lines.isEmpty { lines.append("") }
                lines.append("[\(path.map(bareOrQuoted).joined(separator: "."))]")
            }
            for key in values { lines.append("\(bareOrQuoted(key)) = \(table[key]!.tomlLiteral)") }
            for key in tables {
                guard case let .table(inner) = table[key]! else { continue }
                write(inner, path: path + [key])
            }
        }
        write(tree, path: [])
        return lines.joined(separator: "\n") + "\n"
    }

    /// `tree` with the relative data paths it sets (`data.path`, `data.images`, `data.labels`,
    /// `data.files`) made absolute against `folder`, as `RunConfig.load` reads them from a config
    /// file in `folder`. Values that are not strings are left for the parser to refuse.
    public static func resolvingDataPaths(_ tree: [String: ConfigValue], against folder: String) -> [String: ConfigValue] {
        guard case var .table(data)? = tree["data"] else { return tree }
        for key in DataConfig.pathKeys {
            if let value = data[key] { data[key] = resolvingPath(value, against: folder) }
        }
        var out = tree
        out["data"] = .table(data)
        return out
    }

    /// The value of a setting `key = value` (as a sweep file gives one) with a data path in it made
    /// absolute against `folder`; other settings unchanged.
    public static func resolvingDataPaths(setting key: String, _ value: ConfigValue, against folder: String) -> ConfigValue {
        if key == "data" { return resolvingDataPaths(["data": value], against: folder)["data"]! }
        let parts = key.split(separator: ".").map(String.init)
        guard parts.count == 2, parts[0] == "data", DataConfig.pathKeys.contains(parts[1]) else { return value }
        return resolvingPath(value, against: folder)
    }

    private static func resolvingPath(_ value: ConfigValue, against folder: String) -> ConfigValue {
        switch value {
        case let .string(path): return .string(DataConfig.absolutePath(path, against: folder))
        case let .array(items): return .array(items.map { resolvingPath($0, against: folder) })
        default: return value
        }
    }

    /// A key as TOML writes it: bare when it is letters, digits, `_` and `-` only, else quoted.
    static func bareOrQuoted(_ key: String) -> String {
        let bare = !key.isEmpty && key.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
        }
        return bare ? key : ConfigValue.basicString(key)
    }
}
