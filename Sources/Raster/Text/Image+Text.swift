/// Drawing glyphs and strings.
extension Image {
    /// Draws `glyph` with its pen position at `origin` (on the baseline).
    /// `transform` (rotation, scale, shear...) is applied about the pen position;
    /// transformed glyphs are resampled bilinearly from the cached bitmap.
    public mutating func draw(
        _ glyph: Glyph, at origin: Point, transform: AffineMap = .identity, color: RGBA
    ) {
        let bitmap = glyph.bitmap
        guard bitmap.width > 0, bitmap.height > 0 else { return }
        if transform == .identity, origin.x == origin.x.rounded(), origin.y == origin.y.rounded() {
            fill(mask: bitmap, at: Int(origin.x) + glyph.left, Int(origin.y) - glyph.top, color: color)
            return
        }
        guard let inverse = transform.inverted else { return }
        // Bounding box of the transformed bitmap corners.
        let left = Double(glyph.left), top = Double(-glyph.top)
        let corners = [
            Point(left, top), Point(left + Double(bitmap.width), top),
            Point(left, top + Double(bitmap.height)),
            Point(left + Double(bitmap.width), top + Double(bitmap.height)),
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
        let bw = bitmap.width, bh = bitmap.height, pw = bw + 2
        let w = width
        pixels.withUnsafeMutableBufferPointer { p in
            glyph.padded.withUnsafeBufferPointer { m in
                for py in y0..<y1 {
                    let start = inverse.apply(Point(Double(x0) + 0.5 - origin.x, Double(py) + 0.5 - origin.y))
                    var fx = Int(((start.x - left - 0.5) * one).rounded())
                    var fy = Int(((start.y - top - 0.5) * one).rounded())
                    var o = (py * w + x0) * 4
                    for _ in x0..<x1 {
                        let sx = fx >> 16, sy = fy >> 16  // floor, also for negatives
                        if sx >= -1, sy >= -1, sx < bw, sy < bh {
                            let wx = (fx >> 8) & 0xFF, wy = (fy >> 8) & 0xFF
                            let i = (sy + 1) * pw + sx + 1
                            let upper = Int(m[i]) * (256 - wx) + Int(m[i + 1]) * wx
                            let lower = Int(m[i + pw]) * (256 - wx) + Int(m[i + pw + 1]) * wx
                            let coverage = (upper * (256 - wy) + lower * wy + 32768) >> 16
                            if coverage > 0 { Image.blend(p, o, color, coverage) }
                        }
                        fx += stepX
                        fy += stepY
                        o += 4
                    }
                }
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
