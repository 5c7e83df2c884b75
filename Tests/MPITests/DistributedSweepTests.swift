// curv-sweep under `mpirun -np 2`: the points are dealt out to the ranks, every point recorded
// once, the index (written by rank 0) equal to one process's.

import Foundation
import Testing
import TestSupport

@Suite("distributed sweeps (mpirun -np 2)", .serialized)
struct DistributedSweepTests {
    @Test("a sweep under two ranks records every point once and its index equals one process's")
    func sweepAcrossRanks() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try minibatchConfig.replacingOccurrences(of: "steps = 60", with: "steps = 15").replacingOccurrences(of: "[0, 60]", with: "[15]")
            .write(to: dir.appendingPathComponent("base.toml"), atomically: true, encoding: .utf8)
        try """
            base = "base.toml"
            [[axis]]
            key = "optimizer.lr"
            values = [0.05, 0.2, 3.0]
            [[axis]]
            key = "training.batch_size"
            values = [16, 40]
            """.write(to: dir.appendingPathComponent("sweep.toml"), atomically: true, encoding: .utf8)
        let one = try alone("curv-sweep", ["sweep.toml", "--out", "one", "--quiet"], in: dir)
        #expect(one.status == 0, "\(one.stderr)")
        let two = try mpirun(2, "curv-sweep", ["sweep.toml", "--out", "two"], in: dir)
        #expect(two.status == 0, "\(two.stderr)")
        // Each rank recorded its own points (3 each), and rank 0 alone printed the summary.
        #expect(two.stdout.components(separatedBy: "rank 0 of 2: [").count == 4, "\(two.stdout)")
        #expect(two.stdout.components(separatedBy: "rank 1 of 2: [").count == 4, "\(two.stdout)")
        #expect(two.stdout.components(separatedBy: "two: 6 points").count == 2, "\(two.stdout)")
        func points(_ folder: String) throws -> [NSDictionary] {
            let data = try Data(contentsOf: dir.appendingPathComponent("\(folder)/index.json"))
            let index = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let points = try #require(index["points"] as? [[String: Any]])
            // Everything but the wall-clock seconds.
            return points.map { p in p.filter { $0.key != "seconds" } as NSDictionary }
        }
        let (a, b) = (try points("one"), try points("two"))
        #expect(a.count == 6 && a == b)
        #expect(a.allSatisfy { $0["status"] as? String == "done" })
        for p in b { #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("two/\(p["run"] as? String ?? "?")").path)) }
    }
}
