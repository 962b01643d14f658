/// Windows BMP, written in Swift (there is no C library to guard).
///
/// Reads 1/4/8-bit palette, 16, 24 and 32-bit files, bottom-up and top-down,
/// with BI_RGB, BI_BITFIELDS and BI_ALPHABITFIELDS, and headers from the 12-byte
/// OS/2 core header to BITMAPV5HEADER. RLE-compressed files are refused.
/// Writes 24-bit BI_RGB, or 32-bit BITMAPV4HEADER with an alpha mask.
public enum BMP {
    public enum Depth: Sendable, Hashable {
        /// 24-bit when every pixel is opaque, else 32-bit with alpha.
        case automatic
        case rgb24
        case rgba32
    }

    // MARK: Decoding

    public static func decode(_ bytes: [UInt8], limits: DecodeLimits = .default) throws(RasterError) -> Image {
        let reader = ByteReader(bytes)
        guard bytes.count >= 26 else { throw corrupt("file is too short for a BMP header") }
        guard bytes[0] == 0x42, bytes[1] == 0x4D else { throw .unsupportedFormat("not a BMP file (no BM signature)") }
        let dataOffset = Int(reader.u32(10))
        let headerSize = Int(reader.u32(14))
        guard [12, 16, 40, 52, 56, 64, 108, 124].contains(headerSize) else {
            throw corrupt("unknown DIB header size \(headerSize)")
        }
        guard bytes.count >= 14 + headerSize else { throw corrupt("truncated DIB header") }

        let width: Int, signedHeight: Int, bitCount: Int
        var compression = 0
        var colorsUsed = 0
        if headerSize == 12 {
            width = Int(reader.u16(18))
            signedHeight = Int(Int16(bitPattern: reader.u16(20)))
            bitCount = Int(reader.u16(24))
        } else {
            width = Int(Int32(bitPattern: reader.u32(18)))
            signedHeight = Int(Int32(bitPattern: reader.u32(22)))
            bitCount = Int(reader.u16(28))
            if headerSize >= 40 {
                compression = Int(reader.u32(30))
                colorsUsed = Int(reader.u32(46))
            }
        }
        let topDown = signedHeight < 0
        let height = abs(signedHeight)
        guard width > 0, height > 0 else { throw corrupt("image size \(width)x\(signedHeight) is not positive") }
        try limits.check(width: width, height: height, format: "BMP")

        // Channel masks: explicit for bitfields, else the format's defaults.
        var masks: [UInt32]
        switch (compression, bitCount) {
        case (0, 16): masks = [0x7C00, 0x03E0, 0x001F, 0]
        case (0, 24), (0, 32): masks = [0xFF0000, 0x00FF00, 0x0000FF, 0]
        case (0, 1), (0, 4), (0, 8): masks = []
        case (3, 16), (3, 32), (6, 16), (6, 32):
            let withAlpha = compression == 6 || headerSize >= 56
            let maskOffset = 14 + 40
            let count = withAlpha ? 4 : 3
            guard bytes.count >= maskOffset + count * 4 else { throw corrupt("truncated bit masks") }
            masks = (0..<count).map { reader.u32(maskOffset + $0 * 4) }
            if count == 3 { masks.append(0) }
        case (1, _), (2, _), (4, _), (5, _):
            throw .unsupportedFormat("compressed BMP (RLE, JPEG or PNG inside) is not supported")
        default:
            throw .unsupportedFormat("BMP with \(bitCount) bits per pixel and compression \(compression) is not supported")
        }

        // The palette sits between the header (and masks) and the pixel data.
        var palette: [RGBA] = []
        if bitCount <= 8 {
            let entrySize = headerSize == 12 ? 3 : 4
            let maximum = 1 << bitCount
            let count = colorsUsed == 0 ? maximum : min(colorsUsed, maximum)
            let start = 14 + headerSize + (compression == 3 ? 12 : 0)
            guard start + count * entrySize <= bytes.count else { throw corrupt("truncated palette") }
            palette = (0..<count).map { i in
                let o = start + i * entrySize
                return RGBA(bytes[o + 2], bytes[o + 1], bytes[o])
            }
        }

        let rowBytes = ((width * bitCount + 31) / 32) * 4
        guard dataOffset >= 14 + headerSize, dataOffset <= bytes.count,
              (bytes.count - dataOffset) / rowBytes >= height
        else { throw corrupt("pixel data is truncated or its offset is invalid") }

        var image = Image(width: width, height: height)
        let fields = masks.map(BitField.init)
        // Without an alpha mask, 32-bit BI_RGB files sometimes carry alpha in the
        // spare byte; it is used only when some pixel has a non-zero value there.
        let spareAlpha = bitCount == 32 && compression == 0
        var sawSpareAlpha = false
        var invalidIndex = false
        bytes.withUnsafeBufferPointer { source in
            image.pixels.withUnsafeMutableBufferPointer { out in
                for row in 0..<height {
                    let y = topDown ? row : height - 1 - row
                    let src = dataOffset + row * rowBytes
                    var o = y * width * 4
                    for x in 0..<width {
                        var color = RGBA(0, 0, 0)
                        switch bitCount {
                        case 1, 4, 8:
                            let bit = x * bitCount
                            let byte = source[src + bit / 8]
                            let index = Int(byte >> (8 - bitCount - bit % 8)) & ((1 << bitCount) - 1)
                            if index < palette.count { color = palette[index] } else { invalidIndex = true }
                        case 24:
                            let i = src + x * 3
                            color = RGBA(source[i + 2], source[i + 1], source[i])
                        case 16:
                            let i = src + x * 2
                            let value = UInt32(source[i]) | UInt32(source[i + 1]) << 8
                            color = BitField.color(value, fields)
                        default:
                            let i = src + x * 4
                            let value = UInt32(source[i]) | UInt32(source[i + 1]) << 8
                                | UInt32(source[i + 2]) << 16 | UInt32(source[i + 3]) << 24
                            color = BitField.color(value, fields)
                            if spareAlpha {
                                color.a = source[i + 3]
                                if source[i + 3] != 0 { sawSpareAlpha = true }
                            }
                        }
                        out[o] = color.r; out[o + 1] = color.g; out[o + 2] = color.b; out[o + 3] = color.a
                        o += 4
                    }
                }
            }
        }
        if invalidIndex { throw corrupt("a pixel refers past the end of the palette") }
        if spareAlpha && !sawSpareAlpha {
            for i in stride(from: 3, to: image.pixels.count, by: 4) { image.pixels[i] = 255 }
        }
        return image
    }

    private static func corrupt(_ message: String) -> RasterError {
        .corruptData(format: "BMP", message: message)
    }

    /// One channel's mask, with the shift and scale that bring it to 8 bits.
    struct BitField {
        let mask: UInt32
        let shift: UInt32
        let maximum: UInt32

        init(_ mask: UInt32) {
            self.mask = mask
            shift = mask == 0 ? 0 : UInt32(mask.trailingZeroBitCount)
            maximum = mask == 0 ? 0 : mask >> shift
        }

        @inline(__always)
        func value(_ pixel: UInt32) -> UInt8 {
            let v = (pixel & mask) >> shift
            if maximum == 255 { return UInt8(v) }
            if maximum == 0 { return 0 }  // a channel without bits (a mask of 0) reads as 0
            return UInt8((UInt64(v) * 255 + UInt64(maximum) / 2) / UInt64(maximum))
        }

        @inline(__always)
        static func color(_ pixel: UInt32, _ fields: [BitField]) -> RGBA {
            RGBA(fields[0].value(pixel), fields[1].value(pixel), fields[2].value(pixel),
                 fields[3].mask == 0 ? 255 : fields[3].value(pixel))
        }
    }

    // MARK: Encoding

    public static func encode(_ image: Image, depth: Depth = .automatic) throws(RasterError) -> [UInt8] {
        guard image.width > 0, image.height > 0, image.width <= Int(Int32.max) / 4, image.height <= Int(Int32.max) else {
            throw .invalidArgument("BMP images must be at least 1x1")
        }
        let withAlpha: Bool
        switch depth {
        case .automatic: withAlpha = !image.isOpaque
        case .rgb24: withAlpha = false
        case .rgba32: withAlpha = true
        }
        let headerSize = withAlpha ? 108 : 40
        let bytesPerPixel = withAlpha ? 4 : 3
        let rowBytes = ((image.width * bytesPerPixel + 3) / 4) * 4
        let dataOffset = 14 + headerSize
        let imageSize = rowBytes * image.height
        guard dataOffset + imageSize <= Int(UInt32.max) else { throw .limitsExceeded("image is too large for BMP") }
        var out = [UInt8](repeating: 0, count: dataOffset + imageSize)
        var writer = ByteWriter(out)
        writer.put8(0, 0x42); writer.put8(1, 0x4D)
        writer.put32(2, UInt32(out.count))
        writer.put32(10, UInt32(dataOffset))
        writer.put32(14, UInt32(headerSize))
        writer.put32(18, UInt32(image.width))
        writer.put32(22, UInt32(image.height))  // positive: bottom-up, the common form
        writer.put16(26, 1)
        writer.put16(28, UInt16(bytesPerPixel * 8))
        writer.put32(30, withAlpha ? 3 : 0)
        writer.put32(34, UInt32(imageSize))
        writer.put32(38, 2835)  // 72 dpi
        writer.put32(42, 2835)
        if withAlpha {
            writer.put32(54, 0x00FF_0000)
            writer.put32(58, 0x0000_FF00)
            writer.put32(62, 0x0000_00FF)
            writer.put32(66, 0xFF00_0000)
            writer.put32(70, 0x7352_4742)  // LCS_sRGB, "sRGB"
        }
        out = writer.bytes
        image.pixels.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                for y in 0..<image.height {
                    var d = dataOffset + (image.height - 1 - y) * rowBytes
                    var s = y * image.width * 4
                    for _ in 0..<image.width {
                        o[d] = p[s + 2]; o[d + 1] = p[s + 1]; o[d + 2] = p[s]
                        if withAlpha { o[d + 3] = p[s + 3] }
                        d += bytesPerPixel
                        s += 4
                    }
                }
            }
        }
        return out
    }
}

/// Little-endian reads at offsets already checked by the caller.
private struct ByteReader {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    func u16(_ o: Int) -> UInt16 { UInt16(bytes[o]) | UInt16(bytes[o + 1]) << 8 }
    func u32(_ o: Int) -> UInt32 {
        UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
    }
}

private struct ByteWriter {
    var bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    mutating func put8(_ o: Int, _ v: UInt8) { bytes[o] = v }
    mutating func put16(_ o: Int, _ v: UInt16) { bytes[o] = UInt8(v & 0xFF); bytes[o + 1] = UInt8(v >> 8) }
    mutating func put32(_ o: Int, _ v: UInt32) {
        for k in 0..<4 { bytes[o + k] = UInt8((v >> (8 * UInt32(k))) & 0xFF) }
    }
}
