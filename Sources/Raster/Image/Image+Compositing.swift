/// Fill, crop and alpha compositing ("source over", straight alpha).
extension Image {
    /// Blends `color` into the pixel at byte offset `i` with extra coverage
    /// `coverage` (0...255). The hot inner step of all drawing.
    @inline(__always)
    static func blend(_ p: UnsafeMutableBufferPointer<UInt8>, _ i: Int, _ color: RGBA, _ coverage: Int) {
        let sa = (Int(color.a) * coverage + 127) / 255
        if sa == 0 { return }
        let da = Int(p[i + 3])
        if sa == 255 || da == 0 {
            // Replaced outright: the source is opaque, or there was nothing below it.
            p[i] = color.r
            p[i + 1] = color.g
            p[i + 2] = color.b
            p[i + 3] = UInt8(sa)
            return
        }
        if da == 255 {
            let inv = 255 - sa
            p[i] = UInt8((Int(color.r) * sa + Int(p[i]) * inv + 127) / 255)
            p[i + 1] = UInt8((Int(color.g) * sa + Int(p[i + 1]) * inv + 127) / 255)
            p[i + 2] = UInt8((Int(color.b) * sa + Int(p[i + 2]) * inv + 127) / 255)
            return
        }
        // General case: out = src + dst * (1 - srcAlpha), in premultiplied terms.
        let dw = da * (255 - sa)  // destination weight, scaled by 255
        let outA255 = sa * 255 + dw
        p[i] = UInt8((Int(color.r) * sa * 255 + Int(p[i]) * dw + outA255 / 2) / outA255)
        p[i + 1] = UInt8((Int(color.g) * sa * 255 + Int(p[i + 1]) * dw + outA255 / 2) / outA255)
        p[i + 2] = UInt8((Int(color.b) * sa * 255 + Int(p[i + 2]) * dw + outA255 / 2) / outA255)
        p[i + 3] = UInt8((outA255 + 127) / 255)
    }

    /// Fills the whole image with one colour (no blending).
    public mutating func fill(_ color: RGBA) {
        self = Image(width: width, height: height, fill: color)
    }

    /// Blends `color` over every pixel of the rectangle, clipped to the image.
    public mutating func fill(_ rect: Rect, with color: RGBA) {
        let clipped = rect.intersection(Rect(x: 0, y: 0, width: width, height: height))
        guard !clipped.isEmpty else { return }
        let w = width
        pixels.withUnsafeMutableBufferPointer { p in
            for y in clipped.y..<clipped.maxY {
                for x in clipped.x..<clipped.maxX {
                    Image.blend(p, (y * w + x) * 4, color, 255)
                }
            }
        }
    }

    /// Blends one pixel with `coverage` in 0...255; outside the image it does nothing.
    public mutating func blend(x: Int, y: Int, color: RGBA, coverage: Int = 255) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = (y * width + x) * 4
        pixels.withUnsafeMutableBufferPointer { p in Image.blend(p, i, color, coverage) }
    }

    /// Paints `color` through a coverage mask whose top-left corner lands at (x, y).
    public mutating func fill(mask: GrayImage, at x: Int, _ y: Int, color: RGBA) {
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(width, x + mask.width), y1 = min(height, y + mask.height)
        guard x0 < x1, y0 < y1 else { return }
        let w = width
        pixels.withUnsafeMutableBufferPointer { p in
            mask.pixels.withUnsafeBufferPointer { m in
                for py in y0..<y1 {
                    let maskRow = (py - y) * mask.width - x
                    for px in x0..<x1 {
                        let coverage = Int(m[maskRow + px])
                        if coverage != 0 { Image.blend(p, (py * w + px) * 4, color, coverage) }
                    }
                }
            }
        }
    }

    /// Composites `source` over this image with its top-left corner at (x, y).
    public mutating func draw(_ source: Image, at x: Int, _ y: Int, opacity: Int = 255) {
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(width, x + source.width), y1 = min(height, y + source.height)
        guard x0 < x1, y0 < y1 else { return }
        let w = width
        pixels.withUnsafeMutableBufferPointer { p in
            source.pixels.withUnsafeBufferPointer { s in
                for py in y0..<y1 {
                    for px in x0..<x1 {
                        let si = ((py - y) * source.width + (px - x)) * 4
                        let color = RGBA(s[si], s[si + 1], s[si + 2], s[si + 3])
                        Image.blend(p, (py * w + px) * 4, color, opacity)
                    }
                }
            }
        }
    }

    /// The part of the image inside `rect`, clipped to the image.
    public func cropped(to rect: Rect) -> Image {
        let clipped = rect.intersection(Rect(x: 0, y: 0, width: width, height: height))
        var out = Image(width: clipped.width, height: clipped.height)
        guard !clipped.isEmpty else { return out }
        let rowBytes = clipped.width * 4
        out.pixels.withUnsafeMutableBufferPointer { o in
            pixels.withUnsafeBufferPointer { s in
                for row in 0..<clipped.height {
                    let from = ((clipped.y + row) * width + clipped.x) * 4
                    let to = row * rowBytes
                    for k in 0..<rowBytes { o[to + k] = s[from + k] }
                }
            }
        }
        return out
    }

    /// This image composited over an opaque background (for formats without alpha).
    public func flattened(on background: RGBA = .white) -> Image {
        if isOpaque { return self }
        var out = Image(width: width, height: height, fill: RGBA(background.r, background.g, background.b))
        out.draw(self, at: 0, 0)
        return out
    }
}
