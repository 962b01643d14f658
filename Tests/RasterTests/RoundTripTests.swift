@testable import Raster
import Testing
import TestSupport

/// Encode then decode gives the same pixels (exactly, except JPEG).
@Suite("Codec round trips")
struct RoundTripTests {
    static let sizes = [(1, 1), (3, 2), (37, 23), (160, 60), (257, 3)]

    @Test("PNG RGBA, RGB and gray are exact", arguments: [PNG.Filter.none, .sub, .up, .average, .paeth, .all])
    func pngLayouts(_ filter: PNG.Filter) throws {
        for (w, h) in Self.sizes {
            let options = PNG.EncodeOptions(compressionLevel: 6, filter: filter)
            let rgba = makeTestImage(width: w, height: h, alpha: true)
            #expect(try PNG.decode(PNG.encode(rgba, layout: .rgba, options: options)) == rgba)
            let rgb = makeTestImage(width: w, height: h)
            #expect(try PNG.decode(PNG.encode(rgb, layout: .rgb, options: options)) == rgb)
            let gray = rgb.grayscale()
            #expect(try PNG.decode(PNG.encode(gray, options: options)) == gray.rgba())
        }
    }

    @Test("PNG automatic layout picks the smallest exact form")
    func pngAutomatic() throws {
        let rgb = makeTestImage(width: 40, height: 20)
        let gray = rgb.grayscale().rgba()
        let rgbBytes = try PNG.encode(rgb)
        let grayBytes = try PNG.encode(gray)
        #expect(rgbBytes[25] == 2)  // IHDR colour type: RGB
        #expect(grayBytes[25] == 0)  // gray
        #expect(try PNG.encode(makeTestImage(width: 4, height: 4, alpha: true))[25] == 6)
        #expect(try PNG.decode(grayBytes) == gray)
    }

    @Test("isGray looks at every pixel, across its chunks, down to the last one")
    func grayDetection() {
        // 150x100 = 15,000 pixels: several 4,096-pixel chunks and a partial one.
        var image = Image(width: 150, height: 100, fill: RGBA(90, 90, 90, 255))
        #expect(image.isGray)
        for (x, y) in [(0, 0), (149, 99), (10, 40)] {
            var spotted = image
            spotted[x, y] = RGBA(90, 91, 90, 255)
            #expect(!spotted.isGray, "(\(x), \(y))")
        }
        image[149, 99] = RGBA(7, 7, 7, 0)
        #expect(image.isGray, "alpha does not count")
    }

    @Test("PNG palette is exact at every packed bit depth", arguments: [2, 3, 16, 17, 200, 256])
    func pngPalette(_ colors: Int) throws {
        var random = TestRandom(seed: UInt64(colors))
        let palette = (0..<colors).map { (i: Int) -> RGBA in
            let alpha: UInt8 = i % 3 == 0 ? 128 : 255
            return RGBA(UInt8(i % 256), UInt8(truncatingIfNeeded: i * 7), UInt8(truncatingIfNeeded: i * 13), alpha)
        }
        let w = 61, h = 7
        let indices = (0..<(w * h)).map { _ in UInt8(random.next() % UInt64(colors)) }
        let image = try IndexedImage(width: w, height: h, palette: palette, indices: indices)
        for level in [0, 1, 9] {
            let bytes = try PNG.encode(image, options: PNG.EncodeOptions(compressionLevel: level, filter: .none))
            #expect(bytes[25] == 3)
            let expectedDepth = colors <= 2 ? 1 : colors <= 4 ? 2 : colors <= 16 ? 4 : 8
            #expect(Int(bytes[24]) == expectedDepth)
            #expect(try PNG.decode(bytes) == image.rgba())
        }
    }

    @Test("an image with few colours converts to a palette and back exactly")
    func indexedConversion() throws {
        var image = Image(width: 30, height: 10, fill: .white)
        image.fill(Rect(x: 3, y: 2, width: 10, height: 5), with: RGBA(200, 10, 10))
        let indexed = try #require(image.indexed())
        #expect(indexed.palette.count == 2)
        #expect(indexed.rgba() == image)
        #expect(makeTestImage(width: 64, height: 64).indexed() == nil)
    }

    @Test("JPEG stays close at high quality", arguments: [JPEG.Subsampling.none444, .quarter420])
    func jpeg(_ subsampling: JPEG.Subsampling) throws {
        for (w, h) in Self.sizes {
            let image = makeTestImage(width: w, height: h)
            for progressive in [false, true] {
                let options = JPEG.EncodeOptions(quality: 95, subsampling: subsampling, progressive: progressive, optimizeCoding: progressive)
                let decoded = try JPEG.decode(JPEG.encode(image, options: options))
                #expect(decoded.width == w && decoded.height == h)
                #expect(decoded.isOpaque)
                // 4:4:4 keeps every channel close; 4:2:0 halves chroma resolution,
                // so on this saturated pattern only luma is held to a bound.
                if subsampling == .none444 {
                    #expect(meanDifference(decoded, image) < 4)
                } else {
                    #expect(meanDifference(decoded.grayscale().rgba(), image.grayscale().rgba()) < 8)
                }
            }
        }
    }

    @Test("JPEG gray round trip and quality order")
    func jpegGrayAndQuality() throws {
        let gray = makeTestImage(width: 64, height: 48).grayscale()
        let decoded = try JPEG.decode(JPEG.encode(gray, options: JPEG.EncodeOptions(quality: 95)))
        #expect(decoded.isGray)
        #expect(meanDifference(decoded, gray.rgba()) < 3)
        let photo = makeTestImage(width: 128, height: 96)
        let small = try JPEG.encode(photo, options: JPEG.EncodeOptions(quality: 20))
        let large = try JPEG.encode(photo, options: JPEG.EncodeOptions(quality: 95))
        #expect(small.count < large.count)
        #expect(throws: RasterError.self) { try JPEG.encode(photo, options: JPEG.EncodeOptions(quality: 0)) }
    }

    @Test("JPEG MCU permutation: the same file whether libjpeg writes into the offered buffer or outgrows it", arguments: [false, true])
    func jpegPermutationBuffer(progressive: Bool) throws {
        // Whole MCUs only: libjpeg rewrites the padding blocks of an edge MCU, so
        // an interior MCU moved to the edge would lose its outer half.
        let photo = makeTestImage(width: 192, height: 128)
        let options = JPEG.EncodeOptions(quality: 90, subsampling: .quarter420, progressive: progressive, optimizeCoding: progressive)
        let original = try JPEG.encode(photo, options: options)
        let grid = try JPEG.mcuGrid(original)
        let count = grid.mcusAcross * grid.mcusDown
        // A rotation of the MCU order: every MCU moves.
        let source = (0..<count).map { UInt32(($0 + 5) % count) }
        let insert = JPEG.AppSegment(number: 11, payload: Array("upare-test".utf8))
        let roomy = try JPEG.permuteMCUs(original, source: source, insert: insert)
        for capacity in [1, 100, roomy.count - 1, roomy.count] {
            let grown = try JPEG.permuteMCUs(original, source: source, drop: nil, insert: insert, limits: .default, capacity: capacity)
            #expect(grown == roomy, "capacity \(capacity)")
        }
        // Back in the original order: the same pixels as the input.
        var inverse = [UInt32](repeating: 0, count: count)
        for (target, from) in source.enumerated() { inverse[Int(from)] = UInt32(target) }
        let restored = try JPEG.permuteMCUs(roomy, source: inverse, drop: nil, insert: nil, limits: .default, capacity: 1)
        #expect(try JPEG.decode(restored).pixels == JPEG.decode(original).pixels)
        #expect(throws: RasterError.self) {
            try JPEG.permuteMCUs(Array(original.prefix(original.count * 3 / 4)), source: source, drop: nil, insert: nil, limits: .default, capacity: 10)
        }
    }

    @Test("JPEG flattens alpha over white")
    func jpegFlattensAlpha() throws {
        let clear = Image(width: 16, height: 16, fill: RGBA(0, 0, 0, 0))
        let decoded = try JPEG.decode(JPEG.encode(clear, options: JPEG.EncodeOptions(quality: 90)))
        #expect(decoded[8, 8].r > 250 && decoded[8, 8].g > 250)
    }

    @Test("BMP 24 and 32 bit are exact")
    func bmp() throws {
        for (w, h) in Self.sizes {
            let rgb = makeTestImage(width: w, height: h)
            let bytes24 = try BMP.encode(rgb)
            #expect(bytes24[28] == 24)
            #expect(try BMP.decode(bytes24) == rgb)
            let rgba = makeTestImage(width: w, height: h, alpha: true)
            let bytes32 = try BMP.encode(rgba)
            #expect(bytes32[28] == 32)
            #expect(try BMP.decode(bytes32) == rgba)
            #expect(try BMP.decode(BMP.encode(rgb, depth: .rgba32)) == rgb)
        }
    }

    @Test("the generic API dispatches by format")
    func generic() throws {
        let image = makeTestImage(width: 20, height: 10)
        for format in ImageFormat.allCases {
            let bytes = try image.encoded(as: format, quality: 95)
            #expect(ImageFormat.sniff(bytes) == format)
            let decoded = try Image.decode(bytes)
            #expect(format == .jpeg ? meanDifference(decoded, image) < 12 : decoded == image)
        }
    }
}
