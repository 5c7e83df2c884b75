import Models
import Tensor

extension LossSurface {
    /// Fraction of examples whose largest output is at the target's largest entry (one-hot labels).
    public func accuracy(at w: Tensor<T>) -> Double {
        let params = layout.unflatten(w)
        var correct = 0
        for chunk in chunks {
            let outputs = model(params, chunk.inputs).doubles
            let targets = chunk.targets.doubles
            let classes = chunk.targets.shape[1]
            for i in 0..<chunk.count {
                let row = outputs[(i * classes)..<((i + 1) * classes)]
                let target = targets[(i * classes)..<((i + 1) * classes)]
                if row.indices.max(by: { row[$0] < row[$1] }) == target.indices.max(by: { target[$0] < target[$1] }) { correct += 1 }
            }
        }
        return Double(correct) / Double(examples.count)
    }
}
