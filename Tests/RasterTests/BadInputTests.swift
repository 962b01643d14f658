import Foundation
import Raster
import Testing
import TestSupport

/// Damaged, truncated, hostile and foreign input: always a RasterError, never a
/// crash, hang or huge allocation.
@Suite("Bad input")
struct BadInputTests {
    /// One valid file of each kind, as seeds for damage.
    static func seeds() throws -> [(String, [UInt8])] {
        let image = makeTestImage(width: 33, height: 17, alpha: true)
        return [
            ("png-rgba", try PNG.encode(image)),
            ("png-interlaced", try TestData.fixture("magick-interlaced.png")),
            ("png-palette", try TestData.fixture("pillow-palette8.png")),
            ("jpeg-baseline", try JPEG.encode(image)),
            ("jpeg-progressive", try TestData.fixture("pillow-progressive.jpg")),
            ("bmp-24", try BMP.encode(image.flattened())),
            ("bmp-32", try BMP.encode(image)),
            ("bmp-4bit", try TestData.fixture("magick-4bit.bmp")),
            ("bmp-565", try TestData.fixture("magick-565.bmp")),
        ]
    }

    /// Decoding either succeeds or throws RasterError; anything else fails the test.
    static func decodeOrRasterError(_ bytes: [UInt8], limits: DecodeLimits = .default) -> Result<Image, RasterError> {
        do {
            return .success(try Image.decode(bytes, limits: limits))
        } catch {
            return .failure(error)
        }
    }

    @Test("empty and tiny inputs")
    func emptyInput() {
        #expect(throws: RasterError.self) { try Image.decode([]) }
        #expect(throws: RasterError.self) { try PNG.decode([]) }
        #expect(throws: RasterError.self) { try JPEG.decode([]) }
        #expect(throws: RasterError.self) { try BMP.decode([]) }
        for prefix in [[0x89, 0x50], [0xFF, 0xD8, 0xFF], [0x42, 0x4D]] as [[UInt8]] {
            #expect(throws: RasterError.self) { try Image.decode(prefix) }
        }
    }

    @Test("wrong magic is an unsupported format")
    func wrongMagic() throws {
        for bytes in [Array("GIF89a....".utf8), Array("hello world".utf8), [UInt8](repeating: 0, count: 64)] {
            #expect(throws: RasterError.unsupportedFormat("not a PNG, JPEG or BMP file")) { try Image.decode(bytes) }
        }
        // Each decoder called directly on another format's bytes refuses it too.
        let png = try PNG.encode(makeTestImage(width: 4, height: 4))
        #expect(throws: RasterError.self) { try JPEG.decode(png) }
        #expect(throws: RasterError.self) { try BMP.decode(png) }
        #expect(throws: RasterError.self) { try PNG.decode(BMP.encode(makeTestImage(width: 4, height: 4))) }
    }

    @Test("truncation at every offset", arguments: try seeds().map(\.0))
    func truncation(_ name: String) throws {
        let bytes = try #require(try Self.seeds().first { $0.0 == name }?.1)
        // Every cut of a valid file is refused: none decodes to a partial image.
        let step = max(1, bytes.count / 300)
        for length in stride(from: 0, to: bytes.count - 1, by: step) {
            let cut = Array(bytes[..<length])
            if case .success = Self.decodeOrRasterError(cut) {
                // BMP files carry no end marker: a cut after the last pixel row is whole.
                #expect(name.hasPrefix("bmp") && length >= bytes.count - 4, "\(name) cut at \(length) decoded")
            }
        }
    }

    @Test("random bit flips", arguments: try seeds().map(\.0))
    func bitFlips(_ name: String) throws {
        let bytes = try #require(try Self.seeds().first { $0.0 == name }?.1)
        var random = TestRandom(seed: UInt64(bytes.count))
        for _ in 0..<400 {
            var damaged = bytes
            for _ in 0..<Int(1 + random.next() % 4) {
                let i = Int(random.next() % UInt64(damaged.count))
                damaged[i] ^= UInt8(1 << (random.next() % 8))
            }
            // Success is allowed (a flipped pixel is still a picture); a crash is not.
            if case .success(let image) = Self.decodeOrRasterError(damaged) {
                #expect(image.width * image.height <= DecodeLimits.default.maxPixels)
            }
        }
    }

    /// Overwrites the size fields of a valid header with 100000 x 100000.
    static func hugeHeader(_ format: ImageFormat) throws -> [UInt8] {
        let image = makeTestImage(width: 8, height: 8)
        switch format {
        case .png:
            var bytes = try PNG.encode(image)
            let big: [UInt8] = [0x00, 0x01, 0x86, 0xA0]  // 100000
            bytes.replaceSubrange(16..<20, with: big)
            bytes.replaceSubrange(20..<24, with: big)
            // Recompute IHDR's CRC so that only the size is wrong.
            let crc = crc32(bytes[12..<29])
            bytes.replaceSubrange(29..<33, with: [UInt8(crc >> 24), UInt8((crc >> 16) & 0xFF), UInt8((crc >> 8) & 0xFF), UInt8(crc & 0xFF)])
            return bytes
        case .jpeg:
            var bytes = try JPEG.encode(image)
            // Find SOF0 and set its 16-bit height and width to 65000.
            var i = 2
            while i + 9 < bytes.count {
                if bytes[i] == 0xFF, bytes[i + 1] == 0xC0 {
                    bytes.replaceSubrange((i + 5)..<(i + 9), with: [0xFD, 0xE8, 0xFD, 0xE8])
                    break
                }
                i += 1
            }
            return bytes
        case .bmp:
            var bytes = try BMP.encode(image)
            bytes.replaceSubrange(18..<26, with: [0xA0, 0x86, 0x01, 0x00, 0xA0, 0x86, 0x01, 0x00])
            return bytes
        }
    }

    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    @Test("a header claiming 100000 x 100000 is refused before allocating", arguments: ImageFormat.allCases)
    func hugeDimensions(_ format: ImageFormat) throws {
        let bytes = try Self.hugeHeader(format)
        #expect {
            try Image.decode(bytes)
        } throws: { error in
            guard case .limitsExceeded = error as? RasterError else { return false }
            return true
        }
    }

    @Test("limits are a parameter of every decoder", arguments: ImageFormat.allCases)
    func customLimits(_ format: ImageFormat) throws {
        let bytes = try makeTestImage(width: 40, height: 30).encoded(as: format)
        let tight = DecodeLimits(maxWidth: 39, maxHeight: 1000, maxPixels: 1_000_000)
        let fewPixels = DecodeLimits(maxWidth: 1000, maxHeight: 1000, maxPixels: 1199)
        for limits in [tight, fewPixels] {
            #expect(throws: RasterError.self) { try Image.decode(bytes, limits: limits) }
        }
        #expect(try Image.decode(bytes, limits: DecodeLimits(maxWidth: 40, maxHeight: 30, maxPixels: 1200)).width == 40)
    }

    @Test("errors carry the library's message")
    func libraryMessages() throws {
        var png = try PNG.encode(makeTestImage(width: 8, height: 8))
        png[png.count - 20] ^= 0xFF  // inside IDAT: its CRC no longer matches
        #expect {
            try PNG.decode(png)
        } throws: { error in
            guard case .corruptData(let format, let message)? = error as? RasterError else { return false }
            return format == "PNG" && message.contains("IDAT")
        }
        let jpeg = try JPEG.encode(makeTestImage(width: 64, height: 64))
        #expect {
            try JPEG.decode(Array(jpeg[..<(jpeg.count / 2)]))
        } throws: { error in
            guard case .corruptData(_, let message)? = error as? RasterError else { return false }
            return message.lowercased().contains("premature end")
        }
    }

    @Test("inputs the fuzzer found (scripts/fuzz) decode or fail cleanly")
    func fuzzFindings() throws {
        let folder = TestData.fixtures.appendingPathComponent("fuzz")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(!names.isEmpty)
        for name in names {
            _ = Self.decodeOrRasterError(try TestData.bytes(folder.appendingPathComponent(name)))
        }
    }

    @Test("a BMP channel mask of zero reads as zero")
    func zeroMask() throws {
        var bytes = try TestData.fixture("magick-565.bmp")
        bytes.replaceSubrange(54..<58, with: [0, 0, 0, 0])  // red mask
        let image = try BMP.decode(bytes)
        #expect(image.pixels.enumerated().allSatisfy { $0.offset % 4 != 0 || $0.element == 0 })
    }

    @Test("file errors name the path")
    func fileErrors() {
        #expect(throws: RasterError.io("cannot open /nonexistent/x.png")) {
            try Image.read(contentsOf: "/nonexistent/x.png")
        }
        #expect(throws: RasterError.self) {
            try makeTestImage(width: 2, height: 2).write(to: "/tmp/upare-test.gif")
        }
    }
}
