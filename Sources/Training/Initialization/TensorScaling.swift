import Models
import Tensor

/// Initial parameters with one scale per chosen tensor: `w(s) = w0` with tensor i multiplied by
/// `s[i]`. `∂w/∂s[i]` is `w0` on tensor i and 0 elsewhere (`u_i`), so for any vector x,
/// `⟨x, ∂w/∂s[i]⟩` is the dot product of x and w0 over tensor i (`project`).
struct TensorScaling<T: TensorScalar> {
    /// The drawn parameters, flat (`ParameterLayout` order), in Float64.
    let base: [Double]
    /// The scaled tensors' names and coordinates in the flat vector.
    let names: [String]
    let ranges: [Range<Int>]
    /// ‖w0‖ over each scaled tensor.
    let norms: [Double]
    let shape: [Int]

    /// Scales the tensors of `layout` that `include` accepts and whose drawn norm is not zero
    /// (a tensor drawn as zeros, such as a bias or Fixup's last layer of a branch, has no scale).
    init(_ w0: Tensor<T>, layout: ParameterLayout, include: (_ name: String, _ shape: [Int]) -> Bool) {
        base = w0.doubles
        shape = w0.shape
        var names: [String] = [], ranges: [Range<Int>] = [], norms: [Double] = []
        for (i, name) in layout.names.enumerated() where include(name, layout.shapes[i]) {
            let range = layout.offsets[i]..<(layout.offsets[i] + layout.shapes[i].reduce(1, *))
            let norm = base[range].reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else { continue }
            names.append(name)
            ranges.append(range)
            norms.append(norm)
        }
        self.names = names
        self.ranges = ranges
        self.norms = norms
    }

    var count: Int { names.count }

    /// The parameters at scales `s` (one per scaled tensor).
    func weights(_ s: [Double]) -> Tensor<T> {
        var w = base
        for (i, range) in ranges.enumerated() { for j in range { w[j] *= s[i] } }
        return Tensor(shape: shape, converting: w)
    }

    /// `⟨x, ∂w/∂s[i]⟩` for every scaled tensor i.
    func project(_ x: [Double]) -> [Double] {
        ranges.map { range in range.reduce(0) { $0 + x[$1] * base[$1] } }
    }
}
