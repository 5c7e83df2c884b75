import Foundation
import Raster
import Testing
@testable import Plot

/// Layout through the recording backend: what is drawn where.
@Suite("Layout")
struct LayoutTests {
    /// Every text item lies inside the canvas and no two text items overlap.
    static func checkText(_ items: [RecordingBackend.Item], width: Int, height: Int, name: String) {
        let canvas = Rect(x: 0, y: 0, width: Double(width), height: Double(height))
        for t in items {
            #expect(t.box.minX >= canvas.minX - 0.5 && t.box.maxX <= canvas.maxX + 0.5
                    && t.box.minY >= canvas.minY - 0.5 && t.box.maxY <= canvas.maxY + 0.5,
                    "\(name): text '\(t.text)' at \(t.box) is clipped by the canvas")
        }
        for (i, a) in items.enumerated() {
            for b in items[(i + 1)...] {
                let overlap = a.box.insetBy(0.5).intersects(b.box.insetBy(0.5))
                #expect(!overlap, "\(name): '\(a.text)' \(a.box) overlaps '\(b.text)' \(b.box)")
            }
        }
    }

    @Test("nothing overlaps or is clipped in the element scenes", arguments: Scenes.all.map(\.0))
    func scenes(name: String) {
        let figure = Scenes.all.first { $0.0 == name }!.1
        let rec = figure.record()
        Self.checkText(rec.texts, width: figure.width, height: figure.height, name: name)
    }

    @Test("the same figures at twice the size and scale keep their layout")
    func scaled() {
        for (name, var figure) in Scenes.all {
            figure.width *= 2; figure.height *= 2; figure.scale = 2
            let rec = figure.record()
            Self.checkText(rec.texts, width: figure.width, height: figure.height, name: name + "@2x")
        }
    }

    @Test("small figures still fit their labels", arguments: [(320, 220), (480, 300), (1200, 400)])
    func sizes(size: (Int, Int)) {
        var f = Scenes.lines()
        f.width = size.0; f.height = size.1
        let rec = f.record()
        Self.checkText(rec.texts, width: f.width, height: f.height, name: "lines \(size)")
    }

    @Test("an integer x axis over 0...3 keeps whole ticks, labelled as integers (no 0.5, no 1.0)")
    func integerAxis() throws {
        var a = Axes(title: "steps", xLabel: "step", yLabel: "y")
        a.add(.line(x: [0, 1, 2, 3], y: [1, 2, 1, 3], label: nil, color: Palette.color(0)))
        var f = Figure(a, width: 640, height: 400)
        let rec = RecordingBackend(width: 640, height: 400)
        let fractional = f.layouts(measure: rec)[0].xTicks
        #expect(fractional.major.contains(0.5), "the plain axis should tick at halves here: \(fractional.major)")
        f.panels[0].integerX = true
        let whole = f.layouts(measure: rec)[0].xTicks
        #expect(whole.major == [0, 1, 2, 3] && whole.labels == ["0", "1", "2", "3"], "\(whole)")
        #expect(whole.minor.allSatisfy { $0 == $0.rounded() })
    }

    @Test("tick labels sit outside the data area; data is clipped to it")
    func ticksOutsidePlot() throws {
        let f = Scenes.logAxes()
        let rec = f.record()
        let plot = f.layouts(measure: rec)[0].plot
        let labels = rec.texts.filter { ["10⁰", "10¹", "10²", "10⁻¹", "10⁻²", "10⁻³"].contains($0.text) }
        #expect(labels.count >= 5)
        for t in labels { #expect(!t.box.intersects(plot), "tick label '\(t.text)' inside the plot") }
        let data = rec.items.filter { $0.kind == "polyline" && $0.clip == plot }
        #expect(!data.isEmpty)
    }

    @Test("the legend goes where it hides the least data")
    func legendAvoidsData() throws {
        // Data fills the top edge, the middle left and the bottom right; only the bottom-left is empty.
        var a = Axes()
        a.add(.horizontal(95, label: "ceiling"))
        let x = (0...100).map(Double.init)
        a.add(.line(x: x, y: x.map { 50 + $0 / 2 }, label: "rising"))
        a.add(.line(x: x.map { 50 + $0 / 2 }, y: x.map { $0 / 5 }, label: "low right"))
        let f = Figure(a, width: 600, height: 400)
        let rec = f.record()
        let plot = f.layouts(measure: rec)[0].plot
        let label = try #require(rec.texts.first { $0.text == "rising" })
        #expect(label.box.minX < plot.center.x && label.box.minY > plot.center.y, "legend at \(label.box) not bottom-left of \(plot)")
    }

    @Test("colorbar and its label sit right of the heatmap, inside the canvas")
    func colorbar() throws {
        let f = Scenes.heatmap()
        let rec = f.record()
        let l = f.layouts(measure: rec)[0]
        let bar = try #require(l.colorbar)
        #expect(bar.minX > l.plot.maxX && bar.maxX < Double(f.width))
        let label = try #require(rec.texts.first { $0.text == "density" })
        #expect(label.box.minX > bar.maxX && label.box.maxX <= Double(f.width))
        #expect(rec.items.filter { $0.kind == "image" }.count == 2)
    }

    @Test("rotated text boxes: a y label reads bottom to top, centred on its anchor")
    func rotatedBox() {
        let rec = RecordingBackend(width: 100, height: 100)
        let m = rec.measureText("loss", size: 12)
        let box = rec.textBox("loss", at: Point(50, 50), size: 12, alignment: .center, baseline: .bottom, angle: .pi / 2)
        #expect(abs(box.height - m.width) < 1e-9 && abs(box.maxX - 50) < 1e-9 && abs(box.center.y - 50) < 1e-9)
    }

    // Found by the runplan fuzzer after 77 451 inputs (a sharpness of 1.8e308 in a run file, drawn
    // on a log axis): limits padded past Double's range became infinite and tick placement trapped
    // on Int(infinity).
    @Test("data near Double's largest value keeps finite limits and ticks on every scale", arguments: [Scale.linear, .log, .symlog(threshold: 1)])
    func extremeData(scale: Scale) throws {
        var a = Axes(yScale: scale)
        a.add(.line(x: [0, 1, 2, 3], y: [1.7e308, -1.7e308, 1e-300, 5], label: "extreme"))
        a.add(.line(x: [-1.7e308, 1.7e308], y: [1, 2], label: "wide"))
        let limits = a.resolvedLimits()
        for range in [limits.x, limits.y] {
            #expect(range.lowerBound.isFinite && range.upperBound.isFinite && (range.upperBound - range.lowerBound).isFinite, "\(range)")
        }
        var explicit = a
        explicit.yLimits = -Double.infinity...Double.infinity
        #expect(explicit.resolvedLimits().y.upperBound.isFinite)
        _ = Figure(a, width: 300, height: 200).record()
        _ = Figure(explicit, width: 300, height: 200).record()
        #expect(TickLocator.ticks(-Double.infinity...Double.infinity, scale: scale).major.isEmpty)
    }
}
