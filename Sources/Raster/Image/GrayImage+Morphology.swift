/// Grey-scale morphology on coverage masks: the 3x3 maximum (dilation) and
/// minimum (erosion), computed separably (a row pass, then a column pass), with
/// everything outside the mask taken as empty. The captcha renderer uses them
/// for outlined glyphs and for the halo that keeps glyphs readable over texture.
extension GrayImage {
    /// Each pixel replaced by the largest value in its 3x3 neighbourhood,
    /// `radius` times over (a square of side 2 x radius + 1).
    public func dilated(radius: Int = 1) -> GrayImage {
        var result = self
        for _ in 0..<max(0, radius) { result = result.neighbourhood(dilating: true) }
        return result
    }

    /// Each pixel replaced by the smallest value in its 3x3 neighbourhood
    /// (pixels on the border see the empty outside, so they erode to 0).
    public func eroded(radius: Int = 1) -> GrayImage {
        var result = self
        for _ in 0..<max(0, radius) { result = result.neighbourhood(dilating: false) }
        return result
    }

    /// The morphological gradient, dilation minus erosion: a ring about two
    /// pixels wide along every edge (one outside, one inside), which draws a
    /// solid stroke as an outlined one.
    public func gradient() -> GrayImage {
        let outer = dilated(), inner = eroded()
        var result = outer
        for i in result.pixels.indices {
            result.pixels[i] = outer.pixels[i] &- min(outer.pixels[i], inner.pixels[i])
        }
        return result
    }

    private func neighbourhood(dilating: Bool) -> GrayImage {
        @inline(__always) func pick(_ a: UInt8, _ b: UInt8) -> UInt8 { dilating ? max(a, b) : min(a, b) }
        let w = width, h = height
        guard w > 0, h > 0 else { return self }
        var rows = [UInt8](repeating: 0, count: w * h)
        var out = GrayImage(width: w, height: h)
        pixels.withUnsafeBufferPointer { source in
            rows.withUnsafeMutableBufferPointer { r in
                for y in 0..<h {
                    let base = y * w
                    for x in 0..<w {
                        let left = x > 0 ? source[base + x - 1] : 0
                        let right = x + 1 < w ? source[base + x + 1] : 0
                        r[base + x] = pick(pick(left, source[base + x]), right)
                    }
                }
            }
        }
        rows.withUnsafeBufferPointer { r in
            out.pixels.withUnsafeMutableBufferPointer { o in
                for y in 0..<h {
                    let base = y * w
                    for x in 0..<w {
                        let up = y > 0 ? r[base - w + x] : 0
                        let down = y + 1 < h ? r[base + w + x] : 0
                        o[base + x] = pick(pick(up, r[base + x]), down)
                    }
                }
            }
        }
        return out
    }
}
