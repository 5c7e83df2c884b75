// docs/run-format.md against recorded files: every group, dataset and attribute a recorded file
// holds is documented (with its kind), every metric column is in the documented table with the
// units and description the file carries, and every event kind written is documented.

import Foundation
import RunStore
import Testing

/// What docs/run-format.md documents: object patterns from its `## \`/path\`` sections' tables, the
/// metric-column table and the event-kind table.
struct RunFormatDocs {
    /// (regular expression over manifest paths, kind: "group", "dataset", "attribute" or nil when the
    /// table does not say, the documented name as written).
    var objects: [(pattern: NSRegularExpression, kind: String?, name: String)] = []
    /// column (`block_sharpness:<block>` as written) -> (units, description).
    var metrics: [String: (units: String, description: String)] = [:]
    var eventKinds: Set<String> = []

    init(_ text: String) throws {
        var base: String? = nil
        var headerKind: String? = nil
        var table: String? = nil, inTable = false
        for line in text.components(separatedBy: "\n") {
            if line.hasPrefix("## ") {
                // `## Root \`/\`` or `## \`/checkpoints/<step>\``: the section's path.
                base = Self.ticked(line).first { $0.hasPrefix("/") }
                table = nil
                continue
            }
            if line.hasPrefix("<!-- metric-columns") { table = "metrics"; inTable = false; continue }
            if line.hasPrefix("**Event kinds**") { table = "events"; inTable = false; continue }
            guard line.hasPrefix("|") else {
                // The special table ends with its last row.
                if inTable { table = nil; inTable = false }
                continue
            }
            inTable = true
            if line.hasPrefix("| ---") { continue }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2 else { continue }
            if !cells[0].hasPrefix("`") {
                // A header row: `| attribute | type | meaning |` says what the names are.
                headerKind = ["attribute", "dataset"].contains(cells[0]) ? cells[0] : nil
                continue
            }
            let names = Self.ticked(cells[0])
            if table == "metrics", cells.count >= 3, let name = names.first {
                metrics[name] = (Self.ticked(cells[1]).first ?? "", cells[2])
                continue
            }
            if table == "events" { eventKinds.formUnion(names); continue }
            guard let base else { continue }
            let kind = ["group", "dataset", "attribute"].contains(cells[1]) ? cells[1] : headerKind
            for name in names {
                // An attribute row names `x` (of the section's object), `@x`, or `member@x`.
                let written = kind == "attribute" && !name.contains("@") && !name.contains("/") ? "@" + name : name
                let full = Self.path(base: base, name: written)
                objects.append((try Self.regex(full), kind, name))
                // Every group on the way is documented with it (`optimizer/<slot>/<name>`: the
                // groups `optimizer` and `optimizer/<slot>`; the section's own path and its parents).
                var parent = full.split(separator: "@").first.map(String.init) ?? full
                if kind == "attribute" || !full.contains("@") && kind != "group" { parent = (parent as NSString).deletingLastPathComponent }
                while parent.count > 1 {
                    objects.append((try Self.regex(parent), "group", parent))
                    parent = (parent as NSString).deletingLastPathComponent
                }
            }
        }
    }

    /// The `backticked` spans of a line.
    static func ticked(_ s: String) -> [String] {
        s.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }

    /// A documented name under `base` as a path: `@a` is an attribute of `base`, `x@a` of its
    /// member `x`, `x/` a group.
    static func path(base: String, name: String) -> String {
        let trimmed = name.hasSuffix("/") ? String(name.dropLast()) : name
        if trimmed.hasPrefix("@") { return base + trimmed }
        return base == "/" ? "/" + trimmed : base + "/" + trimmed
    }

    /// A documented path as a regex over manifest paths; `<...>` stands for one name.
    static func regex(_ path: String) throws -> NSRegularExpression {
        let parts = path.components(separatedBy: CharacterSet(charactersIn: "<>"))
        let body = parts.enumerated().map { $0.offset % 2 == 1 ? "[^/@]+" : NSRegularExpression.escapedPattern(for: $0.element) }.joined()
        return try NSRegularExpression(pattern: "^" + body + "$")
    }

    func documents(path: String, kind: String) -> Bool {
        path == "/" || objects.contains { object in
            object.pattern.firstMatch(in: path, range: NSRange(path.startIndex..., in: path)) != nil && (object.kind == nil || object.kind == kind)
        }
    }
}

@Suite("docs/run-format.md against recorded files")
struct RunFormatDocsTests {
    static let docs = Result { try RunFormatDocs(String(contentsOf: repositoryRoot.appendingPathComponent("docs/run-format.md"), encoding: .utf8)) }

    /// Runs that between them write every part of the format: an Adam MLP with clipping, a test
    /// set, spectra of both operators, checkpoints, block sharpness and GradInit (then analysed by
    /// curv-density --blocks and --trace); a ResNet with BatchNorm (buffers); a text Transformer
    /// (vocabulary, positions); a run that oscillates about 2/lr (crossings) and one that diverges (spikes, divergence).
    static let oscillating = """
        steps = 40
        [data]
        source = "digits"
        subset = 60
        [model]
        hidden = [8]
        [optimizer]
        lr = 3.0
        [record]
        sharpness_every = 1
        hessian_examples = 20
        """

    static let configs: [(name: String, toml: String)] = [
        ("adam", """
            steps = 6
            dtype = "f64"
            [data]
            source = "digits"
            subset = 80
            test_fraction = 0.25
            [model]
            hidden = [6]
            [optimizer]
            kind = "adam"
            lr = 0.01
            [training]
            batch_size = 20
            clip_norm = 0.5
            [record]
            sharpness_every = 2
            block_sharpness_every = 3
            test_every = 3
            hessian_examples = 20
            spectrum_at = [0, 6]
            spectrum_probes = 1
            spectrum_lanczos = 5
            checkpoint_at = [0, 6]
            [learned_init]
            method = "gradinit"
            steps = 3
            examples = 10
            """),
        ("resnet", """
            steps = 2
            [data]
            source = "digits"
            subset = 24
            [model]
            kind = "resnet"
            width = 2
            normalization = "batch_norm"
            [record]
            sharpness_every = 2
            hessian_examples = 8
            checkpoint_at = [2]
            """),
        ("text", """
            steps = 2
            [data]
            source = "text"
            context = 4
            count = 40
            [model]
            width = 8
            layers = 1
            heads = 2
            [optimizer]
            kind = "adam"
            lr = 0.01
            [record]
            sharpness_every = 2
            hessian_examples = 8
            checkpoint_at = [2]
            """),
        ("oscillating", oscillating),
        ("diverging", oscillating.replacingOccurrences(of: "lr = 3.0", with: "lr = 20.0")
            + "\ndivergence_factor = 2.5\nspike_factor = 1.2\n"),
    ]

    @Test("every object a recorded file holds is documented; every metric column and event kind is in the docs' tables, with the file's units and descriptions")
    func recordedFilesAreDocumented() throws {
        let docs = try Self.docs.get()
        #expect(docs.objects.count > 60, "the parser found only \(docs.objects.count) documented names")
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var undocumented: Set<String> = [], allColumns: Set<String> = [], kinds: Set<String> = []
        for (name, toml) in Self.configs {
            let config = dir.appendingPathComponent("\(name).toml"), run = dir.appendingPathComponent("\(name).h5").path
            try toml.write(to: config, atomically: true, encoding: .utf8)
            let record = try tool("curv-record", [config.path, "--out", run, "--quiet"], in: repositoryRoot, timeout: 600)
            #expect(record.status == 0, "\(name): \(record)")
            if name == "adam" {
                for extra in [["--at", "6", "--blocks", "layers", "--trace", "--trace-matvecs", "6"],
                              ["--at", "6", "--operator", "preconditioned"]] {
                    let density = try tool("curv-density", [run, "--probes", "1", "--lanczos", "5", "--top", "1", "--bottom", "1"] + extra,
                                           in: repositoryRoot, timeout: 600)
                    #expect(density.status == 0, "\(density)")
                }
            }
            let entries = try Self.manifestEntries(run)
            var attributes: [String: String] = [:], columns: Set<String> = []
            for entry in entries {
                let path = try #require(entry["path"] as? String), kind = try #require(entry["kind"] as? String)
                if !docs.documents(path: path, kind: kind) { undocumented.insert("\(kind) \(path)") }
                if kind == "dataset", path.hasPrefix("/metrics/") { columns.insert(String(path.dropFirst("/metrics/".count))) }
                if kind == "attribute", let values = entry["values"] as? [Any], let value = values.first as? String { attributes[path] = value }
            }
            for column in columns {
                let documented = docs.metrics[column] ?? docs.metrics.first { $0.key.hasSuffix(":<block>") && column.hasPrefix($0.key.dropLast("<block>".count)) }?.value
                guard let documented else { Issue.record("\(name): metric column '\(column)' is not in docs/run-format.md's metric table"); continue }
                #expect(attributes["/metrics/\(column)@units"] == documented.units, "\(name): /metrics/\(column)@units")
                #expect(attributes["/metrics/\(column)@description"] == documented.description, "\(name): /metrics/\(column)@description")
            }
            allColumns.formUnion(columns)
            let h5 = try RunReader.open(run)
            kinds.formUnion(try h5.events().map(\.kind))
        }
        // A run made by curv-import (/imported).
        let imported = dir.appendingPathComponent("imported.h5").path
        let made = try tool("curv-import", ["fixtures/import/configs/resnet-batch_norm.toml", "fixtures/import/resnet-batch_norm-flax.npz",
                                            "--out", imported, "--quiet"], in: repositoryRoot, timeout: 600)
        #expect(made.status == 0, "\(made)")
        let importedEntries = try Self.manifestEntries(imported)
        #expect(importedEntries.contains { ($0["path"] as? String) == "/imported/conversions" }, "the import run has no /imported")
        for entry in importedEntries {
            let path = try #require(entry["path"] as? String), kind = try #require(entry["kind"] as? String)
            if !docs.documents(path: path, kind: kind) { undocumented.insert("\(kind) \(path)") }
        }
        #expect(undocumented.isEmpty, "recorded but not in docs/run-format.md: \(undocumented.sorted())")
        // The runs reach the parts they are meant to (a guard against a test that checks nothing).
        for column in ["loss", "test_loss", "clipped", "preconditioned_sharpness", "sharpness_threshold", "block_sharpness:dense0"] {
            #expect(allColumns.contains(column), "no run recorded \(column)")
        }
        #expect(kinds.isSuperset(of: ["divergence", "loss_spike", "threshold_crossing_up", "threshold_crossing_down"]), "\(kinds)")
        #expect(kinds.isSubset(of: docs.eventKinds), "event kinds not documented: \(kinds.subtracting(docs.eventKinds))")
    }

    /// `curv-inspect RUN --manifest`'s entries (path, kind, values).
    static func manifestEntries(_ run: String) throws -> [[String: Any]] {
        let manifest = try tool("curv-inspect", [run, "--manifest"], in: repositoryRoot)
        // The manifest writes non-finite numbers as Python's json does (NaN, Infinity): null here.
        let strict = manifest.stdout.replacingOccurrences(of: #"(?<=\[|, )-?(NaN|Infinity)(?=\]|,)"#, with: "null", options: .regularExpression)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(strict.utf8)) as? [String: Any])
        return try #require(object["entries"] as? [[String: Any]])
    }

    @Test("the docs' metric table is MetricCatalog, entry for entry")
    func metricTableIsTheCatalog() throws {
        let docs = try Self.docs.get()
        let catalog = Dictionary(uniqueKeysWithValues: MetricCatalog.entries.map { ($0.name.hasSuffix(":") ? $0.name + "<block>" : $0.name, $0) })
        #expect(Set(docs.metrics.keys) == Set(catalog.keys))
        for (name, entry) in catalog {
            #expect(docs.metrics[name]?.units == entry.units && docs.metrics[name]?.description == entry.description, "\(name)")
        }
    }
}
