import ConstantTime
import Crypto
public import Raster

/// How to scramble.
public struct DisorderOptions: Sendable, Equatable {
    /// Block edge in pixels: a multiple of 8, 8...512. JPEGs need a multiple of
    /// their MCU (16 fits every common JPEG).
    public var blockSize: Int = 16
    /// Rotate or mirror each block (PNG and BMP; JPEG blocks are only moved).
    public var rotateAndFlip: Bool = true
    /// Permute each block's red, green and blue channels (PNG and BMP).
    public var shuffleChannels: Bool = false
    public var limits: DecodeLimits = .default
    /// How a scrambled PNG is compressed (see `PNG.Compression`). `fast` by
    /// default: on photos it is as small as libdeflate's level 5 at a third of
    /// the time (Benchmarks/README.md); smooth synthetic pictures come out larger.
    public var pngCompression: PNG.Compression = .fast
    /// Threads for one picture's PNG encoding: 0 all cores, 1 when the caller
    /// already runs a picture per core.
    public var threads: Int = 0

    public init() {}
}

/// Keyed, exact picture scrambling ("encrypt a picture"): PNG and BMP in the
/// pixel domain, JPEG in the DCT-coefficient domain (no re-encoding). The
/// format is docs/disorder-format.md.
public enum Disorder {
    /// The APP segment a scrambled JPEG carries its header in, and its prefix.
    static let jpegApp = 9
    static let jpegPrefix = Array("upare-disorder\u{0}".utf8)
    static let pngChunk = "upDS"

    /// Scrambles a PNG, JPEG or BMP file. `nonce` (16 bytes) is random unless
    /// given, which only tests and test vectors should do.
    public static func scramble(
        _ bytes: [UInt8], key: DisorderKey, options: DisorderOptions = DisorderOptions(), nonce: [UInt8]? = nil
    ) throws(DisorderError) -> [UInt8] {
        guard options.blockSize % 8 == 0, (8...512).contains(options.blockSize) else {
            throw .invalidOption("block size must be a multiple of 8 from 8 to 512, not \(options.blockSize)")
        }
        if let nonce, nonce.count != 16 { throw .invalidOption("a nonce is 16 bytes") }
        var system = SystemRandomNumberGenerator()
        let nonce = nonce ?? (0..<16).map { _ in UInt8.random(in: 0...255, using: &system) }
        if (try? header(in: bytes)) != nil { throw .alreadyScrambled }
        let keyCheck = DisorderHeader.keyCheck(key: key, nonce: nonce)
        return try mappingErrors {
            switch ImageFormat.sniff(bytes) {
            case .jpeg:
                let grid = try JPEG.mcuGrid(bytes, limits: options.limits)
                guard [8, 16].contains(grid.mcuWidth), [8, 16].contains(grid.mcuHeight) else {
                    throw DisorderError.invalidOption(
                        "JPEG with a \(grid.mcuWidth)x\(grid.mcuHeight) MCU (unusual chroma subsampling) is not supported")
                }
                guard options.blockSize % grid.mcuWidth == 0, options.blockSize % grid.mcuHeight == 0 else {
                    throw DisorderError.invalidOption(
                        "block size \(options.blockSize) is not a multiple of this JPEG's \(grid.mcuWidth)x\(grid.mcuHeight) MCU; use 16 or 32")
                }
                let header = DisorderHeader(
                    rotateAndFlip: false, shuffleChannels: false, container: .jpeg, blockSize: options.blockSize,
                    width: grid.width, height: grid.height, unitWidth: grid.mcuWidth, unitHeight: grid.mcuHeight,
                    nonce: nonce, keyCheck: keyCheck)
                let map = mcuMap(BlockPermutation(header: header, key: key), grid: grid, forward: true)
                return try JPEG.permuteMCUs(
                    bytes, source: map, insert: JPEG.AppSegment(number: jpegApp, payload: jpegPrefix + header.bytes),
                    limits: options.limits)
            case .png, .bmp:
                let isPNG = ImageFormat.sniff(bytes) == .png
                if isPNG, PNG.bitDepth(of: bytes) == 16 {
                    throw DisorderError.invalidOption("16-bit PNG is not supported: scrambling is exact on 8-bit samples")
                }
                var image = try Image.decode(bytes, limits: options.limits)
                let header = scramblePixels(&image, key: key, options: options, container: isPNG ? .png : .bmp, nonce: nonce)
                return try encode(image, container: header.container, header: header, options: options)
            case nil:
                throw DisorderError.raster(.unsupportedFormat("not a PNG, JPEG or BMP file"))
            }
        }
    }

    /// Runs `body`, reporting every failure as a `DisorderError`.
    private static func mappingErrors<T>(_ body: () throws -> T) throws(DisorderError) -> T {
        do {
            return try body()
        } catch let error as DisorderError {
            throw error
        } catch let error as RasterError {
            throw .raster(error)
        } catch {
            throw .raster(.io("\(error)"))
        }
    }

    /// Restores the original picture: the same pixels (PNG, BMP) or the same
    /// DCT coefficients and markers (JPEG).
    /// Of `options`, `limits`, `pngCompression` and `threads` apply.
    public static func unscramble(
        _ bytes: [UInt8], key: DisorderKey, options: DisorderOptions = DisorderOptions()
    ) throws(DisorderError) -> [UInt8] {
        let limits = options.limits
        guard let header = try header(in: bytes) else { throw .notScrambled }
        let expected = DisorderHeader.keyCheck(key: key, nonce: header.nonce)
        guard ConstantTime.equal(expected, header.keyCheck) else { throw .wrongKey }
        return try mappingErrors {
            // The header's size is checked against the limits and the picture
            // before any block is derived from it.
            try limits.check(width: header.width, height: header.height, format: "scrambled picture")
            switch header.container {
            case .jpeg:
                let grid = try JPEG.mcuGrid(bytes, limits: limits)
                guard grid.width == header.width, grid.height == header.height,
                      grid.mcuWidth == header.unitWidth, grid.mcuHeight == header.unitHeight
                else { throw DisorderError.badHeader("the header does not match the picture's geometry") }
                let permutation = BlockPermutation(header: header, key: key)
                return try JPEG.permuteMCUs(
                    bytes, source: mcuMap(permutation, grid: grid, forward: false),
                    drop: JPEG.AppSegment(number: jpegApp, payload: jpegPrefix), limits: limits)
            case .png, .bmp:
                var image = try Image.decode(bytes, limits: limits)
                guard image.width == header.width, image.height == header.height else {
                    throw DisorderError.badHeader("the header does not match the picture's size")
                }
                PixelScrambler.apply(BlockPermutation(header: header, key: key), to: &image, forward: false)
                return try encode(image, container: header.container, header: nil, options: options)
            }
        }
    }

    /// The pixel step alone, in place on a decoded picture; returns the header
    /// to store with the scrambled pixels (for callers that encode themselves).
    public static func scramblePixels(
        _ image: inout Image, key: DisorderKey, options: DisorderOptions = DisorderOptions(),
        container: DisorderHeader.Container = .png, nonce: [UInt8]? = nil
    ) -> DisorderHeader {
        var system = SystemRandomNumberGenerator()
        let nonce = nonce.flatMap { $0.count == 16 ? $0 : nil } ?? (0..<16).map { _ in UInt8.random(in: 0...255, using: &system) }
        let header = DisorderHeader(
            rotateAndFlip: options.rotateAndFlip, shuffleChannels: options.shuffleChannels, container: container,
            blockSize: options.blockSize, width: image.width, height: image.height, unitWidth: 1, unitHeight: 1,
            nonce: nonce, keyCheck: DisorderHeader.keyCheck(key: key, nonce: nonce))
        PixelScrambler.apply(BlockPermutation(header: header, key: key), to: &image, forward: true)
        return header
    }

    /// The disorder header of a scrambled file, nil for a file without one.
    public static func header(in bytes: [UInt8]) throws(DisorderError) -> DisorderHeader? {
        switch ImageFormat.sniff(bytes) {
        case .png:
            guard let data = PNG.chunk(pngChunk, in: bytes) else { return nil }
            return try DisorderHeader(parsing: data[...])
        case .jpeg:
            guard let payload = JPEG.appSegments(jpegApp, in: bytes).first(where: { $0.starts(with: jpegPrefix) }) else { return nil }
            return try DisorderHeader(parsing: payload[jpegPrefix.count...])
        case .bmp:
            // BMP: the header is the last 46 bytes of the file, after the pixels.
            guard bytes.count > DisorderHeader.size + 54,
                  Array(bytes[(bytes.count - DisorderHeader.size)..<(bytes.count - DisorderHeader.size + 4)]) == DisorderHeader.magic
            else { return nil }
            return try DisorderHeader(parsing: bytes[(bytes.count - DisorderHeader.size)...])
        case nil:
            return nil
        }
    }

    private static func encode(
        _ image: Image, container: DisorderHeader.Container, header: DisorderHeader?, options: DisorderOptions
    ) throws -> [UInt8] {
        switch container {
        case .png:
            // The header goes in as the file is written, not copied in after.
            return try PNG.encode(image, compression: options.pngCompression, threads: options.threads,
                                  chunks: header.map { [(pngChunk, $0.bytes)] } ?? [])
        case .bmp, .jpeg:
            var bmp = try BMP.encode(image)
            guard let header else { return bmp }
            bmp += header.bytes
            // bfSize counts the trailer too, so copying tools keep it.
            let size = UInt32(bmp.count)
            bmp.replaceSubrange(2..<6, with: [UInt8(size & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size >> 16 & 0xFF), UInt8(size >> 24)])
            return bmp
        }
    }

    /// The MCU map for `JPEG.permuteMCUs`: position i takes MCU map[i].
    static func mcuMap(_ permutation: BlockPermutation, grid: JPEG.MCUGrid, forward: Bool) -> [UInt32] {
        var map = [UInt32](repeating: 0, count: grid.mcusAcross * grid.mcusDown)
        for move in permutation.moves {
            let scrambled = permutation.blocks[move.target], original = permutation.blocks[move.source]
            for v in 0..<scrambled.height {
                for u in 0..<scrambled.width {
                    let s = (scrambled.y + v) * grid.mcusAcross + scrambled.x + u
                    let o = (original.y + v) * grid.mcusAcross + original.x + u
                    if forward { map[s] = UInt32(o) } else { map[o] = UInt32(s) }
                }
            }
        }
        return map
    }
}
