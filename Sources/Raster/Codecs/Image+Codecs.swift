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
    /// Reads a whole file, refusing one larger than `maxSize` before reading it.
    /// A regular file is read straight into one buffer of its size (no
    /// intermediate `Data`: for a 30 MB picture that was a second copy and its
    /// page faults).
    public static func read(_ path: String, maxSize: Int) throws(RasterError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .io("cannot open \(path)") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .io("cannot read \(path): \(String(cString: strerror(errno)))") }
        let isRegular = status.st_mode & S_IFMT == S_IFREG
        if isRegular, Int(status.st_size) > maxSize { throw .limitsExceeded("\(path) is larger than \(maxSize) bytes") }
        // A regular file's size is known: it is read straight into a buffer of
        // that size, which is not zeroed first. Anything else (a pipe, a
        // device), or a file that grew, grows as it comes.
        var count = 0
        var failure: Int32 = 0
        var bytes = LargeBuffer.written(count: isRegular ? Int(status.st_size) : 0) { buffer in
            while count < buffer.count {
                let result = readRetrying(descriptor, into: UnsafeMutableRawBufferPointer(buffer), at: count)
                if result <= 0 {
                    failure = result < 0 ? errno : 0
                    break
                }
                count += result
            }
            // A file that shrank meanwhile: the rest is cut off below.
            UnsafeMutableBufferPointer(rebasing: buffer[count...]).initialize(repeating: 0)
        }
        if failure != 0 { throw .io("cannot read \(path): \(String(cString: strerror(failure)))") }
        while true {
            if count == bytes.count {
                // Full: one byte more says whether the file ended (a regular file
                // has, unless it grew) before the buffer is grown.
                var probe: UInt8 = 0
                let more = withUnsafeMutableBytes(of: &probe) { readRetrying(descriptor, into: $0, at: 0) }
                if more == 0 { break }
                if more < 0 { throw .io("cannot read \(path): \(String(cString: strerror(errno)))") }
                guard count < maxSize else { throw .limitsExceeded("\(path) is larger than \(maxSize) bytes") }
                bytes.append(probe)
                count += 1
                bytes.append(contentsOf: repeatElement(0, count: max(64 << 10, min(count, maxSize + 1 - count))))
            }
            let result = bytes.withUnsafeMutableBytes { readRetrying(descriptor, into: $0, at: count) }
            if result < 0 { throw .io("cannot read \(path): \(String(cString: strerror(errno)))") }
            if result == 0 { break }
            count += result
        }
        guard count <= maxSize else { throw .limitsExceeded("\(path) is larger than \(maxSize) bytes") }
        bytes.removeLast(bytes.count - count)
        return bytes
    }

    /// read(2) into `buffer` from `offset` on, again when a signal interrupts
    /// it: the bytes read (0 at the end of the file), or -1 with `errno` set.
    private static func readRetrying(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
        while true {
            let result = Foundation.read(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            if result >= 0 || errno != EINTR { return result }
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
