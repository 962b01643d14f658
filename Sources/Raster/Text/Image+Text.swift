/// Drawing glyphs and strings.
extension Glyph {
    /// Calls `body(pixelIndex, coverage)` for every pixel of a `width` x `height`
    /// canvas that the glyph covers when its pen position is at `origin` and
    /// `transform` is applied about it. Transformed glyphs are resampled
    /// bilinearly from the cached bitmap.
    @inline(__always)
    func forEachCoverage(
        at origin: Point, transform: AffineMap, width: Int, height: Int,
        _ body: (_ pixelIndex: Int, _ coverage: Int) -> Void
    ) {
        let bw = bitmap.width, bh = bitmap.height
        guard bw > 0, bh > 0, let inverse = transform.inverted else { return }
        // Bounding box of the transformed bitmap corners.
        let left = Double(self.left), top = Double(-self.top)
        let corners = [
            Point(left, top), Point(left + Double(bw), top),
            Point(left, top + Double(bh)), Point(left + Double(bw), top + Double(bh)),
        ].map { transform.apply($0) }
        let xs = corners.map(\.x), ys = corners.map(\.y)
        guard let minX = xs.min(), let maxX = xs.max(), let minY = ys.min(), let maxY = ys.max(),
              (minX + origin.x).isFinite, (maxX + origin.x).isFinite,
              (minY + origin.y).isFinite, (maxY + origin.y).isFinite
        else { return }
        let x0 = max(0, Int(max(-1e9, minX + origin.x).rounded(.down)) - 1)
        let x1 = min(width, Int(min(1e9, maxX + origin.x).rounded(.up)) + 1)
        let y0 = max(0, Int(max(-1e9, minY + origin.y).rounded(.down)) - 1)
        let y1 = min(height, Int(min(1e9, maxY + origin.y).rounded(.up)) + 1)
        guard x0 < x1, y0 < y1 else { return }
        // Walk each output row in 16.16 fixed point: one add per pixel per axis.
        // (fx, fy) is the sample position in bitmap pixels, pixel-centre based.
        let one = 65536.0
        let stepX = Int((inverse.a * one).rounded()), stepY = Int((inverse.b * one).rounded())
        let pw = bw + 2
        padded.withUnsafeBufferPointer { m in
            for py in y0..<y1 {
                let start = inverse.apply(Point(Double(x0) + 0.5 - origin.x, Double(py) + 0.5 - origin.y))
                var fx = Int(((start.x - left - 0.5) * one).rounded())
                var fy = Int(((start.y - top - 0.5) * one).rounded())
                var index = py * width + x0
                for _ in x0..<x1 {
                    let sx = fx >> 16, sy = fy >> 16  // floor, also for negatives
                    if sx >= -1, sy >= -1, sx < bw, sy < bh {
                        let wx = (fx >> 8) & 0xFF, wy = (fy >> 8) & 0xFF
                        let i = (sy + 1) * pw + sx + 1
                        let upper = Int(m[i]) * (256 - wx) + Int(m[i + 1]) * wx
                        let lower = Int(m[i + pw]) * (256 - wx) + Int(m[i + pw + 1]) * wx
                        let coverage = (upper * (256 - wy) + lower * wy + 32768) >> 16
                        if coverage > 0 { body(index, coverage) }
                    }
                    fx += stepX
                    fy += stepY
                    index += 1
                }
            }
        }
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
    /// pen position at `origin`, `transform` applied about it; `intensity` scales
    /// the glyph's full coverage.
    public mutating func draw(
        _ glyph: Glyph, at origin: Point, transform: AffineMap = .identity, intensity: UInt8 = 255
    ) {
        let w = width, h = height
        let scale = Int(intensity)
        pixels.withUnsafeMutableBufferPointer { m in
            glyph.forEachCoverage(at: origin, transform: transform, width: w, height: h) { index, coverage in
                let value = UInt8((coverage * scale + 127) / 255)
                if value > m[index] { m[index] = value }
            }
        }
    }
}
