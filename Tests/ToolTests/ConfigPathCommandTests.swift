import Foundation
import Testing
import Training

/// Relative data paths in a config are read from the config file's folder (docs/config.md,
/// "Paths"): the same config records the same run from any working directory, the run file stores
/// absolute paths so that curv-density finds the data from anywhere, and a path that leads nowhere
/// is refused naming the key.
@Suite("Config-relative data paths")
struct ConfigPathCommandTests {
    /// PROJECT/configs/run.toml reading ../data/digits (a copy of the bundled digits); the Hessian
    /// batch is not embedded (embed_limit = 0), so analysis must re-read the data.
    static func project(in dir: URL, path: String = "../data/digits") throws -> URL {
        let project = dir.appendingPathComponent("project")
        try FileManager.default.createDirectory(at: project.appendingPathComponent("configs"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: project.appendingPathComponent("data"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("fixtures/digits"), to: project.appendingPathComponent("data/digits"))
        let config = """
            steps = 3
            dtype = "f64"
            [data]
            source = "digits"
            path = "\(path)"
            subset = 60
            [model]
            hidden = [4]
            [record]
            sharpness_every = 0
            hessian_examples = 20
            embed_limit = 0
            checkpoint_at = [3]
            spectrum_at = []
            """
        try config.write(to: project.appendingPathComponent("configs/run.toml"), atomically: true, encoding: .utf8)
        return project
    }

    @Test("a config records the same run from two working directories, and curv-density re-reads its data from a third")
    func anyWorkingDirectory() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let project = try Self.project(in: dir)
        let elsewhere = dir.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)

        // From the project folder and from its parent, with the config path relative to each.
        let a = try tool("curv-record", ["configs/run.toml", "--out", "../a.h5", "--quiet"], in: project)
        #expect(a.status == 0, "\(a)")
        let b = try tool("curv-record", ["project/configs/run.toml", "--out", "b.h5", "--quiet"], in: dir)
        #expect(b.status == 0, "\(b)")
        func summary(_ run: String) throws -> [String: Any] {
            let result = try tool("curv-inspect", [dir.appendingPathComponent(run).path, "--json"], in: elsewhere)
            #expect(result.status == 0, "\(result)")
            return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        }
        let runA = try summary("a.h5"), runB = try summary("b.h5")
        let lossA = try #require((runA["metrics"] as? [String: Any])?["loss"] as? [Double])
        let lossB = try #require((runB["metrics"] as? [String: Any])?["loss"] as? [Double])
        #expect(lossA == lossB && lossA.count == 4)

        // The stored config holds the absolute path that was read.
        let digits = project.appendingPathComponent("data/digits").standardizedFileURL.path
        let data = ((runA["config"] as? [String: Any])?["data"] as? [String: Any])
        #expect(data?["path"] as? String == digits, "\(String(describing: data))")

        // The text summary shows the config keys that apply (digits: no class count); --json keeps every key.
        let text = try tool("curv-inspect", [dir.appendingPathComponent("a.h5").path], in: elsewhere)
        #expect(text.stdout.contains("subset = 60") && !text.stdout.contains("classes =") && !text.stdout.contains("beta2 ="), "\(text.stdout)")
        #expect(data?["classes"] != nil)

        // The batch is not embedded: curv-density rebuilds it from the data, from an unrelated folder.
        let density = try tool("curv-density", [dir.appendingPathComponent("a.h5").path, "--at", "3", "--top", "1", "--bottom", "0", "--probes", "1", "--lanczos", "4"], in: elsewhere)
        #expect(density.status == 0, "\(density)")

        // Data moved away: the analysis names the path and the key, and the run file is unchanged.
        try FileManager.default.moveItem(at: project.appendingPathComponent("data"), to: project.appendingPathComponent("data-moved"))
        let before = try Data(contentsOf: dir.appendingPathComponent("a.h5"))
        let gone = try tool("curv-density", [dir.appendingPathComponent("a.h5").path, "--at", "3", "--top", "1", "--bottom", "0", "--probes", "1", "--lanczos", "4"], in: elsewhere)
        #expect(gone.status == 1, "\(gone)")
        for fragment in [digits, "data.path"] { #expect(gone.stderr.contains(fragment), "'\(fragment)' missing from: \(gone.stderr)") }
        #expect(try Data(contentsOf: dir.appendingPathComponent("a.h5")) == before)
    }

    @Test("a run file whose stored config names its data relative to another folder (as files did before) is analysed from the recorded absolute paths")
    func olderRunFiles() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A config built in code keeps its path as written: "fixtures/digits", relative to the
        // repository root (the tests' working directory), as run files recorded before config-relative paths stored it.
        var config = RunConfig()
        config.steps = 2
        config.dtype = "f64"
        config.data.path = "fixtures/digits"
        config.data.subset = 50
        config.model.hidden = [3]
        config.record.sharpnessEvery = 0
        config.record.hessianExamples = 10
        config.record.embedLimit = 0
        config.record.checkpointAt = [2]
        config.record.spectrumAt = []
        let run = dir.appendingPathComponent("old.h5").path
        _ = try Recorder.record(config, options: RecordOptions(outputPath: run, progress: .quiet))
        // From a folder without fixtures/digits, only the recorded absolute paths lead to the data.
        let result = try tool("curv-density", [run, "--at", "2", "--top", "1", "--bottom", "0", "--probes", "1", "--lanczos", "3"], in: dir)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("step 2 [hessian] analysis"), "\(result)")
    }

    @Test("a data path that leads nowhere is refused naming the absolute path, the key and the rule; nothing is written")
    func missingPath() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let project = try Self.project(in: dir, path: "data/digits")   // relative to configs/, where there is none
        let result = try tool("curv-record", ["project/configs/run.toml", "--out", "run.h5"], in: dir)
        #expect(result.status == 1, "\(result)")
        let meant = project.appendingPathComponent("configs/data/digits").path
        for fragment in ["curv-record: ", meant, "data.path", "config file's folder"] {
            #expect(result.stderr.contains(fragment), "'\(fragment)' missing from: \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("run.h5").path))
    }
}
