import CZlib
import Foundation

/// Gzip (and raw deflate) decompression through zlib.
enum Gzip {
    /// True when `data` starts with the gzip magic bytes 1f 8b.
    static func isCompressed(_ data: Data) -> Bool { data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B }

    /// The decompressed bytes of a gzip stream (or, with `raw`, of a headerless deflate stream as
    /// zip archives hold it); `name` goes into error messages.
    /// With `limit`, more output than that many bytes is an error (a damaged or hostile archive).
    static func decompress(_ data: Data, name: String, raw: Bool = false, limit: Int? = nil) throws -> Data {
        var stream = z_stream()
        guard (raw ? curv_inflate_init_raw(&stream) : curv_inflate_init_gzip(&stream)) == Z_OK else { throw DataError("\(name): zlib could not start (out of memory?)") }
        defer { inflateEnd(&stream) }
        var output = Data()
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        var status: Int32 = Z_OK
        try data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            repeat {
                try buffer.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(chunk)
                    status = inflate(&stream, Z_NO_FLUSH)
                    guard status == Z_OK || status == Z_STREAM_END else {
                        let reason = stream.msg.map { String(cString: $0) } ?? "code \(status)"
                        throw DataError("\(name): corrupt or truncated gzip data (\(reason))")
                    }
                    output.append(out.baseAddress!, count: chunk - Int(stream.avail_out))
                    if let limit, output.count > limit {
                        throw DataError("\(name): the compressed data expands past the \(limit) bytes its archive declares (damaged or hostile file)")
                    }
                }
                if status != Z_STREAM_END && stream.avail_in == 0 && stream.avail_out != 0 {
                    throw DataError("\(name): gzip data ends before the end of its stream (truncated file)")
                }
            } while status != Z_STREAM_END
        }
        return output
    }
}
