import Foundation
import Training

/// IDX inputs: byte 0 is flags (bit 0: name the files `.gz`, so gzip data is inflated), bytes 1-2 the
/// label file's length L (big-endian), then L bytes of label file and the rest is the image file.
/// The image bytes also go to `IDXArray(data:)` alone.
enum IDXInput {
    static func run(_ bytes: [UInt8]) {
        guard bytes.count >= 3 else { return }
        let gzip = bytes[0] & 1 != 0
        let labelCount = min(Int(bytes[1]) << 8 | Int(bytes[2]), bytes.count - 3)
        let labels = Array(bytes[3..<(3 + labelCount)]), images = Array(bytes[(3 + labelCount)...])
        _ = try? IDXArray(data: Data(images), name: "images")
        let suffix = gzip ? ".gz" : ""
        let imageURL = ScratchFile.write(images, name: "images-idx3-ubyte" + suffix)
        let labelURL = ScratchFile.write(labels, name: "labels-idx1-ubyte" + suffix)
        _ = try? Dataset.idx(images: imageURL, labels: labelURL)
    }
}

/// CSV inputs: byte 0 picks the reader's arguments, the rest is the file (plain or gzip).
/// Bit 0: header line. Bit 1: classification on column (bits 2-4), else regression on that
/// column (and on column 0 too when bit 5 is set).
enum CSVInput {
    static func run(_ bytes: [UInt8]) {
        guard let flags = bytes.first else { return }
        let column = Int(flags >> 2 & 7)
        let url = ScratchFile.write(Array(bytes.dropFirst()), name: "data.csv")
        if flags & 2 != 0 {
            _ = try? Dataset.csv(url, header: flags & 1 != 0, labelColumn: column)
        } else {
            _ = try? Dataset.csv(url, header: flags & 1 != 0, labelColumn: nil,
                                 targetColumns: flags & 0x20 != 0 ? [column, 0] : [column])
        }
    }
}

/// CIFAR-10: the bytes as one binary batch file.
enum CIFARFuzz {
    static func run(_ bytes: [UInt8]) {
        _ = try? Dataset.cifar10(files: [ScratchFile.write(bytes, name: "data_batch.bin")])
    }
}
