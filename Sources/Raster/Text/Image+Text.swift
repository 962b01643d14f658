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
        let w = width
        pixels.withUnsafeMutableBufferPointer { p in
            bitmap.pixels.withUnsafeBufferPointer { m in
                for py in y0..<y1 {
                    for px in x0..<x1 {
                        let local = inverse.apply(Point(Double(px) + 0.5 - origin.x, Double(py) + 0.5 - origin.y))
                        let coverage = GrayImage.sampleBilinear(
                            m, width: bitmap.width, height: bitmap.height,
                            x: local.x - left, y: local.y - top)
                        if coverage > 0 { Image.blend(p, (py * w + px) * 4, color, coverage) }
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
