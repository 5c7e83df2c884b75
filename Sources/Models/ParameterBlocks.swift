import Foundation

/// A named group of parameter tensors: the coordinates of one diagonal block `H_bb` of the
/// Hessian (the curvature of the loss when only this block moves).
public struct ParameterBlock: Equatable, Sendable {
    /// The layer or group name, e.g. "block0.attention.query", "conv1" or a given prefix.
    public let name: String
    /// The block's coordinates in the flat parameter vector: one range per tensor, ascending.
    public let ranges: [Range<Int>]

    /// Number of parameters in the block.
    public var count: Int { ranges.reduce(0) { $0 + $1.count } }
}

/// How the parameter tensors are grouped into blocks.
public enum BlockGrouping: Equatable, Sendable, CustomStringConvertible {
    /// One block per layer: the tensors whose names agree up to their last "." ("fc1.weight" and
    /// "fc1.bias" form "fc1"); a name without a "." is its own block.
    case layers
    /// One block per parameter tensor.
    case tensors
    /// One block per prefix: every tensor named the prefix, or the prefix followed by ".".
    case prefixes([String])

    /// "layers", "tensors", or comma-separated prefixes ("block0,block1,embedding").
    public init?(_ text: String) {
        switch text {
        case "layers": self = .layers
        case "tensors": self = .tensors
        default:
            let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
            guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty }), Set(parts).count == parts.count else { return nil }
            self = .prefixes(parts)
        }
    }

    /// The text form `init(_:)` reads.
    public var description: String {
        switch self {
        case .layers: "layers"
        case .tensors: "tensors"
        case let .prefixes(p): p.joined(separator: ",")
        }
    }
}

/// A block grouping that does not fit the model; the text names the model's tensors.
public struct BlockGroupingError: Error, CustomStringConvertible {
    public let description: String
}

extension ParameterLayout {
    /// The blocks of `grouping`, in order of their first tensor. Prefixes that match no tensor, or
    /// that overlap (a tensor in two blocks), are errors listing the tensor names.
    public func blocks(_ grouping: BlockGrouping) throws -> [ParameterBlock] {
        func range(_ k: Int) -> Range<Int> { offsets[k]..<(offsets[k] + shapes[k].reduce(1, *)) }
        switch grouping {
        case .tensors:
            return names.indices.map { ParameterBlock(name: names[$0], ranges: [range($0)]) }
        case .layers:
            var order: [String] = [], members: [String: [Range<Int>]] = [:]
            for (k, name) in names.enumerated() {
                let layer = name.lastIndex(of: ".").map { String(name[..<$0]) } ?? name
                if members[layer] == nil { order.append(layer) }
                members[layer, default: []].append(range(k))
            }
            return order.map { ParameterBlock(name: $0, ranges: members[$0]!) }
        case let .prefixes(prefixes):
            var owner = [String?](repeating: nil, count: names.count)
            var blocks: [ParameterBlock] = []
            for prefix in prefixes {
                let matched = names.indices.filter { names[$0] == prefix || names[$0].hasPrefix(prefix + ".") }
                guard !matched.isEmpty else {
                    throw BlockGroupingError(description: "no parameter tensor is named '\(prefix)' or starts with '\(prefix).'; the model's tensors: \(names.joined(separator: ", "))")
                }
                for k in matched {
                    if let other = owner[k] {
                        throw BlockGroupingError(description: "the blocks '\(other)' and '\(prefix)' both hold \(names[k]); give prefixes that do not overlap")
                    }
                    owner[k] = prefix
                }
                blocks.append(ParameterBlock(name: prefix, ranges: matched.map(range)))
            }
            return blocks
        }
    }
}
