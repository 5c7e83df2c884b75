import Foundation

/// Where a config's data files are. Relative paths in a config file are read from the config
/// file's folder (not the working directory), so a config and its data can move together and a
/// config runs the same from any folder. The resolved config written into a run file holds the
/// absolute paths that were read.
extension DataConfig {
    /// The `[data]` keys whose values are file or folder paths.
    public static let pathKeys = ["path", "images", "labels", "files"]

    /// `path` as an absolute path: `~` expanded, a relative path joined to `folder`, `.` and `..`
    /// removed. An empty path stays empty (it means "not set").
    public static func absolutePath(_ path: String, against folder: String) -> String {
        guard !path.isEmpty else { return path }
        let expanded = (path as NSString).expandingTildeInPath
        let joined = expanded.hasPrefix("/") ? expanded : (folder.hasSuffix("/") ? folder : folder + "/") + expanded
        return URL(fileURLWithPath: joined).standardizedFileURL.path
    }

    /// The absolute folder holding the file at `path` (relative paths against the working directory).
    public static func folder(of path: String) -> String {
        let absolute = absolutePath(path, against: FileManager.default.currentDirectoryPath)
        return (absolute as NSString).deletingLastPathComponent
    }

    /// The files and folders this source reads, each with the config key that names it
    /// (`data.files[1]`); empty for generated data.
    public var namedPaths: [(key: String, path: String)] {
        func listed(_ paths: [String]) -> [(key: String, path: String)] {
            paths.enumerated().map { ("data.files[\($0.offset)]", $0.element) }
        }
        switch source {
        case .digits, .csv: return [("data.path", path)]
        case .idx: return [("data.images", images), ("data.labels", labels)]
        case .cifar10: return listed(files)
        case .text: return files.isEmpty ? [("data.path", path)] : listed(files)
        case .gaussianMixture, .teacherStudent, .copy, .sort, .modularAddition: return []
        }
    }

    /// This config with its file paths replaced by `recorded`, the files a run read in order
    /// (`DataOrigin.paths`, stored as the run file's `/data@dataset_path`), for a run whose config
    /// paths no longer lead to its data (a config recorded before paths were stored absolute, read
    /// from another folder). Nil when the recorded list does not fit this source.
    public func withRecordedPaths(_ recorded: [String]) -> DataConfig? {
        var d = self
        switch source {
        case .digits:
            // The digits source reads two IDX files from one folder.
            guard recorded.count == 2 else { return nil }
            d.path = (recorded[0] as NSString).deletingLastPathComponent
        case .csv:
            guard recorded.count == 1 else { return nil }
            d.path = recorded[0]
        case .idx:
            guard recorded.count == 2 else { return nil }
            (d.images, d.labels) = (recorded[0], recorded[1])
        case .cifar10, .text:
            guard !recorded.isEmpty else { return nil }
            (d.path, d.files) = ("", recorded)
        case .gaussianMixture, .teacherStudent, .copy, .sort, .modularAddition:
            return nil
        }
        return d
    }
}

extension RunConfig {
    /// This config reading its data from `recorded`, the files a run read in order (its
    /// `/data@dataset_path` split at "; "), when the config's own paths lead nowhere from here:
    /// older run files stored paths relative to the folder they were recorded from. Unchanged
    /// when its paths exist or the recorded list does not fit the source. Whoever reads the data
    /// still checks its SHA-256 against the run's.
    public func readingRecordedPaths(ifMissing recorded: [String]) -> RunConfig {
        let exists = { (p: (key: String, path: String)) in FileManager.default.fileExists(atPath: p.path) }
        guard !data.namedPaths.allSatisfy(exists), let moved = data.withRecordedPaths(recorded), moved.namedPaths.allSatisfy(exists) else {
            return self
        }
        var c = self
        c.data = moved
        return c
    }
}
