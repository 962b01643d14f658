/// Byte-level access to PNG chunks, for metadata a codec library does not know
/// (upare's disorder header): find one, insert one after IHDR.
extension PNG {
    /// The data of the first chunk of `type` whose CRC is right, or nil.
    public static func chunk(_ type: String, in bytes: [UInt8]) -> [UInt8]? {
        let wanted = Array(type.utf8)
        guard wanted.count == 4 else { return nil }
        return bytes.withUnsafeBufferPointer { buffer -> [UInt8]? in
            guard let found = PNGChunks.walk(buffer)?.chunks.first(where: {
                [$0.type.0, $0.type.1, $0.type.2, $0.type.3] == wanted
            }) else { return nil }
            return found.crcMatches(in: buffer) ? Array(buffer[found.data]) : nil
        }
    }

    /// `bytes` with a chunk inserted right after IHDR.
    public static func inserting(chunk type: String, data: [UInt8], into bytes: [UInt8]) throws(RasterError) -> [UInt8] {
        let name = Array(type.utf8)
        guard name.count == 4, name.allSatisfy({ (65...90).contains($0) || (97...122).contains($0) }) else {
            throw .invalidArgument("a chunk type is four ASCII letters")
        }
        guard bytes.count >= 33, ImageFormat.sniff(bytes) == .png, Array(bytes[12..<16]) == Array("IHDR".utf8) else {
            throw .corruptData(format: "PNG", message: "no IHDR chunk where PNG requires it")
        }
        var chunk = [UInt8(data.count >> 24 & 0xFF), UInt8(data.count >> 16 & 0xFF), UInt8(data.count >> 8 & 0xFF), UInt8(data.count & 0xFF)]
        chunk += name + data
        let crc = chunk.withUnsafeBufferPointer { Libdeflate.crc32(UnsafeBufferPointer(rebasing: $0[4...])) }
        chunk += [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
        var out = Array(bytes[0..<33])
        out += chunk
        out += bytes[33...]
        return out
    }

    /// The bit depth in IHDR, or nil when the bytes are not a PNG.
    public static func bitDepth(of bytes: [UInt8]) -> Int? {
        guard bytes.count >= 29, ImageFormat.sniff(bytes) == .png else { return nil }
        return Int(bytes[24])
    }
}

/// Writing and walking a PNG file's chunks, for upare's own PNG writers and reader.
enum PNGChunks {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// A whole PNG: IHDR, then `chunks` (ancillary, such as the disorder
    /// header), PLTE and tRNS for a palette, one IDAT holding the zlib stream
    /// made of `zlib`'s pieces in order, IEND. The pieces are copied once, into
    /// the file, so a big picture's stream is never joined apart first.
    static func file(
        width: Int, height: Int, bitDepth: UInt8, colorType: UInt8, palette: [RGBA] = [],
        chunks: [(type: String, data: [UInt8])] = [], zlib pieces: [[UInt8]]
    ) -> [UInt8] {
        let dataCount = pieces.reduce(0) { $0 + $1.count }
        var png = LargeBuffer.reserved(capacity: dataCount + 72 + palette.count * 4 + chunks.reduce(0) { $0 + $1.data.count + 12 })
        png += signature
        var header = bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        header += [bitDepth, colorType, 0, 0, 0]  // deflate, adaptive filtering, no interlace
        append("IHDR", header, to: &png)
        for chunk in chunks { append(chunk.type, chunk.data, to: &png) }
        if !palette.isEmpty {
            append("PLTE", palette.flatMap { [$0.r, $0.g, $0.b] }, to: &png)
            var alpha = palette.map(\.a)
            while let last = alpha.last, last == 255 { alpha.removeLast() }
            if !alpha.isEmpty { append("tRNS", alpha, to: &png) }
        }
        png += bigEndian(UInt32(dataCount))
        let start = png.count
        png += Array("IDAT".utf8)
        for piece in pieces { png += piece }
        let crc = png.withUnsafeBufferPointer { Libdeflate.crc32(UnsafeBufferPointer(rebasing: $0[start...])) }
        png += bigEndian(crc)
        append("IEND", [], to: &png)
        return png
    }

    static func file(
        width: Int, height: Int, bitDepth: UInt8, colorType: UInt8, palette: [RGBA] = [], zlib: [UInt8]
    ) -> [UInt8] {
        file(width: width, height: height, bitDepth: bitDepth, colorType: colorType, palette: palette, zlib: [zlib])
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    static func append(_ type: String, _ data: [UInt8], to png: inout [UInt8]) {
        png += bigEndian(UInt32(data.count))
        let start = png.count
        png += Array(type.utf8)
        png += data
        let crc = png.withUnsafeBufferPointer { Libdeflate.crc32(UnsafeBufferPointer(rebasing: $0[start...])) }
        png += bigEndian(crc)
    }

    /// One chunk of a file: its type, where its data lies, its stored CRC.
    struct Chunk {
        let type: (UInt8, UInt8, UInt8, UInt8)
        let data: Range<Int>
        let storedCRC: UInt32

        func isType(_ name: StaticString) -> Bool {
            let n = name.utf8Start
            return type == (n[0], n[1], n[2], n[3])
        }

        /// Critical chunks have an upper-case first letter.
        var isCritical: Bool { type.0 & 0x20 == 0 }

        /// Checked on demand: walking a file must not checksum its image data.
        func crcMatches(in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            Libdeflate.crc32(UnsafeBufferPointer(rebasing: bytes[(data.lowerBound - 4)..<data.upperBound])) == storedCRC
        }
    }

    /// The whole chunks after the signature, up to and including IEND, and
    /// whether IEND was reached (false when a chunk runs past the end of the
    /// bytes); nil when the signature is missing.
    static func walk(_ bytes: UnsafeBufferPointer<UInt8>) -> (chunks: [Chunk], complete: Bool)? {
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else { return nil }
        var chunks: [Chunk] = []
        var offset = 8
        while true {
            guard bytes.count - offset >= 12 else { return (chunks, false) }
            let length = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            guard length <= bytes.count - offset - 12 else { return (chunks, false) }
            let end = offset + 8 + length
            let stored = UInt32(bytes[end]) << 24 | UInt32(bytes[end + 1]) << 16 | UInt32(bytes[end + 2]) << 8 | UInt32(bytes[end + 3])
            let chunk = Chunk(type: (bytes[offset + 4], bytes[offset + 5], bytes[offset + 6], bytes[offset + 7]),
                              data: (offset + 8)..<end, storedCRC: stored)
            chunks.append(chunk)
            if chunk.isType("IEND") { return (chunks, true) }
            offset = end + 4
        }
    }
}

extension JPEG {
    /// The payloads of the APPn segments before the first scan, in file order.
    public static func appSegments(_ number: Int, in bytes: [UInt8]) -> [[UInt8]] {
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return [] }
        var found: [[UInt8]] = []
        var offset = 2
        while offset + 4 <= bytes.count {
            guard bytes[offset] == 0xFF else { break }
            let marker = bytes[offset + 1]
            if marker == 0xFF { offset += 1; continue }  // fill byte
            if marker == 0xDA || marker == 0xD9 { break }  // start of scan, end of image
            let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            guard length >= 2, offset + 2 + length <= bytes.count else { break }
            if marker == 0xE0 + UInt8(number & 0x0F) { found.append(Array(bytes[(offset + 4)..<(offset + 2 + length)])) }
            offset += 2 + length
        }
        return found
    }
}
