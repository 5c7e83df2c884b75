import Testing
import Plot

/// One golden PNG per element kind (fixtures/plot/*.png).
@Suite("Plot goldens")
struct PlotGoldenTests {
    @Test("element scenes match their goldens", arguments: Scenes.all.map(\.0))
    func golden(name: String) throws {
        let figure = Scenes.all.first { $0.0 == name }!.1
        try checkPlotGolden(figure.rasterize(), "element-" + name)
    }
}
