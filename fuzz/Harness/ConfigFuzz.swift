import Training

/// The config reader: TOML text to `RunConfig`, and the resolved config back to TOML.
enum ConfigFuzz {
    static func run(_ bytes: [UInt8]) {
        guard let text = String(validating: bytes, as: UTF8.self) else { return }  // `load` rejects non-UTF-8 itself
        guard let config = try? RunConfig.parse(text, file: "fuzz.toml") else { return }
        // Run files store the resolved TOML and analysis re-parses it: it must give the same config back.
        let resolved = config.resolvedTOML
        _ = config.resolvedJSON
        do {
            let again = try RunConfig.parse(resolved, file: "resolved.toml")
            guard again == config else { fatalError("fuzz: the resolved TOML parses to another config:\n\(resolved)") }
        } catch {
            fatalError("fuzz: the resolved TOML does not parse (\(error)):\n\(resolved)")
        }
    }
}
