// The sweep file, its points and their configs: what curv-sweep decides before recording anything.

import Foundation
import Sweep
import Testing
import Training

@Suite("Sweep files, points and configs")
struct SweepPlanTests {
    /// A folder holding `base.toml` (a small valid config) and `sweep.toml` with `sweep` as its text.
    func folder(sweep: String, base: String = sweepBase) throws -> (dir: URL, file: String) {
        let dir = try temporaryDirectory()
        try base.write(to: dir.appendingPathComponent("base.toml"), atomically: true, encoding: .utf8)
        try sweep.write(to: dir.appendingPathComponent("sweep.toml"), atomically: true, encoding: .utf8)
        return (dir, dir.appendingPathComponent("sweep.toml").path)
    }

    @Test("a config tree written as TOML parses back to the same tree; dotted keys set nested values")
    func configTree() throws {
        var tree = try ConfigValue.parse(toml: sweepBase, file: "base")
        try ConfigTree.set("optimizer.lr", to: .number(0.25), in: &tree)
        try ConfigTree.set("model.hidden", to: .array([.integer(3), .integer(5)]), in: &tree)
        try ConfigTree.set("name", to: .string("a \"quoted\"\nname\\"), in: &tree)
        try ConfigTree.set("new.deep.key", to: .boolean(true), in: &tree)
        let text = ConfigTree.toml(tree, header: ["a header"])
        #expect(try ConfigValue.parse(toml: text, file: "round trip") == tree)
        #expect(ConfigTree.leaves(tree).contains { $0.key == "new.deep.key" && $0.value == .boolean(true) })
        #expect(throws: ConfigError.self) { try ConfigTree.set("steps.x", to: .integer(1), in: &tree) }
        #expect(throws: ConfigError.self) { try ConfigTree.set("optimizer..lr", to: .integer(1), in: &tree) }
        do { try ConfigTree.set("steps.x", to: .integer(1), in: &tree) } catch {
            #expect("\(error)".contains("'steps' is a value"), "\(error)")
        }
    }

    @Test("a 2 x 3 grid: six points, the last axis fastest, each config the base with its values set")
    func grid() throws {
        let (dir, file) = try folder(sweep: """
            base = "base.toml"
            [set]
            steps = 7
            [[axis]]
            key = "optimizer.lr"
            values = [0.5, 2]
            [[axis]]
            key = "schedule.warmup_steps"
            values = [0, 3, 5]
            """)
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = try SweepPlan(try SweepSpec.load(file))
        #expect(plan.points.count == 6)
        #expect(plan.points.map(\.coordinates) == [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]])
        #expect(plan.spec.axes[0].numbers == [0.5, 2] && plan.spec.axes[1].labels == ["0", "3", "5"])
        for p in plan.points {
            // The text curv-record reads gives the config the plan checked.
            let parsed = try RunConfig.parse(p.configText, file: "point")
            #expect(parsed == p.config)
            #expect(parsed.steps == 7)
            #expect(parsed.optimizer.lr == [0.5, 2.0][p.coordinates[0]])
            #expect(parsed.schedule.warmupSteps == [0, 3, 5][p.coordinates[1]])
            // Everything else is the base's.
            var base = try RunConfig.parse(sweepBase, file: "base")
            base.steps = 7
            base.optimizer.lr = parsed.optimizer.lr
            base.schedule.warmupSteps = parsed.schedule.warmupSteps
            #expect(parsed == base)
        }
        #expect(Set(plan.points.map(\.name)).count == 6)
        #expect(plan.points[4].caption == "lr=2, warmup_steps=3")
    }

    @Test("a point is known by its config: a longer axis keeps the old points' names; another base renames them all")
    func identity() throws {
        let sweep = { (values: String) in "base = \"base.toml\"\n[[axis]]\nkey = \"optimizer.lr\"\nvalues = \(values)\n" }
        let (dir, file) = try folder(sweep: sweep("[0.5, 2.0]"))
        defer { try? FileManager.default.removeItem(at: dir) }
        let before = try SweepPlan(try SweepSpec.load(file)).points.map(\.name)
        try sweep("[0.1, 0.5, 2.0]").write(toFile: file, atomically: true, encoding: .utf8)
        let after = try SweepPlan(try SweepSpec.load(file)).points.map(\.name)
        #expect(after.count == 3 && Array(after[1...]) == before)
        try (sweepBase + "\n# a comment changes nothing\n").write(to: dir.appendingPathComponent("base.toml"), atomically: true, encoding: .utf8)
        #expect(try SweepPlan(try SweepSpec.load(file)).points.map(\.name) == after)
        try sweepBase.replacingOccurrences(of: "count = 60", with: "count = 61").write(to: dir.appendingPathComponent("base.toml"), atomically: true, encoding: .utf8)
        let changed = try SweepPlan(try SweepSpec.load(file)).points.map(\.name)
        #expect(Set(changed).isDisjoint(with: after))
    }

    @Test("an axis of tables sets several keys per value, named by its labels")
    func tableAxis() throws {
        let (dir, file) = try folder(sweep: """
            base = "base.toml"
            [[axis]]
            name = "setup"
            values = [{ "optimizer.lr" = 0.5 }, { optimizer = { lr = 1.0, momentum = 0.9, kind = "momentum" } }]
            labels = ["plain", "heavy ball"]
            """)
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = try SweepPlan(try SweepSpec.load(file))
        #expect(plan.points.map(\.caption) == ["setup=plain", "setup=heavy ball"])
        #expect(plan.points[1].config.optimizer.momentum == 0.9 && plan.points[1].config.optimizer.lr == 1.0)
        #expect(plan.points[1].config.optimizer.kind.rawValue == "momentum")
        #expect(plan.points[0].config.optimizer.kind.rawValue == "sgd" && plan.spec.axes[0].numbers == nil)
    }

    /// Bad sweep files and values, each with a phrase its message must hold.
    static let badSweeps: [(String, String)] = {
        let seeds = "[" + (0..<101).map(String.init).joined(separator: ",") + "]"
        let cases: [(String, String)] = [
            ("[[axis]]\nkey = \"optimizer.lr\"\nvalues = [1]", "base must name"),
            ("base = \"base.toml\"", "no axes"),
            ("base = \"missing.toml\"\n[[axis]]\nkey = \"optimizer.lr\"\nvalues = [1]", "missing.toml: cannot read"),
            ("base = \"base.toml\"\nbogus = 1\n[[axis]]\nkey = \"optimizer.lr\"\nvalues = [1]", "unknown key 'bogus'"),
            ("base = \"base.toml\"\n[[axis]]\nvalues = [1]", "set no key"),
            ("base = \"base.toml\"\n[[axis]]\nkey = \"optimizer.lr\"\nvalues = []", "non-empty array"),
            ("base = \"base.toml\"\n[[axis]]\nkey = \"optimizer.lr\"\nvalues = [1, 1]", "appears twice"),
            ("base = \"base.toml\"\n[[axis]]\nkey = \"optimizer.lr\"\nvalues = [1]\nlabels = [\"a\", \"b\"]", "labels must be 1 strings"),
            ("base = \"base.toml\"\n[set]\noptimizer.lr = 2\n[[axis]]\nkey = \"optimizer.lr\"\nvalues = [1]", "in [set] and on an axis"),
            ("base = \"base.toml\"\n[[axis]]\nkey = \"optimizer.lr\"\nvalues = [1]\n[[axis]]\nkey = \"optimizer.lr\"\nvalues = [2]", "two axes are named"),
            ("base = \"base.toml\"\n[[axis]]\nkey = \"optimizer.lr\"\nvalues = [0.1, -1]", "point lr=-1"),
            ("base = \"base.toml\"\n[[axis]]\nkey = \"optimizer.lrate\"\nvalues = [0.1]", "unknown key 'optimizer.lrate'"),
            ("base = \"base.toml\"\n[[axis]]\nkey = \"steps.x\"\nvalues = [1]", "'steps' is a value"),
            ("base = \"base.toml\"\n[[axis]]\nkey = \"record.checkpoint_at\"\nvalues = [[0, 5000]]", "beyond steps"),
            ("base = \"base.toml\"\njobs = 0\n[[axis]]\nkey = \"optimizer.lr\"\nvalues = [1]", "jobs = 0"),
        ]
        return cases + [("base = \"base.toml\"\n[[axis]]\nkey = \"seed\"\nvalues = \(seeds)\n[[axis]]\nkey = \"data.shuffle_seed\"\nvalues = \(seeds)", "more than 10000")]
    }()

    @Test("bad sweep files and bad values are refused before anything runs, naming the file, the point and the key",
          arguments: badSweeps)
    func refusals(_ text: String, _ expected: String) throws {
        let (dir, file) = try folder(sweep: text)
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            _ = try SweepPlan(try SweepSpec.load(file))
            Issue.record("accepted: \(text)")
        } catch {
            #expect("\(error)".contains(expected), "\(error)")
            #expect("\(error)".contains(dir.lastPathComponent), "the message names the file: \(error)")
        }
    }

    @Test("data paths are read from the folder of the file that sets them; a point's name does not depend on where the sweep lives")
    func relativeDataPaths() throws {
        // ROOT/configs/base.toml reads ../data/a.csv; ROOT/sweeps/s.toml sweeps data.path over
        // b.csv (its own folder) and the base's path.
        let base = """
            steps = 2
            [data]
            source = "csv"
            path = "../data/a.csv"
            label_column = 0
            [model]
            hidden = [2]
            """
        let sweep = """
            base = "../configs/base.toml"
            [[axis]]
            name = "data"
            values = [{ "data.path" = "b.csv" }, { "optimizer.lr" = 0.2 }]
            labels = ["b", "a"]
            """
        func make(_ root: URL) throws -> SweepPlan {
            for sub in ["configs", "sweeps"] {
                try FileManager.default.createDirectory(at: root.appendingPathComponent(sub), withIntermediateDirectories: true)
            }
            try base.write(to: root.appendingPathComponent("configs/base.toml"), atomically: true, encoding: .utf8)
            try sweep.write(to: root.appendingPathComponent("sweeps/s.toml"), atomically: true, encoding: .utf8)
            return try SweepPlan(try SweepSpec.load(root.appendingPathComponent("sweeps/s.toml").path))
        }
        let one = try temporaryDirectory(), two = try temporaryDirectory()
        defer { for d in [one, two] { try? FileManager.default.removeItem(at: d) } }
        let first = try make(one), second = try make(two)
        let root = one.standardizedFileURL.path
        #expect(first.points.map(\.config.data.path) == ["\(root)/sweeps/b.csv", "\(root)/data/a.csv"])
        // The text curv-record reads holds the absolute paths, so its folder (runs/) does not matter.
        for p in first.points { #expect(try RunConfig.parse(p.configText, file: "point").data.path == p.config.data.path) }
        #expect(first.points.map(\.name) == second.points.map(\.name))
        #expect(second.points[1].config.data.path == "\(two.standardizedFileURL.path)/data/a.csv")
    }
}

/// The base config of the sweep tests: 60 points of a 4-D Gaussian mixture, an 8-unit tanh MLP, 40
/// steps of GD with λ_max every 5 steps (a run records in ~0.1 s).
let sweepBase = """
    name = "sweep-test"
    steps = 40
    dtype = "f64"
    [data]
    source = "gaussian_mixture"
    count = 60
    dimension = 4
    [model]
    hidden = [8]
    activation = "tanh"
    [optimizer]
    kind = "sgd"
    lr = 0.1
    [record]
    sharpness_every = 5
    hessian_examples = 0
    """
