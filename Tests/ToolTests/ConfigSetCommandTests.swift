// `--set KEY=VALUE` on curv-record and curv-sweep: a key set on the command line gives the same
// run as the same key written in the file; bad keys and values are refused before anything is
// written; a sweep file found through a relative path reads a base config above its folder.

import Foundation
import RunStore
import Testing
import TestSupport
@testable import Training

@Suite("--set on curv-record and curv-sweep")
struct ConfigSetCommandTests {
    func losses(_ path: String) throws -> (loss: [Double], config: String) {
        let reader = try RunReader.open(path)
        defer { reader.close() }
        return (try reader.metrics()["loss"], try #require(try reader.configJSON()))
    }

    @Test("KEY=VALUE reads TOML values, bare words as strings, and refuses what is not a key or a value")
    func parsing() throws {
        #expect(try ConfigSetting(commandLine: "optimizer.lr=0.3") == ConfigSetting(key: "optimizer.lr", value: .number(0.3)))
        #expect(try ConfigSetting(commandLine: "steps=20") == ConfigSetting(key: "steps", value: .integer(20)))
        #expect(try ConfigSetting(commandLine: "model.activation=relu") == ConfigSetting(key: "model.activation", value: .string("relu")))
        #expect(try ConfigSetting(commandLine: "name=\"a b\"") == ConfigSetting(key: "name", value: .string("a b")))
        #expect(try ConfigSetting(commandLine: "record.checkpoint_at=[0, 5]")
                == ConfigSetting(key: "record.checkpoint_at", value: .array([.integer(0), .integer(5)])))
        for bad in ["lr", "=3", "optimizer..lr=1", "x=", "x=[1,", "a b=1"] {
            #expect(throws: ConfigError.self, "\(bad)") { try ConfigSetting(commandLine: bad) }
        }
    }

    @Test("curv-record --set gives the run of the file with those keys written; bad settings write nothing")
    func record() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try sweepBase.write(to: dir.appendingPathComponent("base.toml"), atomically: true, encoding: .utf8)
        let edited = sweepBase.replacingOccurrences(of: "lr = 0.1", with: "lr = 0.05")
            .replacingOccurrences(of: "activation = \"tanh\"", with: "activation = \"relu\"")
        #expect(edited != sweepBase)
        try edited.write(to: dir.appendingPathComponent("edited.toml"), atomically: true, encoding: .utf8)

        let a = try tool("curv-record", ["base.toml", "--out", "set.h5", "--quiet", "--set", "optimizer.lr=0.05", "--set", "model.activation=relu"], in: dir)
        #expect(a.status == 0, "\(a)")
        let b = try tool("curv-record", ["edited.toml", "--out", "edited.h5", "--quiet"], in: dir)
        #expect(b.status == 0, "\(b)")
        let set = try losses(dir.appendingPathComponent("set.h5").path), file = try losses(dir.appendingPathComponent("edited.h5").path)
        #expect(set.loss.map(\.bitPattern) == file.loss.map(\.bitPattern))
        let plain = try tool("curv-record", ["base.toml", "--out", "plain.h5", "--quiet"], in: dir)
        #expect(plain.status == 0)
        #expect(try losses(dir.appendingPathComponent("plain.h5").path).loss != set.loss, "the settings changed nothing")
        #expect(set.config.contains("\"relu\""))

        for (arguments, words) in [(["--set", "optimizer.rate=0.05"], ["optimizer.rate", "--set"]),
                                   (["--set", "optimizer.lr=-1"], ["optimizer.lr", "-1"]),
                                   (["--set", "optimizer.lr"], ["KEY=VALUE"])] {
            let r = try tool("curv-record", ["base.toml", "--out", "bad.h5", "--quiet"] + arguments, in: dir)
            #expect(r.status != 0)
            for w in words { #expect(r.stderr.contains(w), "\(arguments): \(r.stderr)") }
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("bad.h5").path))
        }
        let resume = try tool("curv-record", ["--resume", "set.h5", "--set", "steps=3"], in: dir)
        #expect(resume.status != 0 && resume.stderr.contains("--resume"), "\(resume)")
    }

    @Test("curv-sweep --set applies to every point, refuses a swept key; a relative sweep path reads ../../ bases")
    func sweep() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("configs"), withIntermediateDirectories: true)
        try fm.createDirectory(at: dir.appendingPathComponent("a/b"), withIntermediateDirectories: true)
        try sweepBase.write(to: dir.appendingPathComponent("configs/base.toml"), atomically: true, encoding: .utf8)
        try """
            base = "../../configs/base.toml"
            [set]
            steps = 12
            [[axis]]
            key = "optimizer.lr"
            values = [0.05, 0.1]
            """.write(to: dir.appendingPathComponent("a/b/sweep.toml"), atomically: true, encoding: .utf8)

        let r = try tool("curv-sweep", ["a/b/sweep.toml", "--out", "out", "--jobs", "1", "--set", "steps=3", "--set", "model.activation=relu"], in: dir)
        #expect(r.status == 0, "\(r)")
        let runs = dir.appendingPathComponent("out/runs")
        let files = try fm.contentsOfDirectory(atPath: runs.path).filter { $0.hasSuffix(".h5") }
        #expect(files.count == 2)
        for f in files {
            let (loss, config) = try losses(runs.appendingPathComponent(f).path)
            #expect(loss.count == 4, "steps 0-3 from --set, over [set]'s 12")
            #expect(config.contains("\"relu\""))
        }
        let swept = try tool("curv-sweep", ["a/b/sweep.toml", "--out", "out2", "--set", "optimizer.lr=1"], in: dir)
        #expect(swept.status != 0 && swept.stderr.contains("sweeps 'optimizer.lr'"), "\(swept)")
        #expect(!fm.fileExists(atPath: dir.appendingPathComponent("out2").path))
    }
}
