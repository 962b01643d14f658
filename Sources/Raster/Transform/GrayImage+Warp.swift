/// Warps of coverage masks, the cheap form the captcha renderer works in.
extension GrayImage {
    /// A separable displacement: output (x, y) samples the source at
    /// (x + rowShift[y], y + columnShift[x]), bilinearly. Two one-dimensional
    /// tables make a smooth two-way warp for the price of a table look-up.
    public func displaced(rowShift: [Double], columnShift: [Double]) throws(RasterError) -> GrayImage {
        guard rowShift.count == height, columnShift.count == width else {
            throw .invalidArgument("shift tables must have one entry per row and per column")
        }
        guard rowShift.allSatisfy({ abs($0) < 1e6 }), columnShift.allSatisfy({ abs($0) < 1e6 }) else {
            throw .invalidArgument("shifts must be finite and smaller than a million pixels")
        }
        var out = GrayImage(width: width, height: height)
        let w = width, h = height
        // 8-bit fractions: enough for coverage, and all integer arithmetic.
        let rows = rowShift.map { Int(($0 * 256).rounded()) }
        let columns = columnShift.map { Int(($0 * 256).rounded()) }
        pixels.withUnsafeBufferPointer { s in
            out.pixels.withUnsafeMutableBufferPointer { o in
                @inline(__always) func at(_ x: Int, _ y: Int) -> Int {
                    x >= 0 && y >= 0 && x < w && y < h ? Int(s[y * w + x]) : 0
                }
                for y in 0..<h {
                    let fxRow = rows[y]
                    for x in 0..<w {
                        let fx = (x << 8) + fxRow, fy = (y << 8) + columns[x]
                        let sx = fx >> 8, sy = fy >> 8
                        let wx = fx & 0xFF, wy = fy & 0xFF
                        let upper = at(sx, sy) * (256 - wx) + at(sx + 1, sy) * wx
                        let lower = at(sx, sy + 1) * (256 - wx) + at(sx + 1, sy + 1) * wx
                        o[y * w + x] = UInt8((upper * (256 - wy) + lower * wy + 32768) >> 16)
                    }
                }
            }
        }
        return out
    }
}
