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

    /// Encodes with each format's sensible defaults; `quality` applies to JPEG.
    public func encoded(as format: ImageFormat, quality: Int = 85) throws(RasterError) -> [UInt8] {
        switch format {
        case .png: return try PNG.encode(self)
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
    public func write(to path: String, quality: Int = 85) throws(RasterError) {
        let ext = (path as NSString).pathExtension
        guard let format = ImageFormat(fileExtension: ext) else {
            throw .unsupportedFormat("cannot tell the output format from the extension '.\(ext)' (use png, jpg or bmp)")
        }
        try RasterFile.write(encoded(as: format, quality: quality), to: path)
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

    /// Writes via a temporary file in the same folder and a rename, so a reader
    /// never sees half a file.
    public static func write(_ bytes: [UInt8], to path: String) throws(RasterError) {
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .io("cannot write \(path): \(error.localizedDescription)")
        }
    }
}
