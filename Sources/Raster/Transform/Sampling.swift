/// Bilinear sampling, shared by the warps and by transformed glyph drawing.
extension Image {
    /// The colour at continuous position (x, y) in pixel-centre coordinates
    /// (pixel i's centre is i + 0.5), interpolated in premultiplied alpha so that
    /// transparent neighbours do not bleed their colour. Outside: transparent.
    @inline(__always)
    static func sampleBilinear(
        _ s: UnsafeBufferPointer<UInt8>, width: Int, height: Int, x: Double, y: Double
    ) -> RGBA {
        let fx = x - 0.5, fy = y - 0.5
        guard fx > -1, fy > -1, fx < Double(width), fy < Double(height) else { return .transparent }
        let x0 = Int(fx.rounded(.down)), y0 = Int(fy.rounded(.down))
        let wx = Int((fx - Double(x0)) * 256), wy = Int((fy - Double(y0)) * 256)
        var r = 0, g = 0, b = 0, a = 0
        @inline(__always) func add(_ px: Int, _ py: Int, _ weight: Int) {
            guard weight > 0, px >= 0, py >= 0, px < width, py < height else { return }
            let i = (py * width + px) * 4
            let wa = Int(s[i + 3]) * weight
            r += Int(s[i]) * wa; g += Int(s[i + 1]) * wa; b += Int(s[i + 2]) * wa; a += wa
        }
        add(x0, y0, (256 - wx) * (256 - wy))
        add(x0 + 1, y0, wx * (256 - wy))
        add(x0, y0 + 1, (256 - wx) * wy)
        add(x0 + 1, y0 + 1, wx * wy)
        guard a > 0 else { return .transparent }
        let half = a / 2
        return RGBA(
            UInt8((r + half) / a), UInt8((g + half) / a), UInt8((b + half) / a),
            UInt8((a + 32768) >> 16))
    }

    /// The colour at continuous position (x, y); see `sampleBilinear`.
    public func sample(x: Double, y: Double) -> RGBA {
        pixels.withUnsafeBufferPointer { Image.sampleBilinear($0, width: width, height: height, x: x, y: y) }
    }
}

extension GrayImage {
    /// Coverage at continuous position (x, y), 0 outside.
    @inline(__always)
    static func sampleBilinear(
        _ s: UnsafeBufferPointer<UInt8>, width: Int, height: Int, x: Double, y: Double
    ) -> Int {
        let fx = x - 0.5, fy = y - 0.5
        guard fx > -1, fy > -1, fx < Double(width), fy < Double(height) else { return 0 }
        let x0 = Int(fx.rounded(.down)), y0 = Int(fy.rounded(.down))
        let wx = Int((fx - Double(x0)) * 256), wy = Int((fy - Double(y0)) * 256)
        @inline(__always) func at(_ px: Int, _ py: Int) -> Int {
            px >= 0 && py >= 0 && px < width && py < height ? Int(s[py * width + px]) : 0
        }
        let top = at(x0, y0) * (256 - wx) + at(x0 + 1, y0) * wx
        let bottom = at(x0, y0 + 1) * (256 - wx) + at(x0 + 1, y0 + 1) * wx
        return (top * (256 - wy) + bottom * wy + 32768) >> 16
    }
}
