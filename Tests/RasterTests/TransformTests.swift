import Raster
import Testing
import TestSupport

@Suite("Warps and resampling")
struct TransformTests {
    @Test("affine algebra: inverse and composition")
    func affine() throws {
        let t = AffineMap.rotation(0.3).concatenating(.scale(2, 0.5)).concatenating(.translation(4, -1))
        let inverse = try #require(t.inverted)
        let p = Point(3.5, -7.25)
        let back = inverse.apply(t.apply(p))
        #expect(abs(back.x - p.x) < 1e-9 && abs(back.y - p.y) < 1e-9)
        #expect(AffineMap.scale(0, 1).inverted == nil)
        let r = AffineMap.rotation(.pi / 2).apply(Point(1, 0))
        #expect(abs(r.x) < 1e-12 && abs(r.y - 1) < 1e-12)  // clockwise on screen
    }

    @Test("an integer translation warp shifts pixels exactly")
    func translationWarp() throws {
        let image = makeTestImage(width: 30, height: 20)
        let shifted = try image.affineWarped(.translation(3, 2), outside: .black)
        for y in 2..<20 { for x in 3..<30 { #expect(shifted[x, y] == image[x - 3, y - 2]) } }
        #expect(shifted[1, 1] == .black)
        #expect(throws: RasterError.self) { try image.affineWarped(.scale(0, 0)) }
    }

    @Test("a zero-amplitude sine warp is the identity; a real one keeps row content")
    func sineWarp() {
        let image = makeTestImage(width: 40, height: 30)
        #expect(image.sineWarped(axis: .horizontal, amplitude: 0, period: 20) == image)
        #expect(image.sineWarped(axis: .vertical, amplitude: 0, period: 20) == image)
        let warped = image.sineWarped(axis: .horizontal, amplitude: 3, period: 15, outside: .white)
        #expect(warped != image)
        // Horizontal waves never move a pixel to another row: the green ramp (by row) stays.
        for y in 0..<30 { #expect(abs(Int(warped[20, y].g) - Int(image[20, y].g)) <= 8) }  // the test image's noise is ±4
    }

    @Test("a displacement field is smooth, bounded and seeded")
    func displacement() {
        var r1 = TestRandom(seed: 4), r2 = TestRandom(seed: 4)
        let field = DisplacementField(width: 100, height: 50, amplitude: 3, cellSize: 12, using: &r1)
        var worstJump = 0.0, largest = 0.0
        for y in 0..<50 { for x in 1..<100 {
            let a = field.offset(x: x - 1, y: y), b = field.offset(x: x, y: y)
            worstJump = max(worstJump, abs(a.x - b.x), abs(a.y - b.y))
            largest = max(largest, abs(b.x), abs(b.y))
        } }
        #expect(largest <= 3 && largest > 0.5)
        #expect(worstJump < 0.6, "neighbouring offsets differ by at most a fraction of a pixel")
        let image = makeTestImage(width: 100, height: 50)
        var r3 = TestRandom(seed: 4)
        #expect(image.displaced(amplitude: 3, cellSize: 12, using: &r2) == image.displaced(amplitude: 3, cellSize: 12, using: &r3))
    }

    @Test("resizing keeps flat colours and averages patterns")
    func resize() throws {
        let flat = Image(width: 64, height: 48, fill: RGBA(10, 200, 90))
        let small = try flat.resized(width: 17, height: 9)
        #expect(small.width == 17 && small.height == 9)
        for y in 0..<9 { for x in 0..<17 { #expect(small[x, y] == RGBA(10, 200, 90)) } }
        var checker = Image(width: 64, height: 64)
        for y in 0..<64 { for x in 0..<64 { checker[x, y] = (x + y) % 2 == 0 ? .black : .white } }
        let gray = try checker.resized(width: 16, height: 16)
        for y in 2..<14 { for x in 2..<14 { #expect(abs(Int(gray[x, y].r) - 128) <= 2) } }
        #expect(throws: RasterError.self) { try flat.resized(width: 0, height: 5) }
        #expect(throws: RasterError.self) { try flat.resized(width: 100_000, height: 5) }
    }

    @Test("transparent pixels do not bleed colour when resizing")
    func premultiplied() throws {
        var image = Image(width: 8, height: 8)
        for y in 0..<8 { for x in 0..<4 { image[x, y] = RGBA(255, 0, 0) } }
        let small = try image.resized(width: 4, height: 4)
        for y in 0..<4 { #expect(small[1, y].g == 0 && small[1, y].b == 0 && small[1, y].r == 255) }
    }

    @Test("thumbnails crop the centre to the target's shape")
    func thumbnail() throws {
        var wide = Image(width: 300, height: 100, fill: .black)
        wide.fill(Rect(x: 100, y: 0, width: 100, height: 100), with: .white)
        let thumb = try wide.thumbnail(width: 32, height: 32)
        #expect(thumb.width == 32 && thumb.height == 32)
        #expect(thumb[16, 16] == .white && thumb[2, 16].r > 240)
    }
}
