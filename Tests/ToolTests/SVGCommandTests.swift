import Foundation
import Testing

/// `curv-plot ... --out FIG.svg`: the same figure as vector graphics, with the PNG's guarantees
/// (an existing file of another kind is not replaced without --overwrite; nothing half-written).
@Suite("curv-plot SVG output")
struct SVGCommandTests {
    @Test("an .svg --out writes an SVG document of the figure; a non-SVG file there is kept unless --overwrite")
    func writesSVG() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = repositoryRoot.appendingPathComponent("fixtures/runs/sample.h5").path
        let out = dir.appendingPathComponent("fig.svg").path
        let result = try tool("curv-plot", ["sharpness", run, "--out", out, "--title", "a <title> & more"])
        #expect(result.status == 0, "\(result)")
        let svg = try String(contentsOfFile: out, encoding: .utf8)
        #expect(svg.hasPrefix("<?xml") && svg.contains("<svg ") && svg.hasSuffix("</svg>\n"))
        #expect(svg.contains(">a &lt;title&gt; &amp; more</text>"))
        // Replacing its own earlier SVG is fine; a file that is not an SVG needs --overwrite.
        #expect(try tool("curv-plot", ["loss", run, "--out", out]).status == 0)
        let other = dir.appendingPathComponent("notes.svg").path
        try "my notes".write(toFile: other, atomically: true, encoding: .utf8)
        let refused = try tool("curv-plot", ["loss", run, "--out", other])
        #expect(refused.status == 64 && refused.stderr.contains("is not an SVG"), "\(refused)")
        #expect(try String(contentsOfFile: other, encoding: .utf8) == "my notes")
        #expect(try tool("curv-plot", ["loss", run, "--out", other, "--overwrite"]).status == 0)
        // A missing folder is said plainly, for both formats, and nothing is created.
        for name in ["fig.svg", "fig.png"] {
            let missing = dir.appendingPathComponent("no-such-folder/\(name)").path
            let result = try tool("curv-plot", ["loss", run, "--out", missing])
            #expect(result.status == 1 && result.stderr == "curv-plot: \(missing): cannot write the figure: the directory \(dir.appendingPathComponent("no-such-folder").path) does not exist\n", "\(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("no-such-folder").path))
        let bad = try tool("curv-plot", ["loss", run, "--out", dir.appendingPathComponent("fig.pdf").path])
        #expect(bad.status == 64 && bad.stderr.contains(".png or .svg"), "\(bad)")
    }
}
