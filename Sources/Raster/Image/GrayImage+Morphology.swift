/// Grey-scale morphology on coverage masks: the 3x3 maximum (dilation) and
/// minimum (erosion), computed separably (a row pass, then a column pass), with
/// everything outside the mask taken as empty. The captcha renderer uses them
/// for outlined glyphs and for the halo that keeps glyphs readable over texture.
extension GrayImage {
    /// Each pixel replaced by the largest value in its 3x3 neighbourhood,
    /// `radius` times over (a square of side 2 x radius + 1).
    public func dilated(radius: Int = 1) -> GrayImage {
        square(radius: radius, dilating: true)
    }

    /// Each pixel replaced by the smallest value in its 3x3 neighbourhood
    /// (pixels on the border see the empty outside, so they erode to 0).
    public func eroded(radius: Int = 1) -> GrayImage {
        square(radius: radius, dilating: false)
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

    /// The max (or min) over the square of side 2r + 1 around each pixel, the
    /// outside counting as 0: the same as r passes of the 3x3 square, in one
    /// horizontal and one vertical pass. Each pass is whole rows combined with
    /// shifted copies of themselves, loops the compiler vectorises; the texture
    /// halo of every captcha goes through here.
    private func square(radius: Int, dilating: Bool) -> GrayImage {
        let w = width, h = height, r = max(0, radius)
        guard w > 0, h > 0, r > 0 else { return self }
        var across = [UInt8](repeating: 0, count: w * h)
        var out = GrayImage(width: w, height: h)
        pixels.withUnsafeBufferPointer { source in
            across.withUnsafeMutableBufferPointer { a in
                guard let s = source.baseAddress, let t = a.baseAddress else { return }
                for y in 0..<h {
                    let row = y * w
                    (t + row).update(from: s + row, count: w)
                    if w > 1 {
                        for d in 1...min(r, w - 1) {
                            Self.combine(t + row + d, s + row, count: w - d, dilating: dilating)
                            Self.combine(t + row, s + row + d, count: w - d, dilating: dilating)
                        }
                    }
                    // Eroding, a pixel within r of the left or right edge sees the empty outside.
                    if !dilating {
                        for x in 0..<min(r, w) {
                            a[row + x] = 0
                            a[row + w - 1 - x] = 0
                        }
                    }
                }
            }
        }
        across.withUnsafeBufferPointer { a in
            out.pixels.withUnsafeMutableBufferPointer { o in
                guard let s = a.baseAddress, let t = o.baseAddress else { return }
                for y in 0..<h {
                    let row = t + y * w
                    if !dilating, y < r || y >= h - r {
                        row.update(repeating: 0, count: w)
                        continue
                    }
                    row.update(from: s + y * w, count: w)
                    for other in max(0, y - r)...min(h - 1, y + r) where other != y {
                        Self.combine(row, s + other * w, count: w, dilating: dilating)
                    }
                }
            }
        }
        return out
    }

    /// target[i] = max (or min) of target[i] and source[i], for i < count.
    @inline(__always)
    private static func combine(_ target: UnsafeMutablePointer<UInt8>, _ source: UnsafePointer<UInt8>, count: Int, dilating: Bool) {
        if dilating {
            for i in 0..<count { target[i] = max(target[i], source[i]) }
        } else {
            for i in 0..<count { target[i] = min(target[i], source[i]) }
        }
    }
}
