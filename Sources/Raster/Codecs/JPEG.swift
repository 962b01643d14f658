internal import CCodecGuard

/// JPEG through libjpeg-turbo. The only Swift file that talks to libjpeg (through
/// the setjmp-guarded C functions of CCodecGuard).
public enum JPEG {
    public enum Subsampling: Sendable, Hashable {
        /// Full-resolution chroma: best for text and sharp edges (captchas).
        case none444
        /// Half-resolution chroma both ways: the usual choice for photos.
        case quarter420
    }

    public struct EncodeOptions: Sendable, Hashable {
        /// 1 (smallest) to 100 (best).
        public var quality: Int
        public var subsampling: Subsampling
        public var progressive: Bool
        /// Optimised Huffman tables: a few percent smaller, somewhat slower.
        public var optimizeCoding: Bool

        public init(
            quality: Int = 85, subsampling: Subsampling = .quarter420, progressive: Bool = false,
            optimizeCoding: Bool = false
        ) {
            self.quality = quality
            self.subsampling = subsampling
            self.progressive = progressive
            self.optimizeCoding = optimizeCoding
        }
    }

    /// What the header says, read without decoding the pixels.
    public struct Header: Sendable, Hashable {
        public var width: Int
        public var height: Int
        public var components: Int
        public var progressive: Bool
    }

    /// Decodes baseline and progressive JPEGs (gray, YCbCr, RGB) to opaque RGBA8.
    /// CMYK is refused; a truncated or damaged stream is an error, not a gray tail.
    public static func decode(_ bytes: [UInt8], limits: DecodeLimits = .default) throws(RasterError) -> Image {
        try withDecoder(bytes, limits: limits) { decoder, header throws(RasterError) in
            var image = Image(width: header.width, height: header.height)
            let status = image.pixels.withUnsafeMutableBufferPointer { out in
                upare_jpeg_read_rgba(decoder, out.baseAddress, header.width * 4)
            }
            guard status == 0 else { throw failure(decoder) }
            return image
        }
    }

    /// The header alone (size, components, progressive), within `limits`.
    public static func header(_ bytes: [UInt8], limits: DecodeLimits = .default) throws(RasterError) -> Header {
        try withDecoder(bytes, limits: limits) { _, header in header }
    }

    private static func withDecoder<R>(
        _ bytes: [UInt8], limits: DecodeLimits,
        _ body: (OpaquePointer, Header) throws(RasterError) -> R
    ) throws(RasterError) -> R {
        try bytes.withUnsafeBufferPointer { input throws(RasterError) -> R in
            guard let base = input.baseAddress, input.count >= 3 else {
                throw .corruptData(format: "JPEG", message: "input is too short to be a JPEG")
            }
            guard let decoder = upare_jpeg_decoder_create(base, input.count) else {
                throw .corruptData(format: "JPEG", message: "libjpeg could not start (out of memory)")
            }
            defer { upare_jpeg_decoder_destroy(decoder) }
            var raw = upare_jpeg_header()
            let cLimits = upare_decode_limits(
                max_width: UInt32(clamping: limits.maxWidth), max_height: UInt32(clamping: limits.maxHeight),
                max_pixels: UInt64(clamping: limits.maxPixels))
            guard upare_jpeg_read_header(decoder, cLimits, &raw) == 0 else { throw failure(decoder) }
            let header = Header(
                width: Int(raw.width), height: Int(raw.height), components: Int(raw.components),
                progressive: raw.progressive != 0)
            return try body(decoder, header)
        }
    }

    private static func failure(_ decoder: OpaquePointer) -> RasterError {
        let message = String(cString: upare_jpeg_decoder_error(decoder))
        switch upare_jpeg_decoder_failure(decoder) {
        case UPARE_FAILURE_LIMITS: return .limitsExceeded("JPEG: \(message)")
        case UPARE_FAILURE_UNSUPPORTED: return .unsupportedFormat(message)
        default: return .corruptData(format: "JPEG", message: message)
        }
    }

    /// Encodes RGBA8; pixels that are not opaque are composited over white.
    public static func encode(_ image: Image, options: EncodeOptions = EncodeOptions()) throws(RasterError) -> [UInt8] {
        try write(image.pixels, stride: image.width * 4, components: 4,
                  width: image.width, height: image.height, options: options)
    }

    /// A one-component (gray) JPEG.
    public static func encode(_ image: GrayImage, options: EncodeOptions = EncodeOptions()) throws(RasterError) -> [UInt8] {
        try write(image.pixels, stride: image.width, components: 1,
                  width: image.width, height: image.height, options: options)
    }

    private static func write(
        _ pixels: [UInt8], stride: Int, components: Int32, width: Int, height: Int, options: EncodeOptions
    ) throws(RasterError) -> [UInt8] {
        guard width > 0, height > 0, width <= 65_500, height <= 65_500 else {
            throw .invalidArgument("JPEG images must be between 1x1 and 65500x65500")
        }
        guard (1...100).contains(options.quality) else {
            throw .invalidArgument("JPEG quality must be 1...100, not \(options.quality)")
        }
        var params = upare_jpeg_encode_params(
            width: UInt32(width), height: UInt32(height), components: components,
            quality: Int32(options.quality), subsampling: options.subsampling == .none444 ? 444 : 420,
            progressive: options.progressive ? 1 : 0, optimize_coding: options.optimizeCoding ? 1 : 0)
        var output = upare_buffer()
        defer { upare_buffer_free(&output) }
        var errorText = [CChar](repeating: 0, count: Int(UPARE_ERROR_TEXT_SIZE))
        let status = pixels.withUnsafeBufferPointer { input in
            upare_jpeg_encode(&params, input.baseAddress, stride, &output, &errorText)
        }
        guard status == 0, let data = output.data else {
            throw .corruptData(format: "JPEG", message: "encoding failed: \(CText.string(errorText))")
        }
        return [UInt8](UnsafeBufferPointer(start: data, count: output.size))
    }
}

/// NUL-terminated C text from a fixed buffer.
enum CText {
    static func string(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

// MARK: Lossless block moves (coefficient domain)

extension JPEG {
    /// The MCU grid of a JPEG: the unit a lossless rearrangement moves.
    public struct MCUGrid: Sendable, Hashable {
        public var width: Int
        public var height: Int
        /// MCU size in pixels: 8x8 for gray and 4:4:4, 16x16 for 4:2:0, 16x8 for 4:2:2.
        public var mcuWidth: Int
        public var mcuHeight: Int
        public var mcusAcross: Int
        public var mcusDown: Int
        public var progressive: Bool
        public var components: Int
    }

    /// Reads the MCU grid from the header, within `limits`.
    public static func mcuGrid(_ bytes: [UInt8], limits: DecodeLimits = .default) throws(RasterError) -> MCUGrid {
        var grid = upare_jpeg_mcu_grid()
        var errorText = [CChar](repeating: 0, count: Int(UPARE_ERROR_TEXT_SIZE))
        let status = bytes.withUnsafeBufferPointer { input in
            upare_jpeg_read_mcu_grid(input.baseAddress, input.count, cLimits(limits), &grid, &errorText)
        }
        guard status == 0 else {
            if status == -2 { throw .limitsExceeded("JPEG: \(CText.string(errorText))") }
            throw .corruptData(format: "JPEG", message: CText.string(errorText))
        }
        return MCUGrid(
            width: Int(grid.width), height: Int(grid.height), mcuWidth: Int(grid.mcu_width),
            mcuHeight: Int(grid.mcu_height), mcusAcross: Int(grid.mcus_across), mcusDown: Int(grid.mcus_down),
            progressive: grid.progressive != 0, components: Int(grid.components))
    }

    /// An APPn segment to drop or add while rearranging.
    public struct AppSegment: Sendable {
        /// n in APPn, 0...15.
        public var number: Int
        /// The segment's payload (for a drop: the prefix that identifies it).
        public var payload: [UInt8]

        public init(number: Int, payload: [UInt8]) {
            self.number = number
            self.payload = payload
        }
    }

    /// Rewrites the JPEG with the coefficients of MCU `source[i]` at MCU position
    /// i, without decoding: no generation loss. Other markers (ICC, EXIF,
    /// comments) are kept, `drop` segments left out and `insert` added.
    public static func permuteMCUs(
        _ bytes: [UInt8], source: [UInt32], drop: AppSegment? = nil, insert: AppSegment? = nil,
        limits: DecodeLimits = .default
    ) throws(RasterError) -> [UInt8] {
        try permuteMCUs(bytes, source: source, drop: drop, insert: insert, limits: limits, capacity: nil)
    }

    /// `capacity`: the bytes first offered to libjpeg (tests make it small to
    /// take the path where the file outgrows them).
    static func permuteMCUs(
        _ bytes: [UInt8], source: [UInt32], drop: AppSegment?, insert: AppSegment?,
        limits: DecodeLimits, capacity: Int?
    ) throws(RasterError) -> [UInt8] {
        guard source.count > 0 else { throw .invalidArgument("the MCU map is empty") }
        // A permutation: every index below the count, each once (a bitmap, not a
        // Set: 47,000 hashes were a tenth of a 12-megapixel scramble).
        var seen = [Bool](repeating: false, count: source.count)
        for index in source {
            guard Int(index) < source.count, !seen[Int(index)] else { throw .invalidArgument("the MCU map is not a permutation") }
            seen[Int(index)] = true
        }
        if let insert, !(0...15).contains(insert.number) || insert.payload.count > 65_000 {
            throw .invalidArgument("an APP segment is APP0...APP15 with at most 65000 bytes")
        }
        var output = upare_buffer()
        defer { upare_buffer_free(&output) }
        var errorText = [CChar](repeating: 0, count: Int(UPARE_ERROR_TEXT_SIZE))
        let dropPrefix = drop?.payload ?? []
        let insertPayload = insert?.payload ?? []
        // libjpeg writes straight into the result: the same coefficients with
        // default tables come out within a few percent of the input's size, so
        // an eighth more nearly always suffices. A 12-megapixel file otherwise
        // grows through a dozen doublings and one more copy into Swift memory.
        let capacity = max(1, capacity ?? bytes.count + bytes.count / 8 + insertPayload.count + 65_536)
        var status: Int32 = -1
        var result = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            output.data = buffer.baseAddress
            output.capacity = buffer.count
            status = bytes.withUnsafeBufferPointer { input in
                source.withUnsafeBufferPointer { map in
                    dropPrefix.withUnsafeBufferPointer { prefix in
                        insertPayload.withUnsafeBufferPointer { payload in
                            upare_jpeg_permute_mcus(
                                input.baseAddress, input.count, cLimits(limits), map.baseAddress, map.count,
                                Int32(drop?.number ?? -1), prefix.baseAddress, prefix.count,
                                Int32(insert?.number ?? 0), payload.baseAddress, payload.count, &output, &errorText)
                        }
                    }
                }
            }
            if output.data == buffer.baseAddress {
                // Ours, not libjpeg's: nothing for the deferred free.
                if status == 0 { count = output.size }
                output = upare_buffer()
            }
        }
        guard status == 0 else {
            throw .corruptData(format: "JPEG", message: CText.string(errorText))
        }
        if let data = output.data {
            // It outgrew the buffer above and moved to libjpeg's memory.
            result = [UInt8](UnsafeBufferPointer(start: data, count: output.size))
        }
        return result
    }

    static func cLimits(_ limits: DecodeLimits) -> upare_decode_limits {
        upare_decode_limits(
            max_width: UInt32(clamping: limits.maxWidth), max_height: UInt32(clamping: limits.maxHeight),
            max_pixels: UInt64(clamping: limits.maxPixels))
    }
}
