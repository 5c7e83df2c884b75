import Models
import Testing

@Suite("Model specs of image models")
struct ModelSpecTests {
    static func spec(_ kind: String, shape: [Int] = [3, 32, 32]) -> ModelSpec {
        var s = ModelSpec(widths: [shape.reduce(1, *), 10], activation: .relu, loss: .crossEntropy, weightDecay: 0, dtype: "f32",
                          initialization: .heNormal)
        s.kind = kind
        s.inputShape = shape
        return s
    }

    @Test("the parameter estimate is exact for a cnn and a close upper bound for a resnet")
    func parameterEstimate() throws {
        for (channels, hidden, bn) in [([8, 16], [32], false), ([4], [], true), ([2, 3, 5], [7, 6], true)] {
            var s = Self.spec("cnn")
            s.channels = channels
            s.hidden = hidden
            s.batchNorm = bn
            let actual = Double(s.network.layout.count)
            // BatchNorm replaces the convolution's bias by a scale and a shift (one more per channel).
            let slack = bn ? Double(channels.reduce(0, +)) : 2 * Double(channels.reduce(0, +))
            #expect(s.estimatedParameters >= actual && s.estimatedParameters - actual <= slack, "cnn \(channels): \(s.estimatedParameters) vs \(actual)")
        }
        for (blocks, width, normalization) in [(1, 8, ResidualNormalization.batchNorm), (2, 4, .none), (1, 16, .fixup)] {
            var s = Self.spec("resnet")
            s.blocks = blocks
            s.width = width
            s.normalization = normalization
            let actual = Double(s.network.layout.count)
            #expect(s.estimatedParameters >= actual && s.estimatedParameters <= 1.2 * actual,
                    "resnet \(blocks)x\(width) \(normalization): \(s.estimatedParameters) vs \(actual)")
        }
    }

    @Test("a spec too large to build is refused by its sizes, before anything is allocated")
    func hugeSpecRefused() throws {
        var s = Self.spec("resnet")
        s.blocks = 1000
        s.width = 4096
        let json = s.json
        #expect(throws: ModelSpecError.self) { try ModelSpec.parse(json: json, source: "run.h5 /model/spec") }
        do { _ = try ModelSpec.parse(json: json, source: "run.h5 /model/spec") } catch {
            #expect("\(error)".contains("run.h5 /model/spec") && "\(error)".contains("parameters"))
        }
    }
}
