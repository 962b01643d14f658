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
        // The source with an empty border as wide as the largest shift, so that
        // every sample reads inside the buffer without a bounds test.
        let reach = Int(max(rowShift.map(abs).max() ?? 0, columnShift.map(abs).max() ?? 0).rounded(.up)) + 2
        let pw = w + 2 * reach
        var padded = [UInt8](repeating: 0, count: pw * (h + 2 * reach))
        padded.withUnsafeMutableBufferPointer { destination in
            pixels.withUnsafeBufferPointer { source in
                for y in 0..<h {
                    let row = (y + reach) * pw + reach
                    for x in 0..<w { destination[row &+ x] = source[y &* w &+ x] }
                }
            }
        }
        // Output rows whose samples can only land on empty source rows stay empty:
        // on a captcha most rows hold no ink before the clutter is added.
        var inkRows = [Bool](repeating: false, count: h + 2 * reach)
        pixels.withUnsafeBufferPointer { p in
            for y in 0..<h where p[(y * w)..<((y + 1) * w)].contains(where: { $0 != 0 }) { inkRows[y + reach] = true }
        }
        padded.withUnsafeBufferPointer { s in
            out.pixels.withUnsafeMutableBufferPointer { o in
                for y in 0..<h where inkRows[(y)...(y + 2 * reach)].contains(true) {
                    let fxRow = rows[y]
                    for x in 0..<w {
                        let fx = ((x + reach) << 8) + fxRow, fy = ((y + reach) << 8) + columns[x]
                        let i = (fy >> 8) * pw + (fx >> 8)
                        let wx = fx & 0xFF, wy = fy & 0xFF
                        let upper = Int(s[i]) * (256 - wx) + Int(s[i + 1]) * wx
                        let lower = Int(s[i + pw]) * (256 - wx) + Int(s[i + pw + 1]) * wx
                        o[y * w + x] = UInt8(truncatingIfNeeded: (upper * (256 - wy) + lower * wy + 32768) >> 16)
                    }
                }
            }
        }
        return out
    }
}
