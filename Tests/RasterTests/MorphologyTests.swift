import Raster
import Testing
import TestSupport

@Suite("Morphology")
struct MorphologyTests {
    /// A 7x5 mask with a 3x3 square of full coverage in the middle.
    static func square() throws -> GrayImage {
        var mask = GrayImage(width: 7, height: 5)
        for y in 1...3 { for x in 2...4 { mask[x, y] = 255 } }
        return mask
    }

    @Test("dilation grows a square by one pixel on each side, clipped at the border")
    func dilation() throws {
        let grown = try Self.square().dilated()
        for y in 0..<5 {
            for x in 0..<7 {
                #expect(grown[x, y] == ((1...5).contains(x) ? 255 : 0), "(\(x), \(y))")
            }
        }
        // Twice: the border clips it, nothing wraps around.
        let twice = try Self.square().dilated(radius: 2)
        #expect(twice[0, 0] == 255 && twice[6, 4] == 255)
    }

    @Test("erosion shrinks a 3x3 square to its centre; the border erodes to empty")
    func erosion() throws {
        let shrunk = try Self.square().eroded()
        #expect(shrunk.pixels.filter { $0 != 0 }.count == 1)
        #expect(shrunk[3, 2] == 255)
        let full = GrayImage(width: 4, height: 3, fill: 200)
        #expect(full.eroded().pixels.filter { $0 != 0 }.count == 2)  // only the two inner pixels
        #expect(full.eroded().pixels.max() == 200)
    }

    @Test("the gradient is dilation minus erosion: a ring around and inside the square")
    func gradient() throws {
        let ring = try Self.square().gradient()
        #expect(ring[3, 2] == 0)  // the centre survives erosion, so it is not on the ring
        #expect(ring[1, 0] == 255 && ring[2, 1] == 255 && ring[5, 4] == 255)
        #expect(ring[0, 2] == 0 && ring[6, 2] == 0)
        #expect(ring.pixels.filter { $0 == 255 }.count == 24)
    }

    @Test("empty and one-pixel masks do not trap")
    func degenerate() {
        #expect(GrayImage(width: 0, height: 0).dilated().pixels.isEmpty)
        #expect(GrayImage(width: 1, height: 1, fill: 9).dilated().pixels == [9])
        #expect(GrayImage(width: 1, height: 1, fill: 9).eroded().pixels == [0])
    }
}

@Suite("Morphology against its definition")
struct MorphologyDefinitionTests {
    /// The max or min over the square of side 2r + 1, the outside counting as 0,
    /// computed pixel by pixel.
    static func reference(_ mask: GrayImage, radius r: Int, dilating: Bool) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: mask.width * mask.height)
        for y in 0..<mask.height {
            for x in 0..<mask.width {
                var value: UInt8 = dilating ? 0 : 255
                for dy in -r...r {
                    for dx in -r...r {
                        let sx = x + dx, sy = y + dy
                        let inside = sx >= 0 && sy >= 0 && sx < mask.width && sy < mask.height
                        let sample = inside ? mask.pixels[sy * mask.width + sx] : 0
                        value = dilating ? max(value, sample) : min(value, sample)
                    }
                }
                out[y * mask.width + x] = value
            }
        }
        return out
    }

    @Test("dilation and erosion equal the square's max and min for every radius 0...4, on odd shapes",
          arguments: [(1, 1), (1, 9), (9, 1), (2, 3), (17, 11), (160, 60)])
    func againstDefinition(size: (Int, Int)) {
        var generator = TestRandom(seed: UInt64(size.0 * 1000 + size.1))
        var mask = GrayImage(width: size.0, height: size.1)
        for i in mask.pixels.indices where generator.next() % 5 == 0 { mask.pixels[i] = UInt8(truncatingIfNeeded: generator.next()) }
        for radius in 0...4 {
            #expect(mask.dilated(radius: radius).pixels == Self.reference(mask, radius: radius, dilating: true), "dilate r=\(radius)")
            #expect(mask.eroded(radius: radius).pixels == Self.reference(mask, radius: radius, dilating: false), "erode r=\(radius)")
        }
    }
}
