// Refusing to write over a command's own input: `curv-record cfg.toml --out cfg.toml --overwrite`
// or `curv-plot loss run.h5 --out run.h5` would otherwise replace the input with the output.
// Two paths name the same file when they reach the same inode (hard links, symbolic links, `./`
// spellings), or resolve to the same path.

import Foundation

public enum OutputGuard {
    /// Whether `a` and `b` name the same existing file, or resolve to the same path.
    public static func sameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        if stat(a, &sa) == 0, stat(b, &sb) == 0 { return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino }
        return resolvedPath(a) == resolvedPath(b)
    }

    /// Throws `.inputIsOutput` when `output` is one of `inputs`.
    public static func refuseInputAsOutput(_ output: String, inputs: [String]) throws {
        for input in inputs where sameFile(output, input) {
            throw RunStoreError(.inputIsOutput(input: input), file: output,
                                detail: "this is the input \(input) itself; writing here would destroy it: choose another output path")
        }
    }

    /// Whether a file exists at `path` and does not begin with `signature` (an output of another
    /// kind, which a tool should not replace unasked).
    public static func existsWithoutSignature(_ path: String, _ signature: [UInt8]) -> Bool {
        guard FileManager.default.fileExists(atPath: path) else { return false }
        guard let handle = FileHandle(forReadingAtPath: path) else { return true }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: signature.count)) ?? Data()
        return Array(head) != signature
    }
}
