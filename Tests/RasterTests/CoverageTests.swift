import Raster
import Testing
import TestSupport

/// Coverage masks: the drawing primitives the captcha renderer uses.
@Suite("Coverage masks")
struct CoverageTests {
    static func total(_ mask: GrayImage) -> Double { mask.pixels.reduce(0.0) { $0 + Double($1) / 255 } }

    @Test("a graph stroke matches the general stroke on a gentle curve")
    func graphStroke() {
        let curve = Curves.sine(fromX: 5, toX: 155, baseline: 30, amplitude: 8, period: 90, phase: 0.4)
        var graph = GrayImage(width: 160, height: 60), general = graph
        graph.strokeGraph(curve, width: 3)
        general.stroke(curve, width: 3)
        #expect(abs(Self.total(graph) - Self.total(general)) / Self.total(general) < 0.04)
        var differing = 0
        for i in 0..<graph.pixels.count where abs(Int(graph.pixels[i]) - Int(general.pixels[i])) > 64 { differing += 1 }
        #expect(differing < 40)
        // Steep or backwards polylines fall back to the general stroke.
        var steep = GrayImage(width: 60, height: 60)
        steep.strokeGraph([Point(10, 5), Point(12, 55)], width: 2)
        #expect(Self.total(steep) > 90)
    }

    @Test("a graph stroke's coverage is its definition at every pixel: the tangent line of the segment over each column")
    func graphStrokeAgainstDefinition() {
        var random = TestRandom(seed: 29)
        for _ in 0..<150 {
            // A polyline with increasing x, gentle slopes, segments both shorter
            // and longer than a column, starting and ending off the canvas at times.
            var points = [Point(random.uniform(-6...10), random.uniform(5...25))]
            while points.count < 40, let last = points.last, last.x < 50 {
                let step = random.uniform(0.2...6)
                points.append(Point(last.x + step, last.y + random.uniform(-1.5...1.5) * step))
            }
            let lineWidth = random.uniform(0.4...5)
            var mask = GrayImage(width: 48, height: 30)
            mask.strokeGraph(points, width: lineWidth, intensity: 230)
            let halfWidth = max(lineWidth / 2, 0.5), scale = min(lineWidth, 1) * 230
            for px in 0..<48 {
                let cx = Double(px) + 0.5
                // The segment over this column: the first whose end is at or past it.
                let inside = cx >= points[0].x && cx <= points[points.count - 1].x
                let s = (0..<(points.count - 1)).first { points[$0 + 1].x >= cx } ?? (points.count - 2)
                let a = points[s], b = points[s + 1]
                let slope = (b.y - a.y) / (b.x - a.x)
                let cy = a.y + (cx - a.x) * slope
                let cosine = 1 / (1 + slope * slope).squareRoot()
                for py in 0..<30 {
                    var expected: UInt8 = 0
                    if inside {
                        let c = min(max(halfWidth + 0.5 - abs(Double(py) + 0.5 - cy) * cosine, 0), 1)
                        if c > 0 { expected = UInt8(c * scale + 0.5) }
                    }
                    #expect(mask[px, py] == expected, "width \(lineWidth) at (\(px), \(py)), \(points.count) points")
                }
            }
        }
    }

    @Test("a stroke's coverage is the capsule's at every pixel, whatever the segment's angle")
    func strokeAgainstDefinition() {
        var random = TestRandom(seed: 17)
        for _ in 0..<200 {
            let a = Point(random.uniform(-4...44), random.uniform(-4...34)), b = Point(random.uniform(-4...44), random.uniform(-4...34))
            let lineWidth = random.uniform(0.3...6)
            var mask = GrayImage(width: 40, height: 30)
            mask.stroke([a, b], width: lineWidth, intensity: 200)
            // The definition, pixel by pixel over the whole canvas.
            let halfWidth = max(lineWidth / 2, 0.5), scale = min(lineWidth, 1) * 200
            let dx = b.x - a.x, dy = b.y - a.y, lengthSquared = dx * dx + dy * dy
            for py in 0..<30 {
                for px in 0..<40 {
                    let cx = Double(px) + 0.5, cy = Double(py) + 0.5
                    let t = lengthSquared > 0 ? min(max(((cx - a.x) * dx + (cy - a.y) * dy) / lengthSquared, 0), 1) : 0
                    let ex = cx - (a.x + t * dx), ey = cy - (a.y + t * dy)
                    let c = min(max(halfWidth + 0.5 - (ex * ex + ey * ey).squareRoot(), 0), 1)
                    let expected = c > 0 ? UInt8(c * scale + 0.5) : 0
                    // One level of rounding apart at most (1 / length² against division).
                    #expect(abs(Int(mask[px, py]) - Int(expected)) <= 1, "a \(a) b \(b) width \(lineWidth) at (\(px), \(py))")
                }
            }
        }
    }

    @Test("strokes merge by maximum and respect intensity")
    func intensity() {
        var mask = GrayImage(width: 40, height: 20)
        mask.stroke([Point(2, 10), Point(38, 10)], width: 4, intensity: 100)
        mask.stroke([Point(20, 2), Point(20, 18)], width: 4, intensity: 100)
        #expect(mask.pixels.max() == 100)
    }

    @Test("glyphs drawn through a zero warp equal glyphs drawn without one")
    func zeroWarp() throws {
        let face = try TestData.font()
        let glyph = try face.glyph(for: "R", pixelSize: 30)
        let transform = AffineMap.rotation(0.3).concatenating(.shear(x: 0.2))
        var plain = GrayImage(width: 80, height: 60), warped = plain
        plain.draw(glyph, at: Point(20.3, 45.1), transform: transform)
        warped.draw(glyph, at: Point(20.3, 45.1), transform: transform, warp: .identity(width: 80, height: 60))
        #expect(plain == warped)
        #expect(Self.total(plain) > 80)
    }

    @Test("a warp moves glyph ink as the tables say")
    func warpMovesInk() throws {
        let face = try TestData.font()
        let glyph = try face.glyph(for: "I", pixelSize: 30)
        var straight = GrayImage(width: 80, height: 60), shifted = straight
        straight.draw(glyph, at: Point(30, 45), transform: .scale(1, 1.0001))
        // Every row samples 5 px to the right: the ink appears 5 px to the left.
        let warp = try SeparableWarp(rowShift: Array(repeating: 5, count: 60), columnShift: Array(repeating: 0, count: 80))
        shifted.draw(glyph, at: Point(30, 45), transform: .scale(1, 1.0001), warp: warp)
        func centreX(_ mask: GrayImage) -> Double {
            var sum = 0.0, weight = 0.0
            for (i, v) in mask.pixels.enumerated() { sum += Double(i % mask.width) * Double(v); weight += Double(v) }
            return sum / weight
        }
        #expect(abs(centreX(straight) - centreX(shifted) - 5) < 0.2)
        let forward = warp.forward(Point(40, 30))
        #expect(abs(forward.x - 35) < 1e-9 && forward.y == 30)
        #expect(throws: RasterError.self) { try SeparableWarp(rowShift: [.infinity], columnShift: []) }
    }

    @Test("displacing a mask by whole pixels moves it exactly")
    func displaced() throws {
        var mask = GrayImage(width: 30, height: 20)
        mask.stroke([Point(5, 10), Point(25, 10)], width: 3)
        let moved = try mask.displaced(rowShift: Array(repeating: 2, count: 20), columnShift: Array(repeating: -1, count: 30))
        for y in 1..<20 { for x in 0..<28 { #expect(moved[x, y] == mask[x + 2, y - 1]) } }
        #expect(throws: RasterError.self) { try mask.displaced(rowShift: [1], columnShift: []) }
    }

    @Test("a coverage ramp becomes a palette image of the asked levels")
    func ramp() throws {
        var mask = GrayImage(width: 256, height: 1)
        for x in 0..<256 { mask[x, 0] = UInt8(x) }
        let image = try IndexedImage(coverage: mask, background: .white, ink: RGBA(0, 0, 128), levels: 16)
        #expect(image.palette.count == 16)
        #expect(image.palette.first == .white && image.palette.last == RGBA(0, 0, 128))
        #expect(image.indices.first == 0 && image.indices.last == 15)
        #expect(zip(image.indices, image.indices.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(throws: RasterError.self) { try IndexedImage(coverage: mask, background: .white, ink: .black, levels: 1) }
    }

    @Test("the libdeflate PNG writer is exact in every layout", arguments: [2, 4, 16, 200])
    func fastPNG(_ colors: Int) throws {
        var random = TestRandom(seed: UInt64(colors))
        let palette = (0..<colors).map { i in RGBA(UInt8(i), UInt8(255 - i), 7, i == 1 ? 0 : 255) }
        for width in [1, 7, 160] {
            let indices = (0..<(width * 5)).map { _ in UInt8(random.next() % UInt64(colors)) }
            let image = try IndexedImage(width: width, height: 5, palette: palette, indices: indices)
            let bytes = try PNG.encode(image, options: .fast)
            #expect(try PNG.decode(bytes) == image.rgba())
        }
        let rgba = makeTestImage(width: 33, height: 9, alpha: true)
        #expect(try PNG.decode(PNG.encode(rgba, options: .fast)) == rgba)
        let rgb = makeTestImage(width: 33, height: 9)
        #expect(try PNG.decode(PNG.encode(rgb, options: .fast)) == rgb)
        let gray = rgb.grayscale()
        #expect(try PNG.decode(PNG.encode(gray, options: .fast)) == gray.rgba())
        #expect(try PNG.decode(PNG.encode(gray.rgba(), options: .fast)) == gray.rgba())
        var filtered = PNG.EncodeOptions.fast
        filtered.filter = .paeth
        #expect(throws: RasterError.self) { try PNG.encode(rgb, options: filtered) }
    }
}
