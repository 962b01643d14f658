import Foundation
import Raster
import Testing
import TestSupport

/// Drawing primitives checked by pixel statistics: coverage area, symmetry,
/// position, anti-aliasing.
@Suite("Drawing")
struct DrawingTests {
    /// Total ink, in pixels: sum of (255 - red) / 255 over a white canvas drawn in black.
    static func ink(_ image: Image) -> Double {
        var total = 0.0
        for i in stride(from: 0, to: image.pixels.count, by: 4) { total += Double(255 - image.pixels[i]) / 255 }
        return total
    }

    static func blank(_ w: Int = 100, _ h: Int = 60) -> Image { Image(width: w, height: h, fill: .white) }

    @Test("a thick line covers length x width, with round caps")
    func lineArea() {
        for width in [1.0, 3.0, 6.5] {
            var image = Self.blank()
            image.drawLine(from: Point(20, 30), to: Point(80, 30), width: width, color: .black)
            let expected = 60 * width + Double.pi * width * width / 4
            #expect(abs(Self.ink(image) - expected) / expected < 0.06, "width \(width): ink \(Self.ink(image)) vs \(expected)")
        }
    }

    @Test("diagonal lines are anti-aliased and their area is rotation-invariant")
    func diagonal() {
        var flat = Self.blank(), diagonal = Self.blank()
        flat.drawLine(from: Point(10, 30), to: Point(60, 30), width: 3, color: .black)
        let angle = 0.3  // not 45°, where pixel centres sit at few distinct distances
        diagonal.drawLine(from: Point(20, 10), to: Point(20 + 50 * cos(angle), 10 + 50 * sin(angle)), width: 3, color: .black)
        #expect(abs(Self.ink(flat) - Self.ink(diagonal)) / Self.ink(flat) < 0.03)
        let greys = Set(stride(from: 0, to: diagonal.pixels.count, by: 4).map { diagonal.pixels[$0] })
        #expect(greys.count > 10, "an anti-aliased edge has intermediate values")
    }

    @Test("a polyline's joins do not darken: one colour throughout")
    func joins() {
        var image = Self.blank()
        image.stroke([Point(10, 10), Point(50, 50), Point(90, 10)], width: 5, color: RGBA(0, 0, 0, 128))
        // Semi-transparent ink: a doubly painted join would be darker than 127.
        let darkest = stride(from: 0, to: image.pixels.count, by: 4).map { image.pixels[$0] }.min()
        #expect(darkest == 127)
    }

    @Test("a disc has area πr² and is centred")
    func disc() {
        var image = Self.blank()
        image.fillCircle(center: Point(50, 30), radius: 12, color: .black)
        #expect(abs(Self.ink(image) - Double.pi * 144) < 3)
        #expect(image[49, 29] == .black)
        #expect(image[50 - 14, 30] == .white)
        // Mirror symmetry about the centre.
        for dy in 0..<14 { #expect(image[40, 30 - dy - 1] == image[40, 30 + dy]) }
        var ring = Self.blank()
        ring.strokeCircle(center: Point(50, 30), radius: 12, width: 2, color: .black)
        #expect(abs(Self.ink(ring) - 2 * Double.pi * 12 * 2) < 6)
        #expect(ring[50, 30] == .white)
    }

    @Test("Bézier curves start and end at their end points")
    func bezier() {
        let quad = Curves.quadratic(Point(0, 0), Point(50, 100), Point(100, 0))
        #expect(quad.first == Point(0, 0) && quad.last == Point(100, 0))
        // The apex of a symmetric quadratic is half-way to the control point.
        #expect(abs((quad.map(\.y).max() ?? 0) - 50) < 0.5)
        let cubic = Curves.cubic(Point(0, 0), Point(0, 60), Point(100, 60), Point(100, 0))
        #expect(cubic.last == Point(100, 0))
        #expect(abs((cubic.map(\.y).max() ?? 0) - 45) < 0.5)
        var image = Self.blank()
        image.drawCubicBezier(from: Point(5, 55), Point(30, -20), Point(70, 80), to: Point(95, 5), width: 2, color: .black)
        #expect(Self.ink(image) > 150)
    }

    @Test("a sine curve follows its formula")
    func sine() {
        let points = Curves.sine(fromX: 0, toX: 100, baseline: 30, amplitude: 10, period: 50, phase: 0)
        for p in points { #expect(abs(p.y - (30 + 10 * sin(2 * .pi * p.x / 50))) < 1e-9) }
        var image = Self.blank()
        image.drawSineCurve(fromX: 0, toX: 100, baseline: 30, amplitude: 10, period: 50, width: 2, color: .black)
        #expect(image[13, 40] != .white)  // near the first trough... y = 30 + 10 sin(2π 12.5/50) = 40
        #expect(image[13, 20] == .white)
    }

    @Test("rectangles, alpha blending and crop")
    func rectangles() throws {
        var image = Self.blank(10, 10)
        image.fill(Rect(x: -5, y: 2, width: 8, height: 3), with: RGBA(255, 0, 0, 128))
        #expect(image[0, 2] == RGBA(255, 127, 127))
        #expect(image[3, 2] == .white)
        let crop = image.cropped(to: Rect(x: 1, y: 1, width: 4, height: 4))
        #expect(crop.width == 4 && crop[0, 1] == RGBA(255, 127, 127))
        #expect(image.cropped(to: Rect(x: 20, y: 20, width: 5, height: 5)).width == 0)
        // Over a transparent canvas the colour is kept and alpha is the source's.
        var clear = Image(width: 2, height: 2)
        clear.blend(x: 0, y: 0, color: RGBA(10, 20, 30, 100))
        #expect(clear[0, 0] == RGBA(10, 20, 30, 100))
        clear.blend(x: 0, y: 0, color: RGBA(10, 20, 30, 100))
        #expect(clear[0, 0].a == 161)  // 100 + 100 * (155/255)
    }

    @Test("noise is reproducible with a seed and bounded")
    func noise() {
        var a = Image(width: 40, height: 40, fill: RGBA(128, 128, 128))
        var b = a
        var r1 = TestRandom(seed: 9), r2 = TestRandom(seed: 9)
        a.addNoise(amount: 20, using: &r1)
        b.addNoise(amount: 20, using: &r2)
        #expect(a == b)
        let values = stride(from: 0, to: a.pixels.count, by: 4).map { Int(a.pixels[$0]) }
        #expect(values.min()! >= 108 && values.max()! <= 148)
        #expect(Set(values).count > 30)
        var dots = Image(width: 40, height: 40, fill: .white)
        dots.scatter(count: 100, colors: [.black], using: &r1)
        #expect(Self.ink(dots) > 80 && Self.ink(dots) <= 100)
    }
}
