import Tensor

/// Minibatches drawn without replacement: each epoch is a seeded permutation of the training set,
/// cut into consecutive batches; a batch that would run past the end continues into the next
/// epoch's permutation. A batch size of 0 means full batch.
struct MinibatchSampler {
    let count: Int
    let batchSize: Int
    let seed: UInt64
    private var epoch = 0
    private var order: [Int] = []
    private var cursor = 0

    init(count: Int, batchSize: Int, seed: UInt64) {
        self.count = count
        self.batchSize = batchSize
        self.seed = seed
        if batchSize > 0 { order = Dataset.permutation(count, seed: seed &+ 1) }
    }

    var isFullBatch: Bool { batchSize == 0 || batchSize >= count }

    /// The example indices of the next batch.
    mutating func next() -> [Int] {
        var batch = [Int]()
        batch.reserveCapacity(batchSize)
        while batch.count < batchSize {
            if cursor == order.count {
                epoch += 1
                order = Dataset.permutation(count, seed: seed &+ 1 &+ UInt64(epoch))
                cursor = 0
            }
            let take = min(batchSize - batch.count, order.count - cursor)
            batch.append(contentsOf: order[cursor..<(cursor + take)])
            cursor += take
        }
        return batch
    }
}
