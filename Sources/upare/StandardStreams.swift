import Foundation
import Raster

/// `-` as a file name: standard input or standard output, for pipelines.
enum StandardStreams {
    /// Whether `path` names a standard stream.
    static func isStream(_ path: String) -> Bool { path == "-" }

    /// All of standard input, refused past `maxSize` bytes.
    static func read(maxSize: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        while true {
            let chunk = FileHandle.standardInput.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            bytes.append(contentsOf: chunk)
            guard bytes.count <= maxSize else { throw RasterError.limitsExceeded("standard input is larger than \(maxSize) bytes") }
        }
        guard !bytes.isEmpty else { throw RasterError.unsupportedFormat("standard input is empty") }
        return bytes
    }

    /// `bytes` on standard output.
    static func write(_ bytes: [UInt8]) throws {
        try FileHandle.standardOutput.write(contentsOf: Data(bytes))
    }

    /// A file's bytes, or standard input's for `-`.
    static func read(_ path: String, maxSize: Int) throws -> [UInt8] {
        isStream(path) ? try read(maxSize: maxSize) : try RasterFile.read(path, maxSize: maxSize)
    }
}
