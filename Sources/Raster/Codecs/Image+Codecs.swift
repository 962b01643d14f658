import Foundation

/// Format-independent decoding and encoding, and file helpers.
extension Image {
    /// Decodes PNG, JPEG or BMP, recognised by magic bytes.
    public static func decode(_ bytes: [UInt8], limits: DecodeLimits = .default) throws(RasterError) -> Image {
        guard !bytes.isEmpty else { throw .unsupportedFormat("empty input") }
        switch ImageFormat.sniff(bytes) {
        case .png: return try PNG.decode(bytes, limits: limits)
        case .jpeg: return try JPEG.decode(bytes, limits: limits)
        case .bmp: return try BMP.decode(bytes, limits: limits)
        case nil: throw .unsupportedFormat("not a PNG, JPEG or BMP file")
        }
    }

    /// Encodes with each format's sensible defaults; `quality` applies to JPEG,
    /// `pngCompression` and `threads` to PNG (`PNG.encode(_:compression:threads:)`).
    public func encoded(
        as format: ImageFormat, quality: Int = 85, pngCompression: PNG.Compression = .default, threads: Int = 0
    ) throws(RasterError) -> [UInt8] {
        switch format {
        case .png: return try PNG.encode(self, compression: pngCompression, threads: threads)
        case .jpeg: return try JPEG.encode(self, options: JPEG.EncodeOptions(quality: quality))
        case .bmp: return try BMP.encode(self)
        }
    }

    /// Reads and decodes a file. Files larger than `maxFileSize` are refused unread.
    public static func read(
        contentsOf path: String, limits: DecodeLimits = .default, maxFileSize: Int = 256 << 20
    ) throws(RasterError) -> Image {
        try decode(RasterFile.read(path, maxSize: maxFileSize), limits: limits)
    }

    /// Encodes by the path's extension and writes atomically.
    public func write(to path: String, quality: Int = 85, pngCompression: PNG.Compression = .default) throws(RasterError) {
        let ext = (path as NSString).pathExtension
        guard let format = ImageFormat(fileExtension: ext) else {
            throw .unsupportedFormat("cannot tell the output format from the extension '.\(ext)' (use png, jpg or bmp)")
        }
        try RasterFile.write(encoded(as: format, quality: quality, pngCompression: pngCompression), to: path)
    }
}

/// Whole-file I/O with errors as `RasterError.io`.
public enum RasterFile {
    public static func read(_ path: String, maxSize: Int) throws(RasterError) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .io("cannot open \(path)")
        }
        defer { try? handle.close() }
        do {
            let data = try handle.read(upToCount: maxSize + 1) ?? Data()
            guard data.count <= maxSize else { throw RasterError.limitsExceeded("\(path) is larger than \(maxSize) bytes") }
            return [UInt8](data)
        } catch let error as RasterError {
            throw error
        } catch {
            throw .io("cannot read \(path): \(error.localizedDescription)")
        }
    }

    /// Writes via a temporary file in the same folder, flushed to disk, then
    /// renamed over `path`: a reader never sees half a file, and an interrupted
    /// write leaves the old file (or none) in place.
    public static func write(_ bytes: [UInt8], to path: String) throws(RasterError) {
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporary = (folder.isEmpty ? "." : folder) + "/.\(name).upare-\(UInt64.random(in: 0...UInt64.max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io("cannot write \(path): \(String(cString: strerror(errno)))") }
        var written = 0
        let failure: String? = bytes.withUnsafeBytes { buffer -> String? in
            while written < buffer.count {
                let result = Foundation.write(descriptor, buffer.baseAddress.map { $0 + written }, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    return String(cString: strerror(errno))
                }
                written += result
            }
            return fsync(descriptor) == 0 ? nil : String(cString: strerror(errno))
        }
        close(descriptor)
        if let failure {
            unlink(temporary)
            throw .io("cannot write \(path): \(failure)")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .io("cannot write \(path): \(reason)")
        }
    }
}
