import Foundation

/// One config key and the value given to it: by a sweep file's `[set]` or axis, or on the command
/// line (`curv-record CONFIG --set optimizer.lr=0.3`, `curv-sweep SWEEP --set steps=20`).
public struct ConfigSetting: Equatable, Sendable {
    public var key: String
    public var value: ConfigValue
    public init(key: String, value: ConfigValue) { self.key = key; self.value = value }

    /// Reads `KEY=VALUE` as given after `--set`. The value is TOML (`0.3`, `[0, 50]`, `"relu"`,
    /// `true`); a value that is not TOML is taken as a string, so `model.activation=relu` works
    /// unquoted. The key is dotted (`record.spectrum_at`); whether it exists is checked where the
    /// config is read.
    public init(commandLine argument: String) throws {
        guard let eq = argument.firstIndex(of: "=") else {
            throw ConfigError("--set \(argument): expected KEY=VALUE (for example --set optimizer.lr=0.3)")
        }
        let key = argument[..<eq].trimmingCharacters(in: .whitespaces)
        let text = argument[argument.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        let parts = key.split(separator: ".", omittingEmptySubsequences: false)
        guard !key.isEmpty, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" } }) else {
            throw ConfigError("--set \(argument): '\(key)' is not a config key (dotted names such as optimizer.lr)")
        }
        guard !text.isEmpty else { throw ConfigError("--set \(argument): no value after '='") }
        let value: ConfigValue
        if let parsed = try? ConfigValue.parse(toml: "v = \(text)\n", file: "--set"), let v = parsed["v"] {
            value = v
        } else if !text.contains(where: { "\"'[]{}=#\n".contains($0) }) {
            value = .string(text)
        } else {
            throw ConfigError("--set \(argument): '\(text)' is not a TOML value (quote strings: \(key)='\"text\"'; lists as [1, 2])")
        }
        self.init(key: String(key), value: value)
    }
}

extension RunConfig {
    /// Reads a config file to record with some keys set on top (`--set`), then checks the whole
    /// as `load` does. Relative data paths in the file are read from its folder; data paths given
    /// in `settings` from the working directory, where they were typed.
    public static func load(_ path: String, setting settings: [ConfigSetting]) throws -> RunConfig {
        guard !settings.isEmpty else { return try load(path) }
        let text = try configText(path)
        // The file's own errors keep their line numbers: it is read alone first.
        _ = try parse(text, file: path, pathsRelativeTo: DataConfig.folder(of: path))
        var tree = ConfigTree.resolvingDataPaths(try ConfigValue.parse(toml: text, file: path), against: DataConfig.folder(of: path))
        let cwd = FileManager.default.currentDirectoryPath
        for s in settings {
            try ConfigTree.set(s.key, to: ConfigTree.resolvingDataPaths(setting: s.key, s.value, against: cwd), in: &tree)
        }
        let source = "\(path) with " + settings.map { "--set \($0.key)=\($0.value.tomlLiteral)" }.joined(separator: " ")
        let config = try parse(ConfigTree.toml(tree), file: source)
        try config.validateForRecording(file: source)
        return config
    }
}
