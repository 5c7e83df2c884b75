import Foundation
import Tensor

/// How text is cut into tokens.
public enum TextTokenizer: String, CaseIterable, Sendable {
    /// One token per distinct byte of the corpus: the distinct bytes sorted, token id = rank.
    case chars
    /// One token per byte value: V = 256, token id = the byte.
    case bytes

    /// The byte each token id stands for, for this corpus.
    func vocabulary(of corpus: [[UInt8]]) -> [UInt8] {
        switch self {
        case .bytes: return (0...255).map { UInt8($0) }
        case .chars:
            var seen = [Bool](repeating: false, count: 256)
            for file in corpus { for byte in file { seen[Int(byte)] = true } }
            return (0...255).filter { seen[$0] }.map { UInt8($0) }
        }
    }
}

extension Dataset {
    /// Where Debian's `fortunes-min` package (installed by `scripts/setup`) puts its files.
    public static let fortunesDirectory = "/usr/share/games/fortunes/"
    /// The default text corpus: three files of `fortunes-min` (about 98 KB).
    public static let defaultTextCorpus = ["fortunes", "literature", "riddles"].map { fortunesDirectory + $0 }

    /// Next-token prediction on plain text. Each file's bytes are tokenized and cut into windows
    /// of `context + 1` tokens taken with stride `context` (consecutive windows share one token;
    /// no window spans two files), in file order; `count` > 0 keeps the first `count` windows.
    /// Example i's input is window i's first `context` tokens, its labels the next token at every
    /// position. The vocabulary (the byte of each token id) is recorded; the provenance holds the
    /// files in order and the SHA-256 of their bytes concatenated.
    public static func text(files: [URL], context: Int, tokenizer: TextTokenizer, count: Int = 0) throws -> Dataset {
        guard !files.isEmpty else { throw DataError("text: no files given (set data.path or data.files)") }
        guard context >= 1 else { throw DataError("text: context \(context) must be at least 1") }
        var corpus = [[UInt8]](), all = Data()
        for url in files {
            let data = try readFile(url, decompress: false)
            guard data.count >= context + 1 else {
                throw DataError("\(url.path): \(data.count) bytes, shorter than one window of context + 1 = \(context + 1) tokens; lower data.context or leave the file out")
            }
            corpus.append([UInt8](data))
            all.append(data)
        }
        let vocabulary = tokenizer.vocabulary(of: corpus)
        var id = [Int](repeating: -1, count: 256)
        for (rank, byte) in vocabulary.enumerated() { id[Int(byte)] = rank }

        let available = corpus.reduce(0) { $0 + ($1.count - 1) / context }
        let n = count > 0 ? min(count, available) : available
        var estimate = MemoryEstimate()
        estimate.add("one-hot targets", count: Double(n) * Double(context) * Double(vocabulary.count), width: 8)
        if let excess = estimate.excess() {
            throw DataError("text: \(n) windows of \(context) tokens over \(vocabulary.count) tokens \(excess); lower data.count or data.context")
        }
        var windows = [Int]()
        windows.reserveCapacity(n * (context + 1))
        var taken = 0
        for file in corpus where taken < n {
            var start = 0
            while start + context < file.count && taken < n {
                windows.append(contentsOf: file[start...(start + context)].map { id[Int($0)] })
                start += context
                taken += 1
            }
        }
        var set = Dataset(windows: windows, context: context, vocabularySize: vocabulary.count,
                          provenance: DataOrigin(source: "text", paths: files.map(\.path), content: all))
        set.vocabulary = vocabulary
        return set
    }
}
