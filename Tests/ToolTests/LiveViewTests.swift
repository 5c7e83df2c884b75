import Foundation
import RunStore
import Testing
import TestSupport

/// Reading a run while it is recorded (docs/run-format.md, "Live view"): the recorder keeps
/// `RUN.live.h5` current; curv-inspect and curv-plot read it (saying so) when the run is locked; its
/// rows are the run's first rows bit for bit; it is gone when the recording ends.
@Suite("Live view of a recording", .serialized)
struct LiveViewTests {
    static let longRun = """
        steps = 400000
        dtype = "f64"
        [data]
        source = "gaussian_mixture"
        count = 60
        dimension = 4
        [model]
        hidden = [6]
        [record]
        sharpness_every = 5
        """

    @Test("while recording: curv-inspect and curv-plot read the live view, its rows are the run's; after the end it is gone")
    func readWhileRecording() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("long.toml"), run = dir.appendingPathComponent("run.h5").path
        try Self.longRun.write(to: config, atomically: true, encoding: .utf8)
        let live = LiveView.path(for: run)
        #expect(live == dir.appendingPathComponent("run.live.h5").path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: builtExecutable("curv-record"))
        process.arguments = [config.path, "--out", run, "--quiet", "--live-every", "0.2"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: live) && Date() < deadline { usleep(50_000) }
        try #require(FileManager.default.fileExists(atPath: live), "no live view within 60 s")
        usleep(500_000)

        let inspect = try tool("curv-inspect", [run, "--json"], in: dir)
        #expect(inspect.status == 0, "\(inspect)")
        #expect(inspect.stderr.contains("is being recorded; reading its live view") && inspect.stderr.contains("run.live.h5"), "\(inspect.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any])
        let metrics = try #require(object["metrics"] as? [String: Any])
        let liveSteps = try #require(metrics["step"] as? [Int])
        #expect(liveSteps.count > 10 && liveSteps == Array(0..<liveSteps.count))
        // A copy of the view as it stands (renames replace it whole, so a copy is one version of it).
        let snapshot = dir.appendingPathComponent("snapshot.h5").path
        try FileManager.default.copyItem(atPath: live, toPath: snapshot)
        let viewed = try RunReader.open(snapshot)
        let liveLoss = try #require(try viewed.metrics().columns["loss"])
        viewed.close()
        let plot = try tool("curv-plot", ["sharpness", run, "--out", dir.appendingPathComponent("live.png").path], in: dir)
        #expect(plot.status == 0 && plot.stderr.contains("live view"), "\(plot)")

        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect(!FileManager.default.fileExists(atPath: live), "the live view outlived the recording")
        // The run file holds what the live view showed, and more, bit for bit.
        let reader = try RunReader.open(run)
        defer { reader.close() }
        let final = try reader.metrics()
        #expect(final.steps.count >= liveSteps.count && final.steps.count >= liveLoss.count)
        let loss = try #require(final.columns["loss"])
        #expect(Array(loss.prefix(liveLoss.count)).map(\.bitPattern) == liveLoss.map(\.bitPattern))
    }
}
