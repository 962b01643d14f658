import Disorder
import Foundation
import Raster
import Testing

enum Samples {
    static let key = try! DisorderKey(bytes: Array(0..<32))
    static let otherKey = try! DisorderKey(bytes: Array(repeating: 0xAB, count: 32))
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("RasterTests/Fixtures")

    static func fixture(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: fixtures.appendingPathComponent(name))) }

    /// A picture whose every pixel differs from its neighbours, with alpha if asked.
    static func picture(_ width: Int, _ height: Int, alpha: Bool = false, gray: Bool = false) -> Image {
        var image = Image(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                let v = UInt8(truncatingIfNeeded: x * 7 + y * 13)
                image[x, y] = gray ? RGBA(v, v, v) : RGBA(v, UInt8(truncatingIfNeeded: x * 3), UInt8(truncatingIfNeeded: y * 5),
                                                        alpha ? UInt8(truncatingIfNeeded: x + y * 2) : 255)
            }
        }
        return image
    }

    /// A smooth picture that JPEG compresses well (for coefficient-domain tests).
    static func photo(_ width: Int, _ height: Int) -> Image {
        var image = Image(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                image[x, y] = RGBA(UInt8(x * 255 / max(1, width - 1)), UInt8(y * 255 / max(1, height - 1)),
                                   UInt8((x / 9 + y / 7) % 2 == 0 ? 40 : 210))
            }
        }
        return image
    }
}

@Suite("Disorder: pixel formats")
struct PixelDisorderTests {
    static let sizes = [(1, 1), (17, 9), (4000, 3), (64, 48), (100, 37)]

    @Test("PNG and BMP round trips are bit-exact for every mode and block size", arguments: [8, 16, 24, 32])
    func roundTrips(_ blockSize: Int) throws {
        for (w, h) in Self.sizes {
            for (rotate, channels) in [(false, false), (true, false), (true, true), (false, true)] {
                var options = DisorderOptions()
                options.blockSize = blockSize
                options.rotateAndFlip = rotate
                options.shuffleChannels = channels
                for alpha in [false, true] {
                    let image = Samples.picture(w, h, alpha: alpha)
                    for format in [ImageFormat.png, .bmp] {
                        let original = try image.encoded(as: format)
                        let scrambled = try Disorder.scramble(original, key: Samples.key, options: options)
                        #expect(ImageFormat.sniff(scrambled) == format)
                        let restored = try Disorder.unscramble(scrambled, key: Samples.key)
                        #expect(try Image.decode(restored) == image, "\(format) \(w)x\(h) block \(blockSize) rotate \(rotate) channels \(channels)")
                        if (w / blockSize) * (h / blockSize) >= 8 {
                            #expect(try Image.decode(scrambled) != image, "scrambling changed nothing")
                        }
                    }
                }
            }
        }
    }

    @Test("gray and palette sources come back with the same pixels")
    func grayAndPalette() throws {
        let gray = Samples.picture(50, 30, gray: true)
        let scrambled = try Disorder.scramble(try PNG.encode(gray.grayscale()), key: Samples.key)
        #expect(try Image.decode(Disorder.unscramble(scrambled, key: Samples.key)) == gray)
        let palette = try Samples.fixture("pillow-palette8.png")
        let restored = try Disorder.unscramble(Disorder.scramble(palette, key: Samples.key), key: Samples.key)
        #expect(try Image.decode(restored) == Image.decode(palette))
    }

    @Test("blocks keep their content: the scrambled picture holds the same pixels, moved")
    func samePixels() throws {
        var options = DisorderOptions()
        options.rotateAndFlip = false
        let image = Samples.picture(64, 64)
        let scrambled = try Image.decode(Disorder.scramble(PNG.encode(image), key: Samples.key, options: options))
        #expect(scrambled.pixels.count == image.pixels.count)
        func histogram(_ i: Image) -> [UInt32: Int] {
            var h: [UInt32: Int] = [:]
            for p in stride(from: 0, to: i.pixels.count, by: 4) {
                h[UInt32(i.pixels[p]) << 16 | UInt32(i.pixels[p + 1]) << 8 | UInt32(i.pixels[p + 2]), default: 0] += 1
            }
            return h
        }
        #expect(histogram(scrambled) == histogram(image))
        #expect(scrambled != image)
    }

    @Test("each nonce gives another arrangement; the key decides it")
    func nonces() throws {
        let png = try PNG.encode(Samples.picture(64, 64))
        let a = try Disorder.scramble(png, key: Samples.key), b = try Disorder.scramble(png, key: Samples.key)
        #expect(try Image.decode(a) != Image.decode(b))
        let nonce = [UInt8](repeating: 5, count: 16)
        #expect(try Disorder.scramble(png, key: Samples.key, nonce: nonce) == Disorder.scramble(png, key: Samples.key, nonce: nonce))
        #expect(try Image.decode(Disorder.scramble(png, key: Samples.key, nonce: nonce))
            != Image.decode(Disorder.scramble(png, key: Samples.otherKey, nonce: nonce)))
    }

    @Test("a wrong key is named as such, in every format")
    func wrongKey() throws {
        let inputs = [try PNG.encode(Samples.picture(40, 40)), try BMP.encode(Samples.picture(40, 40)),
                      try JPEG.encode(Samples.photo(64, 48))]
        for input in inputs {
            let scrambled = try Disorder.scramble(input, key: Samples.key)
            #expect(throws: DisorderError.wrongKey) { try Disorder.unscramble(scrambled, key: Samples.otherKey) }
        }
    }

    @Test("tampered headers, plain files, double scrambling and truncation are refused")
    func refusals() throws {
        let png = try PNG.encode(Samples.picture(40, 40))
        #expect(throws: DisorderError.notScrambled) { try Disorder.unscramble(png, key: Samples.key) }
        let scrambled = try Disorder.scramble(png, key: Samples.key)
        #expect(throws: DisorderError.alreadyScrambled) { try Disorder.scramble(scrambled, key: Samples.key) }
        // The PNG header chunk sits right after IHDR; a flipped bit breaks its CRC.
        var damaged = scrambled
        damaged[33 + 8 + 20] ^= 0x01
        #expect(throws: DisorderError.notScrambled) { try Disorder.unscramble(damaged, key: Samples.key) }
        // BMP: the header is the trailer; a changed size is caught, a changed nonce fails the key check.
        let bmp = try Disorder.scramble(BMP.encode(Samples.picture(40, 40)), key: Samples.key)
        var resized = bmp
        resized[bmp.count - 46 + 13] ^= 0x01
        #expect(throws: DisorderError.self) { try Disorder.unscramble(resized, key: Samples.key) }
        var renonced = bmp
        renonced[bmp.count - 46 + 25] ^= 0x01
        #expect(throws: DisorderError.wrongKey) { try Disorder.unscramble(renonced, key: Samples.key) }
        var version = bmp
        version[bmp.count - 46 + 4] = 9
        #expect(throws: DisorderError.badHeader("version 9 is not supported (this is version 1)")) {
            try Disorder.unscramble(version, key: Samples.key)
        }
        for cut in [10, 100, scrambled.count / 2, scrambled.count - 13] {
            #expect(throws: DisorderError.self) { try Disorder.unscramble(Array(scrambled[..<cut]), key: Samples.key) }
        }
        #expect(throws: DisorderError.self) { try Disorder.scramble(Array("hello".utf8), key: Samples.key) }
        var options = DisorderOptions()
        options.blockSize = 12
        #expect(throws: DisorderError.self) { try Disorder.scramble(png, key: Samples.key, options: options) }
        // Found by scripts/fuzz: a trailer claiming 1073741861 px across, with a valid key check.
        let huge = try Samples.fixture("fuzz/bmp-disorder-huge-header.bmp")
        #expect(throws: DisorderError.self) { try Disorder.unscramble(huge, key: Samples.key) }
        let sixteen = try Samples.fixture("pillow-gray16.png")
        #expect(throws: DisorderError.self) { try Disorder.scramble(sixteen, key: Samples.key) }
    }
}

@Suite("Disorder: JPEG coefficient domain")
struct JPEGDisorderTests {
    /// JPEGs of every layout: fixtures by Pillow (37x23: partial MCUs at both
    /// edges) and larger ones with odd sizes.
    static func inputs() throws -> [(String, [UInt8])] {
        var list: [(String, [UInt8])] = []
        for name in ["pillow-420.jpg", "pillow-444.jpg", "pillow-progressive.jpg", "pillow-gray.jpg", "pillow-exif-icc.jpg"] {
            list.append((name, try Samples.fixture(name)))
        }
        let photo = Samples.photo(203, 97)
        list.append(("420 203x97", try JPEG.encode(photo, options: JPEG.EncodeOptions(quality: 90))))
        list.append(("444 203x97", try JPEG.encode(photo, options: JPEG.EncodeOptions(quality: 90, subsampling: .none444))))
        list.append(("progressive 420 203x97", try JPEG.encode(photo, options: JPEG.EncodeOptions(quality: 80, progressive: true))))
        list.append(("gray 203x97", try JPEG.encode(photo.grayscale(), options: JPEG.EncodeOptions(quality: 85))))
        list.append(("1x1", try JPEG.encode(Samples.photo(1, 1))))
        list.append(("4000x3", try JPEG.encode(Samples.photo(4000, 3))))
        return list
    }

    @Test("unscrambling restores exactly the decoded pixels, without re-encoding", arguments: [16, 32, 48])
    func roundTrips(_ blockSize: Int) throws {
        var options = DisorderOptions()
        options.blockSize = blockSize
        for (name, original) in try Self.inputs() {
            let scrambled = try Disorder.scramble(original, key: Samples.key, options: options)
            let restored = try Disorder.unscramble(scrambled, key: Samples.key)
            let expected = try JPEG.decode(original)
            #expect(try JPEG.decode(restored) == expected, "\(name), block \(blockSize)")
            #expect(try JPEG.header(restored).progressive == JPEG.header(original).progressive)
            let grid = try JPEG.mcuGrid(original)
            // With 8 or more full blocks the chance of an identity shuffle is below 1/40000.
            if (grid.width / blockSize) * (grid.height / blockSize) >= 8 {
                #expect(try JPEG.decode(scrambled) != expected, "\(name): scrambling changed nothing")
            }
        }
    }

    @Test("8-pixel blocks work where the MCU is 8x8, and are refused for 4:2:0")
    func smallBlocks() throws {
        var options = DisorderOptions()
        options.blockSize = 8
        let gray = try Samples.fixture("pillow-gray.jpg")
        #expect(try JPEG.decode(Disorder.unscramble(Disorder.scramble(gray, key: Samples.key, options: options), key: Samples.key))
            == JPEG.decode(gray))
        #expect(throws: DisorderError.self) { try Disorder.scramble(Samples.fixture("pillow-420.jpg"), key: Samples.key, options: options) }
    }

    @Test("EXIF, ICC and comments survive both ways; the header segment goes away")
    func markers() throws {
        let original = try Samples.fixture("pillow-exif-icc.jpg")
        let scrambled = try Disorder.scramble(original, key: Samples.key)
        let restored = try Disorder.unscramble(scrambled, key: Samples.key)
        for app in [1, 2] {
            #expect(!JPEG.appSegments(app, in: original).isEmpty)
            #expect(JPEG.appSegments(app, in: scrambled) == JPEG.appSegments(app, in: original))
            #expect(JPEG.appSegments(app, in: restored) == JPEG.appSegments(app, in: original))
        }
        #expect(JPEG.appSegments(9, in: scrambled).count == 1)
        #expect(JPEG.appSegments(9, in: restored).isEmpty)
        #expect(try Disorder.header(in: restored) == nil)
    }
}
