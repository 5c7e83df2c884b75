import Models
import RunStore
import Tensor

// Conversions between the training layer's values and the run file's records.

extension ParameterLayout {
    /// The flat vector as one named array per parameter tensor.
    public func namedArrays<T: TensorScalar & StoredFloat>(_ flat: Tensor<T>) -> [NamedArray<T>] {
        namedArrays(unflatten(flat))
    }

    /// The tensors (in layout order) as named arrays.
    public func namedArrays<T: TensorScalar & StoredFloat>(_ tensors: [Tensor<T>]) -> [NamedArray<T>] {
        precondition(tensors.map(\.shape) == shapes, "ParameterLayout.namedArrays: shapes \(tensors.map(\.shape)) != \(shapes)")
        return zip(names, tensors).map { NamedArray(name: $0, shape: $1.shape, values: $1.scalars) }
    }

    /// A flat vector from named arrays (any order), checking names and shapes against the layout.
    public func flat<T: TensorScalar & StoredFloat>(from arrays: [NamedArray<T>], source: String) throws -> Tensor<T> {
        var byName = [String: NamedArray<T>]()
        for a in arrays { byName[a.name] = a }
        let tensors = try zip(names, shapes).map { name, shape -> Tensor<T> in
            guard let a = byName[name] else { throw DataError("\(source): parameter '\(name)' is missing (has \(byName.keys.sorted()))") }
            guard a.shape == shape else { throw DataError("\(source): parameter '\(name)' has shape \(a.shape), the model needs \(shape)") }
            return Tensor(shape: shape, scalars: a.values)
        }
        return flatten(tensors)
    }
}

extension Optimizer where T: StoredFloat {
    /// The optimizer's state as a checkpoint record: hyper-parameters, step count, and each state
    /// slot split into one array per parameter tensor.
    public func record(layout: ParameterLayout) -> OptimizerState<T> {
        var hyper: [String: Double] = [:]
        switch settings.kind {
        case .sgd: break
        case .momentum, .nesterov: hyper["momentum"] = settings.momentum
        case .adam, .adamw:
            hyper = ["beta1": settings.beta1, "beta2": settings.beta2, "eps": settings.epsilon]
            if settings.kind == .adamw { hyper["weight_decay"] = settings.decoupledWeightDecay }
        }
        var slots = [String: [NamedArray<T>]]()
        for (name, tensor) in state { slots[name] = layout.namedArrays(tensor) }
        return OptimizerState(kind: settings.kind.rawValue, stepCount: stepCount, hyperparameters: hyper, slots: slots)
    }

    /// Restores an optimizer from a checkpoint record.
    public static func restore(_ record: OptimizerState<T>, settings: OptimizerSettings, layout: ParameterLayout, source: String) throws -> Optimizer<T> {
        var state = [String: Tensor<T>]()
        for (slot, arrays) in record.slots { state[slot] = try layout.flat(from: arrays, source: "\(source) optimizer slot '\(slot)'") }
        return Optimizer(settings, stepCount: record.stepCount, state: state)
    }
}
