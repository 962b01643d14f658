internal import CCodecGuard
internal import CPNG

/// PNG through libpng. The only Swift file that talks to libpng (through the
/// setjmp-guarded C functions of CCodecGuard).
public enum PNG {
    /// Row filters, as libpng names them. `.none` is fastest and best for flat
    /// synthetic images; `.all` lets libpng choose per row (best for photos).
    public enum Filter: Sendable, Hashable {
        case none, sub, up, average, paeth, all

        var mask: Int32 {
            switch self {
            case .none: return PNG_FILTER_NONE
            case .sub: return PNG_FILTER_SUB
            case .up: return PNG_FILTER_UP
            case .average: return PNG_FILTER_AVG
            case .paeth: return PNG_FILTER_PAETH
            case .all: return PNG_FILTER_NONE | PNG_FILTER_SUB | PNG_FILTER_UP | PNG_FILTER_AVG | PNG_FILTER_PAETH
            }
        }
    }

    /// zlib strategies that matter for images.
    public enum Strategy: Int32, Sendable, Hashable {
        case `default` = 0
        case filtered = 1
        case huffmanOnly = 2
        case rle = 3
    }

    /// Who compresses the image data.
    public enum Compressor: Sendable, Hashable {
        /// libpng with zlib: every filter and strategy.
        case zlib
        /// upare's own chunk writer with libdeflate: unfiltered rows only, and
        /// several times faster than zlib on small images (no per-image set-up).
        case libdeflate
    }

    public struct EncodeOptions: Sendable, Hashable {
        /// Compression level: zlib's 0 (store) to 9, or libdeflate's 1 to 12.
        public var compressionLevel: Int
        public var filter: Filter
        public var strategy: Strategy
        public var compressor: Compressor

        public init(
            compressionLevel: Int = 6, filter: Filter = .all, strategy: Strategy = .default,
            compressor: Compressor = .zlib
        ) {
            self.compressionLevel = compressionLevel
            self.filter = filter
            self.strategy = strategy
            self.compressor = compressor
        }

        /// libpng's own defaults: good for photos.
        public static let standard = EncodeOptions()
        /// Fast settings for small flat images such as captchas: unfiltered rows,
        /// libdeflate level 1 (chosen by measurement, see Benchmarks/README.md).
        public static let fast = EncodeOptions(compressionLevel: 1, filter: .none, compressor: .libdeflate)
    }

    /// The colour layout written to the file.
    public enum Layout: Sendable, Hashable {
        /// The smallest exact layout: gray when all pixels are gray, RGB when all
        /// are opaque, else RGBA.
        case automatic
        case gray
        case rgb
        case rgba

        /// Samples a pixel once resolved (`.automatic` counts as RGBA).
        var channels: Int { self == .gray ? 1 : self == .rgb ? 3 : 4 }
    }

    // MARK: Decoding

    /// Decodes any valid PNG (every colour type and bit depth, interlaced, tRNS)
    /// to RGBA8. 16-bit samples are scaled with rounding; gamma is not applied.
    /// The common 8-bit files take `PNGDirectReader`, the rest libpng.
    public static func decode(_ bytes: [UInt8], limits: DecodeLimits = .default) throws(RasterError) -> Image {
        try decode(bytes, limits: limits, direct: true)
    }

    /// libpng alone, without the direct reader: for benchmarks' baselines.
    public static func decodeWithLibpng(_ bytes: [UInt8], limits: DecodeLimits = .default) throws(RasterError) -> Image {
        try decode(bytes, limits: limits, direct: false)
    }

    /// `direct: false` always asks libpng (tests compare the two paths).
    static func decode(_ bytes: [UInt8], limits: DecodeLimits, direct: Bool) throws(RasterError) -> Image {
        try bytes.withUnsafeBufferPointer { input throws(RasterError) -> Image in
                guard let base = input.baseAddress, !input.isEmpty else {
                    throw .corruptData(format: "PNG", message: "empty input")
                }
                if direct, let image = try PNGDirectReader.decode(input, limits: limits) { return image }
                guard let decoder = upare_png_decoder_create(base, input.count) else {
                    throw .corruptData(format: "PNG", message: "libpng could not start (out of memory)")
                }
                defer { upare_png_decoder_destroy(decoder) }
                var header = upare_png_header()
                let cLimits = upare_decode_limits(
                    max_width: UInt32(clamping: limits.maxWidth), max_height: UInt32(clamping: limits.maxHeight),
                    max_pixels: UInt64(clamping: limits.maxPixels))
                guard upare_png_read_header(decoder, cLimits, &header) == 0 else {
                    throw failure(decoder)
                }
                var image = Image(width: Int(header.width), height: Int(header.height))
                let status = image.pixels.withUnsafeMutableBufferPointer { out in
                    upare_png_read_rgba(decoder, out.baseAddress, Int(header.width) * 4)
                }
                guard status == 0 else { throw failure(decoder) }
                return image
            }
    }

    private static func failure(_ decoder: OpaquePointer) -> RasterError {
        let message = String(cString: upare_png_decoder_error(decoder))
        switch upare_png_decoder_failure(decoder) {
        case UPARE_FAILURE_LIMITS: return .limitsExceeded("PNG: \(message)")
        case UPARE_FAILURE_UNSUPPORTED: return .unsupportedFormat(message)
        default:
            // libpng reports a too-large IHDR through its error path.
            if message.contains("exceeds user limit") { return .limitsExceeded("PNG: \(message)") }
            return .corruptData(format: "PNG", message: message)
        }
    }

    // MARK: Encoding

    public static func encode(
        _ image: Image, layout: Layout = .automatic, options: EncodeOptions = .standard
    ) throws(RasterError) -> [UInt8] {
        let resolved = resolvedLayout(image, layout)
        if options.compressor == .libdeflate {
            try checkDeflateOptions(options)
            let channels = resolved.channels
            let colorType: UInt8 = resolved == .rgba ? 6 : resolved == .rgb ? 2 : 0
            return try image.pixels.withUnsafeBufferPointer { p throws(RasterError) in
                try PNGDeflateWriter.write(
                    width: image.width, height: image.height, bitDepth: 8, colorType: colorType,
                    rowBytes: image.width * channels, level: options.compressionLevel
                ) { y, out in
                    packRow(y, of: p, width: image.width, channels: channels, into: out)
                }
            }
        }
        switch resolved {
        case .rgba:
            return try write(
                image.pixels, stride: image.width * 4, width: image.width, height: image.height,
                layout: UPARE_PNG_RGBA, options: options)
        case .rgb:
            var rgb = [UInt8](repeating: 0, count: image.width * image.height * 3)
            for i in 0..<(image.width * image.height) {
                rgb[i * 3] = image.pixels[i * 4]
                rgb[i * 3 + 1] = image.pixels[i * 4 + 1]
                rgb[i * 3 + 2] = image.pixels[i * 4 + 2]
            }
            return try write(
                rgb, stride: image.width * 3, width: image.width, height: image.height,
                layout: UPARE_PNG_RGB, options: options)
        default:
            let gray = image.grayscale()
            return try encode(gray, options: options)
        }
    }

    /// `.automatic` made concrete: gray when all pixels are gray, RGB when all
    /// are opaque, else RGBA.
    static func resolvedLayout(_ image: Image, _ layout: Layout) -> Layout {
        guard layout == .automatic else { return layout }
        return image.isOpaque ? (image.isGray ? .gray : .rgb) : .rgba
    }

    /// Row y of RGBA8 `pixels` as the file stores it: RGBA, RGB, or gray (luma
    /// by Rec. 601 weights, rounded).
    @inline(__always)
    static func packRow(
        _ y: Int, of p: UnsafeBufferPointer<UInt8>, width: Int, channels: Int, into out: UnsafeMutableBufferPointer<UInt8>
    ) {
        var s = y * width * 4
        switch channels {
        case 4:
            out.baseAddress.unsafelyUnwrapped.update(from: p.baseAddress.unsafelyUnwrapped + s, count: width * 4)
        case 3:
            for x in 0..<width {
                out[x * 3] = p[s]; out[x * 3 + 1] = p[s + 1]; out[x * 3 + 2] = p[s + 2]
                s += 4
            }
        default:
            for x in 0..<width {
                let r = Int(p[s]) * 299, g = Int(p[s + 1]) * 587, b = Int(p[s + 2]) * 114
                out[x] = UInt8((r + g + b + 500) / 1000)
                s += 4
            }
        }
    }

    /// An 8-bit gray PNG.
    public static func encode(_ image: GrayImage, options: EncodeOptions = .standard) throws(RasterError) -> [UInt8] {
        if options.compressor == .libdeflate {
            try checkDeflateOptions(options)
            return try image.pixels.withUnsafeBufferPointer { p throws(RasterError) in
                try PNGDeflateWriter.write(
                    width: image.width, height: image.height, bitDepth: 8, colorType: 0,
                    rowBytes: image.width, level: options.compressionLevel
                ) { y, out in
                    for x in 0..<image.width { out[x] = p[y * image.width + x] }
                }
            }
        }
        return try write(image.pixels, stride: image.width, width: image.width, height: image.height,
                  layout: UPARE_PNG_GRAY, options: options)
    }

    /// A palette PNG, with a tRNS chunk when any palette colour is not opaque.
    /// Small palettes are packed to 1, 2 or 4 bits per pixel.
    public static func encode(_ image: IndexedImage, options: EncodeOptions = .standard) throws(RasterError) -> [UInt8] {
        if options.compressor == .libdeflate {
            try checkDeflateOptions(options)
            let count = image.palette.count
            let depth = count <= 2 ? 1 : count <= 4 ? 2 : count <= 16 ? 4 : 8
            let perByte = 8 / depth
            let width = image.width
            return try image.indices.withUnsafeBufferPointer { p throws(RasterError) in
                try PNGDeflateWriter.write(
                    width: width, height: image.height, bitDepth: UInt8(depth), colorType: 3,
                    rowBytes: (width * depth + 7) / 8, level: options.compressionLevel, palette: image.palette
                ) { y, out in
                    let row = y * width
                    if depth == 8 {
                        for x in 0..<width { out[x] = p[row + x] }
                        return
                    }
                    if depth == 4 {
                        // Two pixels a byte, the first in the high nibble.
                        var x = 0
                        while x + 1 < width {
                            out[x >> 1] = (p[row &+ x] & 0x0F) << 4 | (p[row &+ x &+ 1] & 0x0F)
                            x &+= 2
                        }
                        if x < width { out[x >> 1] = (p[row &+ x] & 0x0F) << 4 }
                        return
                    }
                    // Most significant bits first; `out` starts zeroed.
                    let mask = UInt8((1 << depth) - 1)
                    for x in 0..<width {
                        let shift = 8 - depth * (x % perByte + 1)
                        out[x / perByte] |= (p[row + x] & mask) << UInt8(shift)
                    }
                }
            }
        }
        var rgb = [UInt8]()
        rgb.reserveCapacity(image.palette.count * 3)
        var alpha = image.palette.map(\.a)
        for c in image.palette { rgb += [c.r, c.g, c.b] }
        // tRNS may stop at the last non-opaque entry.
        while let last = alpha.last, last == 255 { alpha.removeLast() }
        let count = image.palette.count
        let depth: Int32 = count <= 2 ? 1 : count <= 4 ? 2 : count <= 16 ? 4 : 8
        return try rgb.withUnsafeBufferPointer { paletteBytes throws(RasterError) in
            try alpha.withUnsafeBufferPointer { alphaBytes throws(RasterError) in
                try write(
                    image.indices, stride: image.width, width: image.width, height: image.height,
                    layout: UPARE_PNG_PALETTE, options: options, bitDepth: depth,
                    palette: (paletteBytes.baseAddress, Int32(count)),
                    alpha: (alphaBytes.baseAddress, Int32(alpha.count)))
            }
        }
    }

    private static func checkDeflateOptions(_ options: EncodeOptions) throws(RasterError) {
        guard options.filter == .none else {
            throw .invalidArgument("the libdeflate PNG writer writes unfiltered rows: use filter .none or the zlib compressor")
        }
        guard (1...12).contains(options.compressionLevel) else {
            throw .invalidArgument("libdeflate compression level must be 1...12")
        }
    }

    private static func write(
        _ pixels: [UInt8], stride: Int, width: Int, height: Int, layout: upare_png_layout,
        options: EncodeOptions, bitDepth: Int32 = 8,
        palette: (UnsafePointer<UInt8>?, Int32) = (nil, 0),
        alpha: (UnsafePointer<UInt8>?, Int32) = (nil, 0)
    ) throws(RasterError) -> [UInt8] {
        guard width > 0, height > 0, width <= 1 << 24, height <= 1 << 24 else {
            throw .invalidArgument("PNG images must be between 1x1 and 16777216 on a side")
        }
        guard (0...9).contains(options.compressionLevel) else {
            throw .invalidArgument("PNG compression level must be 0...9")
        }
        var params = upare_png_encode_params(
            width: UInt32(width), height: UInt32(height), layout: layout, bit_depth: bitDepth,
            compression_level: Int32(options.compressionLevel), filters: options.filter.mask,
            strategy: options.strategy.rawValue, palette: palette.0, palette_count: palette.1,
            palette_alpha: alpha.0, alpha_count: alpha.1)
        var output = upare_buffer()
        defer { upare_buffer_free(&output) }
        var errorText = [CChar](repeating: 0, count: Int(UPARE_ERROR_TEXT_SIZE))
        let status = pixels.withUnsafeBufferPointer { input in
            upare_png_encode(&params, input.baseAddress, stride, &output, &errorText)
        }
        guard status == 0, let data = output.data else {
            throw .corruptData(format: "PNG", message: "encoding failed: \(CText.string(errorText))")
        }
        return [UInt8](UnsafeBufferPointer(start: data, count: output.size))
    }
}
