/// Drawing glyphs and strings.
extension Glyph {
    /// Calls `body(pixelIndex, coverage)` for every pixel of a `width` x `height`
    /// canvas that the glyph covers when its pen position is at `origin` and
    /// `transform` is applied about it. Transformed glyphs are resampled
    /// bilinearly from the cached bitmap.
    @inline(__always)
    func forEachCoverage(
        at origin: Point, transform: AffineMap, warp: SeparableWarp? = nil, width: Int, height: Int,
        _ body: (_ pixelIndex: Int, _ coverage: Int) -> Void
    ) {
        let bw = bitmap.width, bh = bitmap.height
        guard bw > 0, bh > 0, let inverse = transform.inverted else { return }
        // Bounding box of the transformed bitmap corners, widened by the warp's reach.
        let left = Double(self.left), top = Double(-self.top)
        let corners = [
            Point(left, top), Point(left + Double(bw), top),
            Point(left, top + Double(bh)), Point(left + Double(bw), top + Double(bh)),
        ].map { transform.apply($0) }
        let xs = corners.map(\.x), ys = corners.map(\.y)
        let reach: (x: Double, y: Double) = warp?.reach ?? (0, 0)
        guard let minX = xs.min(), let maxX = xs.max(), let minY = ys.min(), let maxY = ys.max(),
              (minX + origin.x).isFinite, (maxX + origin.x).isFinite,
              (minY + origin.y).isFinite, (maxY + origin.y).isFinite
        else { return }
        let x0 = max(0, Int(max(-1e9, minX + origin.x - reach.x).rounded(.down)) - 1)
        let x1 = min(width, Int(min(1e9, maxX + origin.x + reach.x).rounded(.up)) + 1)
        let y0 = max(0, Int(max(-1e9, minY + origin.y - reach.y).rounded(.down)) - 1)
        let y1 = min(height, Int(min(1e9, maxY + origin.y + reach.y).rounded(.up)) + 1)
        guard x0 < x1, y0 < y1 else { return }
        // Walk each output row in 16.16 fixed point: one add per pixel per axis,
        // plus the warp's column term from a table. (fx, fy) is the sample
        // position in bitmap pixels, pixel-centre based.
        let one = 65536.0
        let stepX = Int((inverse.a * one).rounded()), stepY = Int((inverse.b * one).rounded())
        let count = x1 - x0
        // A column shift dy moves the source point by (c, d) * dy in glyph space.
        let columnX = (0..<count).map { k in Int((inverse.c * (warp?.column(x0 + k) ?? 0) * one).rounded()) }
        let columnY = (0..<count).map { k in Int((inverse.d * (warp?.column(x0 + k) ?? 0) * one).rounded()) }
        let spreadX = (columnX.min() ?? 0, columnX.max() ?? 0), spreadY = (columnY.min() ?? 0, columnY.max() ?? 0)
        let pw = bw + 2
        padded.withUnsafeBufferPointer { m in
            columnX.withUnsafeBufferPointer { cx in
                columnY.withUnsafeBufferPointer { cy in
                    for py in y0..<y1 {
                        let shift = warp?.row(py) ?? 0
                        let start = inverse.apply(Point(Double(x0) + 0.5 + shift - origin.x, Double(py) + 0.5 - origin.y))
                        let fx0 = Int(((start.x - left - 0.5) * one).rounded())
                        let fy0 = Int(((start.y - top - 0.5) * one).rounded())
                        // Only the steps k where both sample coordinates can be inside
                        // the padded bitmap, from the two linear constraints.
                        let (kx0, kx1) = Self.steps(
                            start: fx0, step: stepX, low: -65536 - spreadX.1, high: (bw << 16) - spreadX.0, count: count)
                        let (ky0, ky1) = Self.steps(
                            start: fy0, step: stepY, low: -65536 - spreadY.1, high: (bh << 16) - spreadY.0, count: count)
                        let first = max(kx0, ky0), last = min(kx1, ky1)
                        guard first < last else { continue }
                        var fx = fx0 &+ first &* stepX
                        var fy = fy0 &+ first &* stepY
                        var index = py * width + x0 + first
                        for k in first..<last {
                            let sampleX = fx &+ cx[k], sampleY = fy &+ cy[k]
                            let sx = sampleX >> 16, sy = sampleY >> 16  // floor, also for negatives
                            if sx >= -1, sy >= -1, sx < bw, sy < bh {
                                let wx = (sampleX >> 8) & 0xFF, wy = (sampleY >> 8) & 0xFF
                                let i = (sy &+ 1) &* pw &+ sx &+ 1
                                let upper = Int(m[i]) &* (256 &- wx) &+ Int(m[i &+ 1]) &* wx
                                let lower = Int(m[i &+ pw]) &* (256 &- wx) &+ Int(m[i &+ pw &+ 1]) &* wx
                                let coverage = (upper &* (256 &- wy) &+ lower &* wy &+ 32768) >> 16
                                if coverage > 0 { body(index, coverage) }
                            }
                            fx &+= stepX
                            fy &+= stepY
                            index &+= 1
                        }
                    }
                }
            }
        }
    }
}

extension Glyph {
    /// The range of k in 0..<count for which low <= start + k * step < high,
    /// widened by one step on each side to absorb rounding (the loop still checks).
    @inline(__always)
    static func steps(start: Int, step: Int, low: Int, high: Int, count: Int) -> (Int, Int) {
        if step == 0 { return start >= low && start < high ? (0, count) : (0, 0) }
        var a = Double(low - start) / Double(step), b = Double(high - start) / Double(step)
        if a > b { swap(&a, &b) }
        let first = max(0, Int(a.rounded(.down)) - 1)
        let last = min(count, Int(b.rounded(.up)) + 1)
        return (first, max(first, last))
    }
}

extension Image {
    /// Draws `glyph` with its pen position at `origin` (on the baseline).
    /// `transform` (rotation, scale, shear...) is applied about the pen position.
    public mutating func draw(
        _ glyph: Glyph, at origin: Point, transform: AffineMap = .identity, color: RGBA
    ) {
        if transform == .identity, origin.x == origin.x.rounded(), origin.y == origin.y.rounded(),
           abs(origin.x) < 1e9, abs(origin.y) < 1e9
        {
            fill(mask: glyph.bitmap, at: Int(origin.x) + glyph.left, Int(origin.y) - glyph.top, color: color)
            return
        }
        let w = width, h = height
        pixels.withUnsafeMutableBufferPointer { p in
            glyph.forEachCoverage(at: origin, transform: transform, width: w, height: h) { index, coverage in
                Image.blend(p, index * 4, color, coverage)
            }
        }
    }

    /// Draws a line of text with its baseline starting at `origin`, with kerning.
    /// Returns the advance width drawn.
    @discardableResult
    public mutating func drawText(
        _ text: String, font: FontFace, pixelSize: Int, at origin: Point, color: RGBA
    ) throws(RasterError) -> Double {
        var pen = origin.x
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            if let previous { pen += try font.kerning(previous, scalar, pixelSize: pixelSize) }
            let glyph = try font.glyph(for: scalar, pixelSize: pixelSize)
            draw(glyph, at: Point(pen.rounded(), origin.y.rounded()), color: color)
            pen += glyph.advance
            previous = scalar
        }
        return pen - origin.x
    }
}

extension GrayImage {
    /// Merges the coverage of `glyph` into this mask (keeping the larger value),
    /// pen position at `origin`, `transform` applied about it, then seen through
    /// `warp`; `intensity` scales the glyph's full coverage.
    public mutating func draw(
        _ glyph: Glyph, at origin: Point, transform: AffineMap = .identity, warp: SeparableWarp? = nil,
        intensity: UInt8 = 255
    ) {
        let w = width, h = height
        let scale = Int(intensity)
        if transform == .identity, warp == nil, origin.x == origin.x.rounded(), origin.y == origin.y.rounded(),
           abs(origin.x) < 1e9, abs(origin.y) < 1e9
        {
            // Upright at a whole pixel: merge the bitmap row by row.
            let bitmap = glyph.bitmap
            let left = Int(origin.x) + glyph.left, top = Int(origin.y) - glyph.top
            let x0 = max(0, left), x1 = min(w, left + bitmap.width)
            let y0 = max(0, top), y1 = min(h, top + bitmap.height)
            guard x0 < x1, y0 < y1 else { return }
            pixels.withUnsafeMutableBufferPointer { m in
                bitmap.pixels.withUnsafeBufferPointer { g in
                    for y in y0..<y1 {
                        for x in x0..<x1 {
                            let value = UInt8((Int(g[(y - top) * bitmap.width + x - left]) * scale + 127) / 255)
                            if value > m[y * w + x] { m[y * w + x] = value }
                        }
                    }
                }
            }
            return
        }
        pixels.withUnsafeMutableBufferPointer { m in
            glyph.forEachCoverage(at: origin, transform: transform, warp: warp, width: w, height: h) { index, coverage in
                let value = UInt8((coverage * scale + 127) / 255)
                if value > m[index] { m[index] = value }
            }
        }
    }
}
