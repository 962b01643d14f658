import Foundation
import Raster
import Testing
import TestSupport

@Suite("FreeType text")
struct TextTests {
    @Test("every shipped font loads and has the ASCII letters and digits")
    func shippedFonts() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: TestData.fontsFolder.path).filter { $0.hasSuffix(".ttf") }
        #expect(names.count >= 3)
        for name in names {
            let face = try TestData.font(name)
            for scalar in "ABCDEFGHJKLMNPQRSTUVWXYZabcdefhkmnprstuvwxyz23456789".unicodeScalars {
                #expect(face.hasGlyph(for: scalar), "\(name) lacks \(scalar)")
            }
        }
    }

    @Test("missing and non-font files give clear errors")
    func badFonts() throws {
        #expect(throws: RasterError.self) { try FontFace(contentsOf: "/nonexistent.ttf") }
        let notFont = TestData.fixtures.appendingPathComponent("pillow-rgb.png").path
        #expect(throws: RasterError.self) { try FontFace(contentsOf: notFont) }
        let face = try TestData.font()
        #expect(throws: RasterError.self) { try face.glyph(for: "A", pixelSize: 0) }
        #expect(throws: RasterError.self) { try face.glyph(for: "A", pixelSize: 10_000) }
    }

    @Test("glyphs are cached and scale with size")
    func glyphCache() throws {
        let face = try TestData.font()
        let small = try face.glyph(for: "W", pixelSize: 20)
        let again = try face.glyph(for: "W", pixelSize: 20)
        #expect(small == again)
        let large = try face.glyph(for: "W", pixelSize: 40)
        #expect(abs(Double(large.bitmap.height) / Double(small.bitmap.height) - 2) < 0.2)
        #expect(abs(large.advance / small.advance - 2) < 0.1)
        // A capital sits on the baseline: its top is about the cap height.
        #expect(small.top >= 13 && small.top <= 16)
        #expect(small.bitmap.pixels.contains(255))
    }

    @Test("measurement agrees with what is drawn")
    func measurement() throws {
        let face = try TestData.font()
        let metrics = try face.measure("Hello", pixelSize: 30)
        #expect(metrics.width > 70 && metrics.width < 110)
        #expect(metrics.ascent > 20 && metrics.descent > 4)
        var image = Image(width: 200, height: 60, fill: .white)
        let advance = try image.drawText("Hello", font: face, pixelSize: 30, at: Point(10, 40), color: .black)
        #expect(abs(advance - metrics.width) < 1.5)
        // Ink lies between the start and the measured end, and above the baseline.
        var minX = Int.max, maxX = 0, maxY = 0
        for y in 0..<60 { for x in 0..<200 where image[x, y].r < 128 { minX = min(minX, x); maxX = max(maxX, x); maxY = max(maxY, y) } }
        #expect(minX >= 10 && minX < 16)
        #expect(maxX <= 10 + Int(metrics.width.rounded(.up)))
        #expect(maxY < 40)
        #expect(try face.measure("AV", pixelSize: 30).width <= (try face.measure("A", pixelSize: 30).width + face.measure("V", pixelSize: 30).width))
    }

    @Test("rotation, scale and shear keep the ink and move it as asked")
    func transformedGlyph() throws {
        let face = try TestData.font()
        let glyph = try face.glyph(for: "H", pixelSize: 32)
        func render(_ transform: AffineMap) -> Image {
            var image = Image(width: 80, height: 80, fill: .white)
            image.draw(glyph, at: Point(30.25, 50.5), transform: transform, color: .black)
            return image
        }
        func ink(_ image: Image) -> Double { DrawingTests.ink(image) }
        let plain = ink(render(.identity))
        #expect(abs(ink(render(.rotation(.pi / 7))) - plain) / plain < 0.05)
        #expect(abs(ink(render(.shear(x: -0.3))) - plain) / plain < 0.05)
        #expect(abs(ink(render(.scale(1.5, 1.5))) / plain - 2.25) < 0.15)
        // A half-turn puts the ink below the baseline instead of above it.
        let turned = render(.rotation(.pi))
        var above = 0.0, below = 0.0
        for y in 0..<80 { for x in 0..<80 { let v = 255 - Double(turned[x, y].r); if y < 50 { above += v } else { below += v } } }
        #expect(below > above * 10)
        // A coloured glyph over a dark field keeps its colour at full coverage.
        var dark = Image(width: 80, height: 80, fill: RGBA(20, 20, 20))
        dark.draw(glyph, at: Point(20, 50), color: RGBA(240, 200, 0))
        #expect(dark.pixels.withUnsafeBufferPointer { p in stride(from: 0, to: p.count, by: 4).contains { p[$0] == 240 && p[$0 + 1] == 200 } })
    }
}
