import Tensor

/// How a residual network normalizes, or makes up for not normalizing.
public enum ResidualNormalization: String, CaseIterable, Sendable, Codable {
    /// BatchNorm after every convolution (He et al. 2016).
    case batchNorm = "batch_norm"
    /// No normalization, the scheme's initialization (convolutions with biases).
    case none
    /// No normalization, Fixup initialization (Zhang et al. 2019): scalar biases around every
    /// convolution and a scalar multiplier per branch, the branch's last convolution and the
    /// classifier zero-initialized, the branch's first convolution scaled by `L^(-1/2)` (L residual
    /// branches of two layers each).
    case fixup
}

/// The networks a config can name, built from a few sizes.
public enum Architectures {
    /// A small convolutional net for `[C, H, W]` images: per entry of `channels`, a 3x3 convolution
    /// (padding 1) with `channels[k]` outputs, optionally BatchNorm, the activation and 2x2 max
    /// pooling (`conv<k>`, `bn<k>`, `act<k>`, `pool<k>`); then `flatten`, dense hidden layers
    /// (`dense<k>`, `dense_act<k>`) and a dense output layer (`head`).
    /// `dropout` > 0 adds a dropout layer (`dropout`) before the output layer.
    public static func cnn(inputShape: [Int], channels: [Int], hidden: [Int], outputs: Int, activation: Activation,
                           batchNorm: Bool, dropout: Double = 0) -> Network {
        precondition(inputShape.count == 3, "cnn: input shape \(inputShape) is not [C, H, W]")
        var layers = [(name: String, layer: any Layer)]()
        var (c, h, w) = (inputShape[0], inputShape[1], inputShape[2])
        for (k, out) in channels.enumerated() {
            layers.append(("conv\(k)", Conv2D(WindowGeometry(channels: c, height: h, width: w, kernel: 3, padding: 1),
                                              outputChannels: out, bias: !batchNorm)))
            if batchNorm { layers.append(("bn\(k)", BatchNorm(channels: out))) }
            layers.append(("act\(k)", ActivationLayer(activation)))
            let pool = WindowGeometry(channels: out, height: h, width: w, kernel: 2, stride: 2)
            layers.append(("pool\(k)", MaxPool2D(pool)))
            (c, h, w) = (out, pool.outputHeight, pool.outputWidth)
        }
        layers.append(("flatten", Flatten()))
        var features = c * h * w
        for (k, width) in hidden.enumerated() {
            layers.append(("dense\(k)", Dense(inputs: features, outputs: width)))
            layers.append(("dense_act\(k)", ActivationLayer(activation)))
            features = width
        }
        if dropout > 0 { layers.append(("dropout", Dropout(rate: dropout))) }
        layers.append(("head", Dense(inputs: features, outputs: outputs)))
        return Network(Sequential(layers), inputShape: inputShape)
    }

    /// A CIFAR-style residual network (He et al. 2016, section 4.2) for `[C, H, W]` images:
    /// a 3x3 stem convolution with `width` channels, three stages of `blocks` basic blocks with
    /// `width`, `2 width`, `4 width` channels (the first block of stages 2 and 3 halves the
    /// resolution and projects its shortcut with a strided 1x1 convolution), global average
    /// pooling and a dense classifier. Depth `6 blocks + 2` (ResNet-8: `blocks` = 1). ReLU.
    ///
    /// Names: `stem.conv` (`stem.bn`), `stage<s>.block<b>.body.conv1|bn1|conv2|bn2`,
    /// `...shortcut.conv|bn`, Fixup's `bias1a|bias1b|bias2a|scale|bias2b`, `head`.
    /// `zeroInitResidual` starts each branch's last BatchNorm scale at zero.
    public static func resnet(inputShape: [Int], blocks: Int, width: Int, outputs: Int, normalization: ResidualNormalization,
                              zeroInitResidual: Bool = false) -> Network {
        precondition(inputShape.count == 3 && blocks > 0 && width > 0, "resnet: input \(inputShape), blocks \(blocks), width \(width)")
        let bn = normalization == .batchNorm, fixup = normalization == .fixup
        let branches = 3 * blocks
        // Fixup: a branch of m = 2 layers in a net of L branches is scaled by L^(-1/(2m-2)).
        let fixupScale = fixup ? 1 / Double(branches).squareRoot() : 1
        func conv(_ c: Int, _ h: Int, _ w: Int, out: Int, kernel: Int, stride: Int, scale: Double = 1) -> Conv2D {
            Conv2D(WindowGeometry(channels: c, height: h, width: w, kernel: kernel, stride: stride, padding: kernel / 2),
                   outputChannels: out, bias: normalization == .none, initialScale: scale)
        }
        var layers = [(name: String, layer: any Layer)]()
        var (c, h, w) = (inputShape[0], inputShape[1], inputShape[2])
        var stem: [(name: String, layer: any Layer)] = [("conv", conv(c, h, w, out: width, kernel: 3, stride: 1))]
        if bn { stem.append(("bn", BatchNorm(channels: width))) }
        stem.append(("act", ActivationLayer(.relu)))
        layers.append(("stem", Sequential(stem)))
        c = width
        for stage in 0..<3 {
            let out = width << stage
            var stageBlocks = [(name: String, layer: any Layer)]()
            for b in 0..<blocks {
                let stride = stage > 0 && b == 0 ? 2 : 1
                let first = conv(c, h, w, out: out, kernel: 3, stride: stride, scale: fixupScale)
                let (oh, ow) = (first.geometry.outputHeight, first.geometry.outputWidth)
                let second = conv(out, oh, ow, out: out, kernel: 3, stride: 1, scale: fixup ? 0 : 1)
                var body = [(name: String, layer: any Layer)]()
                if fixup { body.append(("bias1a", ScalarBias())) }
                body.append(("conv1", first))
                if bn { body.append(("bn1", BatchNorm(channels: out))) }
                if fixup { body.append(("bias1b", ScalarBias())) }
                body.append(("act1", ActivationLayer(.relu)))
                if fixup { body.append(("bias2a", ScalarBias())) }
                body.append(("conv2", second))
                if bn { body.append(("bn2", BatchNorm(channels: out, zeroInitialScale: zeroInitResidual))) }
                if fixup { body += [("scale", ScalarScale()), ("bias2b", ScalarBias())] }
                var shortcut: (any Layer)? = nil
                if stride != 1 || c != out {
                    var projection: [(name: String, layer: any Layer)] = [("conv", conv(c, h, w, out: out, kernel: 1, stride: stride))]
                    if bn { projection.append(("bn", BatchNorm(channels: out))) }
                    shortcut = Sequential(projection)
                }
                stageBlocks.append(("block\(b)", Residual(body: Sequential(body), shortcut: shortcut, activation: .relu)))
                (c, h, w) = (out, oh, ow)
            }
            layers.append(("stage\(stage + 1)", Sequential(stageBlocks)))
        }
        layers.append(("pool", GlobalAveragePool()))
        if fixup { layers.append(("head_bias", ScalarBias())) }
        layers.append(("head", Dense(inputs: c, outputs: outputs, initialScale: fixup ? 0 : 1)))
        return Network(Sequential(layers), inputShape: inputShape)
    }
}
