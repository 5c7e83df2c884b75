// A manifest of every group, dataset and attribute in a file, with dtypes, shapes, values and a
// checksum of the stored bytes. scripts/check-run-interop compares it against what h5py reads;
// tests compare manifests before and after an analysis append to prove recorded data unchanged.

import Foundation

/// One object or attribute of a file.
public struct ManifestEntry: Equatable, Sendable {
    public enum Kind: String, Sendable {
        case group, dataset, attribute
    }

    /// "/checkpoints/10/weights/w" for objects, "/checkpoints/10@lr" for attributes.
    public var path: String
    public var kind: Kind
    /// numpy-style dtype: "<f4", "<f8", "<i8", "|u1" (one-byte types have no byte order), ..., "str"
    /// (variable- or fixed-length text);
    /// "" for groups.
    public var dtype: String
    /// Extent ([] for scalars and groups).
    public var shape: [Int]
    /// The values, flattened row-major (numbers as JSON numbers, text as strings).
    public var values: [JSONValue]
    /// FNV-1a 64-bit hash of the stored little-endian bytes (numeric data only), as 16 hex digits.
    public var fnv1a64: String?
}

public enum RunManifest {
    /// Every group, dataset and attribute of the HDF5 file at `path`, parents before children,
    /// members in name order. Works on any HDF5 file (not only runs); opens it read-only. A group
    /// reached again by another link (hard or soft; a link back to an enclosing group makes a
    /// cycle) is listed at each path, and its members and attributes under the first only.
    public static func entries(of path: String) throws -> [ManifestEntry] {
        let file = try H5File.open(path, writable: false)
        defer { try? file.close() }
        var entries: [ManifestEntry] = []
        var walked: Set<UInt64> = []
        try walk(try file.root(), path: "/", walked: &walked, into: &entries)
        return entries
    }

    /// The manifest as a JSON object {"format": "curvature-manifest-1", "entries": [...]}; non-finite numbers are
    /// written as NaN / Infinity / -Infinity (Python's json module reads them).
    public static func json(of path: String) throws -> String {
        let list = try entries(of: path).map { entry -> JSONValue in
            var members: [(String, JSONValue)] = [("path", .string(entry.path)), ("kind", .string(entry.kind.rawValue)),
                                                  ("dtype", .string(entry.dtype)), ("shape", .ints(entry.shape)),
                                                  ("values", .array(entry.values))]
            if let hash = entry.fnv1a64 { members.append(("fnv1a64", .string(hash))) }
            return .object(members)
        }
        return JSONValue.object([("format", .string("curvature-manifest-1")), ("entries", .array(list))]).text(indent: 1, nonFinite: .literals)
    }

    private static func walk(_ group: H5Group, path: String, walked: inout Set<UInt64>, into entries: inout [ManifestEntry]) throws {
        entries.append(ManifestEntry(path: path, kind: .group, dtype: "", shape: [], values: [], fnv1a64: nil))
        guard walked.insert(try group.address()).inserted else { return }
        try addAttributes(of: group, path: path, into: &entries)
        for name in try group.memberNames() {
            let childPath = path == "/" ? "/" + name : path + "/" + name
            if group.isGroup(name) {
                try walk(try group.group(name), path: childPath, walked: &walked, into: &entries)
            } else {
                let dataset = try group.dataset(name)
                var entry = describe(try dataset.readValue(), path: childPath, kind: .dataset)
                entry.shape = try dataset.shape()
                entries.append(entry)
                try addAttributes(of: dataset, path: childPath, into: &entries)
            }
        }
    }

    private static func addAttributes(of object: H5Object, path: String, into entries: inout [ManifestEntry]) throws {
        for name in try object.attributeNames() {
            var entry = describe(try object.attributeValue(name), path: path + "@" + name, kind: .attribute)
            entry.shape = try object.attributeShape(name)
            entries.append(entry)
        }
    }

    private static func describe(_ value: H5Value, path: String, kind: ManifestEntry.Kind) -> ManifestEntry {
        switch value {
        case let .floats(values, size, raw):
            return ManifestEntry(path: path, kind: kind, dtype: "<f\(size)", shape: [], values: values.map { .double($0) },
                                 fnv1a64: fnv1a64(raw))
        case let .integers(values, size, signed, raw):
            return ManifestEntry(path: path, kind: kind, dtype: (size == 1 ? "|" : "<") + (signed ? "i" : "u") + "\(size)", shape: [],
                                 values: values.map { .int(Int($0)) }, fnv1a64: fnv1a64(raw))
        case let .strings(values):
            return ManifestEntry(path: path, kind: kind, dtype: "str", shape: [], values: values.map { .string($0) }, fnv1a64: nil)
        case let .references(paths):
            return ManifestEntry(path: path, kind: kind, dtype: "ref", shape: [], values: paths.map { .string($0) }, fnv1a64: nil)
        case let .other(name):
            return ManifestEntry(path: path, kind: kind, dtype: "other:\(name)", shape: [], values: [], fnv1a64: nil)
        }
    }

    /// FNV-1a, 64-bit: offset basis 0xcbf29ce484222325, prime 0x100000001b3.
    static func fnv1a64(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
