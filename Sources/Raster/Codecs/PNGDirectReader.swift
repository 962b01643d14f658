/// Decodes the most common PNGs without libpng: 8-bit gray, gray with alpha,
/// RGB and RGBA, not interlaced, without tRNS. The whole file is in memory, so
/// the IDAT stream is inflated by libdeflate in one call (several times faster
/// than zlib's streaming inflate under libpng) and the rows are unfiltered here.
///
/// It answers nil for anything it does not take, or anything wrong with the
/// file, and `PNG.decode` then asks libpng, whose errors and tolerances stay the
/// reference. What it does decode is pixel for pixel what libpng gives (a test
/// walks PngSuite through both).
enum PNGDirectReader {
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, limits: DecodeLimits) throws(RasterError) -> Image? {
        guard let (chunks, complete) = PNGChunks.walk(bytes), complete, let header = chunks.first, header.isType("IHDR"),
              header.data.count == 13, header.crcMatches(in: bytes) else { return nil }
        let h = header.data.lowerBound
        func word(_ at: Int) -> Int { Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3]) }
        let width = word(h), height = word(h + 4)
        let bitDepth = bytes[h + 8], colorType = bytes[h + 9]
        guard width > 0, height > 0, width < 1 << 31, height < 1 << 31,
              bitDepth == 8, [0, 2, 4, 6].contains(colorType),
              bytes[h + 10] == 0, bytes[h + 11] == 0, bytes[h + 12] == 0 else { return nil }
        // Limits before any allocation; libpng reports the same case the same way.
        guard width <= limits.maxWidth, height <= limits.maxHeight, width * height <= limits.maxPixels else { return nil }

        // The IDAT chunks must be consecutive; critical chunks other than PLTE
        // (a suggested palette here), and tRNS, are libpng's business.
        var idat: [PNGChunks.Chunk] = []
        var idatEnded = false
        for chunk in chunks.dropFirst() {
            if chunk.isType("IDAT") {
                guard !idatEnded, chunk.crcMatches(in: bytes) else { return nil }
                idat.append(chunk)
            } else {
                if !idat.isEmpty { idatEnded = true }
                if chunk.isType("tRNS") { return nil }
                if chunk.isCritical, !chunk.isType("PLTE"), !chunk.isType("IEND") { return nil }
            }
        }
        guard !idat.isEmpty else { return nil }

        let channels = colorType == 6 ? 4 : colorType == 2 ? 3 : colorType == 4 ? 2 : 1
        let rowBytes = width * channels
        let (rawCount, overflow) = (rowBytes + 1).multipliedReportingOverflow(by: height)
        guard !overflow, rawCount < Int(Int32.max) else { return nil }
        // Both buffers are written whole before they are read, so neither is zeroed first.
        guard var raw = LargeBuffer.filled(count: rawCount, { out -> Bool in
            if idat.count == 1 {
                return Libdeflate.zlibDecompress(UnsafeBufferPointer(rebasing: bytes[idat[0].data]), into: out)
            }
            // libdeflate wants the stream in one piece (encoders often split it into 8-64 KiB chunks).
            var stream = LargeBuffer.reserved(capacity: idat.reduce(0) { $0 + $1.data.count })
            for chunk in idat { stream += UnsafeBufferPointer(rebasing: bytes[chunk.data]) }
            return stream.withUnsafeBufferPointer { Libdeflate.zlibDecompress($0, into: out) }
        }) else { return nil }

        return raw.withUnsafeMutableBufferPointer { raw -> Image? in
            Image(width: width, height: height) { pixels -> Bool in
                let zeros = [UInt8](repeating: 0, count: rowBytes)
                return zeros.withUnsafeBufferPointer { zeros -> Bool in
                    for y in 0..<height {
                        let start = y * (rowBytes + 1)
                        let row = UnsafeMutableBufferPointer(rebasing: raw[(start + 1)..<(start + 1 + rowBytes)])
                        let above = y == 0 ? zeros
                            : UnsafeBufferPointer(rebasing: raw[(start - rowBytes)..<start])
                        guard PNGRowFilter.unfilter(raw[start], row, previous: above, bytesPerPixel: channels) else { return false }
                        expand(UnsafeBufferPointer(row), channels: channels,
                               into: UnsafeMutableBufferPointer(rebasing: pixels[(y * width * 4)..<((y + 1) * width * 4)]))
                    }
                    return true
                }
            }
        }
    }

    /// One row of `channels` samples a pixel to RGBA8.
    private static func expand(_ row: UnsafeBufferPointer<UInt8>, channels: Int, into out: UnsafeMutableBufferPointer<UInt8>) {
        let width = out.count / 4
        switch channels {
        case 4:
            out.baseAddress.unsafelyUnwrapped.update(from: row.baseAddress.unsafelyUnwrapped, count: width * 4)
        case 3:
            for x in 0..<width {
                out[x * 4] = row[x * 3]; out[x * 4 + 1] = row[x * 3 + 1]; out[x * 4 + 2] = row[x * 3 + 2]; out[x * 4 + 3] = 255
            }
        case 2:
            for x in 0..<width {
                let g = row[x * 2]
                out[x * 4] = g; out[x * 4 + 1] = g; out[x * 4 + 2] = g; out[x * 4 + 3] = row[x * 2 + 1]
            }
        default:
            for x in 0..<width {
                let g = row[x]
                out[x * 4] = g; out[x * 4 + 1] = g; out[x * 4 + 2] = g; out[x * 4 + 3] = 255
            }
        }
    }
}
