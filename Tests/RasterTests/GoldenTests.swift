import Foundation
import Raster
import Testing
import TestSupport

/// A small scene using every drawing feature, compared with a committed
/// reference render. Set UPARE_UPDATE_GOLDEN=1 to rewrite the reference after a
/// deliberate change, and look at it before committing.
@Suite("Golden renders")
struct GoldenTests {
    static func scene() throws -> Image {
        var random = TestRandom(seed: 2026)
        var image = Image(width: 160, height: 60, fill: RGBA(243, 238, 226))
        image.addNoise(amount: 6, using: &random)
        image.drawSineCurve(fromX: 0, toX: 160, baseline: 34, amplitude: 9, period: 70, phase: 0.7, width: 2.5, color: RGBA(40, 60, 140))
        image.drawCubicBezier(from: Point(4, 50), Point(50, -10), Point(110, 80), to: Point(156, 12), width: 1.5, color: RGBA(150, 30, 30))
        image.fillCircle(center: Point(140, 48), radius: 5, color: RGBA(30, 120, 60, 200))
        image.strokeCircle(center: Point(18, 14), radius: 7, width: 1.2, color: .black)
        let face = try TestData.font()
        var x = 22.0
        for (i, scalar) in "K7pW".unicodeScalars.enumerated() {
            let glyph = try face.glyph(for: scalar, pixelSize: 34)
            let turn = AffineMap.rotation(Double(i % 2 == 0 ? -0.25 : 0.2)).concatenating(.shear(x: -0.15))
            image.draw(glyph, at: Point(x, 45), transform: turn, color: RGBA(40, 60, 140))
            x += glyph.advance * 0.85
        }
        return image.sineWarped(axis: .vertical, amplitude: 2, period: 53, phase: 0.3, outside: RGBA(243, 238, 226))
    }

    @Test("the scene matches its reference render")
    func scene() throws {
        let image = try Self.scene()
        let name = "golden-scene.png"
        if ProcessInfo.processInfo.environment["UPARE_UPDATE_GOLDEN"] == "1" {
            let path = TestData.packageRoot.appendingPathComponent("Tests/RasterTests/Fixtures/\(name)").path
            try image.write(to: path)
            return
        }
        let reference = try PNG.decode(TestData.fixture(name))
        #expect(reference.width == image.width && reference.height == image.height)
        // Tiny float differences between machines are allowed; a changed scene is not.
        #expect(maxDifference(reference, image) <= 2)
        #expect(meanDifference(reference, image) < 0.05)
    }
}
