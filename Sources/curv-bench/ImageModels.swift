import Autodiff
import Models
import Tensor

// The image-model benchmarks of issue 13:
// CNN = 1x28x28 inputs, conv 3x3 32 -> relu -> 2x2 max pool -> conv 3x3 64 -> relu -> 2x2 max pool
//       -> dense 10, softmax cross-entropy, batch 128 random inputs, Float32.
// ResNet-8 = Architectures.resnet(3x32x32, 1 block per stage, width 16, BatchNorm), train mode
//       (batch statistics over the batch of 128), random inputs, Float32.
// Convolution throughput: the CNN's second convolution (128 x 32 x 14 x 14 -> 64 channels) alone,
// forward and backward (gradients for its input and weights: 3 times the forward's flops).

/// A batch of `n` random inputs of `features` features with random one-hot targets over 10 classes.
func randomBatch(n: Int, features: Int, seed: UInt64) -> Batch<Float> {
    var rng = SeededGenerator(seed: seed)
    let x = Tensor<Float>.randomNormal([n, features], using: &rng)
    var y = Tensor<Float>(zeros: [n, 10])
    for i in 0..<n { y[i, Int(rng.next() % 10)] = 1 }
    return Batch(inputs: x, targets: y)
}

let benchCNN = Architectures.cnn(inputShape: [1, 28, 28], channels: [32, 64], hidden: [], outputs: 10, activation: .relu, batchNorm: false)
let benchResNet = Architectures.resnet(inputShape: [3, 32, 32], blocks: 1, width: 16, outputs: 10, normalization: .batchNorm)

/// Multiply-adds times 2 of the CNN's forward pass at batch n (the two convolutions and the head).
func cnnForwardFlops(n: Int) -> Double {
    2 * Double(n) * (784 * 32 * 9 + 196 * 64 * 288 + 3136 * 10)
}

/// `sum(conv(x; w) * r)` for a fixed r: its gradient in (x, w) is the convolution's backward pass.
struct ConvolutionProbe: ScalarFunction {
    typealias Scalar = Float
    let layer: Conv2D
    let r: Tensor<Float>
    func callAsFunction<A: TensorOps>(_ p: [A]) -> A where A.Scalar == Float {
        let pass = ForwardPass<A>(parameters: ["weight": p[1]], buffers: [:], mode: .eval, dropoutSeed: nil)
        return (layer(p[0], Scope(pass: pass, path: "")) * A(constant: r)).sumOfElements()
    }
}

/// GFLOP/s of the convolution's forward and backward pass (median of `repeats`).
func convolutionGflops(repeats: Int) -> Double {
    let n = 128
    let layer = Conv2D(WindowGeometry(channels: 32, height: 14, width: 14, kernel: 3, padding: 1), outputChannels: 64, bias: false)
    var rng = SeededGenerator(seed: 11)
    let x = Tensor<Float>.randomNormal([n, 32, 14, 14], using: &rng)
    let w = Tensor<Float>.randomNormal([64, 32, 3, 3], scale: 0.05, using: &rng)
    let probe = ConvolutionProbe(layer: layer, r: .randomNormal([n, 64, 14, 14], using: &rng))
    var sink: Float = 0
    let ms = medianMilliseconds(repeats) { sink += valueAndGradient(of: probe, at: [x, w]).gradient[1].scalars[0] }
    if !sink.isFinite { print("warning: non-finite benchmark result") }
    return 3 * 2 * Double(n * 196 * 64 * 288) / (ms * 1e6)
}
