import Foundation

/// Quality resizing: a separable Lanczos-3 filter whose support widens with the
/// scale factor when shrinking (so it averages like an area filter, without
/// aliasing), computed in premultiplied alpha.
extension Image {
    public func resized(width newWidth: Int, height newHeight: Int) throws(RasterError) -> Image {
        guard newWidth > 0, newHeight > 0 else { throw .invalidArgument("target size must be positive") }
        guard newWidth <= 1 << 15, newHeight <= 1 << 15 else {
            throw .limitsExceeded("target size \(newWidth)x\(newHeight) is larger than 32768 on a side")
        }
        guard width > 0, height > 0 else { throw .invalidArgument("cannot resize an empty image") }
        if newWidth == width && newHeight == height { return self }

        // Premultiplied floats, so that transparent pixels contribute no colour.
        var premultiplied = [Float](repeating: 0, count: width * height * 4)
        for i in 0..<(width * height) {
            let alpha = Float(pixels[i * 4 + 3]) / 255
            premultiplied[i * 4] = Float(pixels[i * 4]) * alpha
            premultiplied[i * 4 + 1] = Float(pixels[i * 4 + 1]) * alpha
            premultiplied[i * 4 + 2] = Float(pixels[i * 4 + 2]) * alpha
            premultiplied[i * 4 + 3] = Float(pixels[i * 4 + 3])
        }
        let horizontal = LanczosWeights(source: width, target: newWidth)
        var wide = [Float](repeating: 0, count: newWidth * height * 4)
        for y in 0..<height {
            for x in 0..<newWidth {
                let taps = horizontal.taps[x]
                var acc: (Float, Float, Float, Float) = (0, 0, 0, 0)
                for (k, weight) in taps.weights.enumerated() {
                    let i = (y * width + taps.first + k) * 4
                    acc.0 += premultiplied[i] * weight
                    acc.1 += premultiplied[i + 1] * weight
                    acc.2 += premultiplied[i + 2] * weight
                    acc.3 += premultiplied[i + 3] * weight
                }
                let o = (y * newWidth + x) * 4
                wide[o] = acc.0; wide[o + 1] = acc.1; wide[o + 2] = acc.2; wide[o + 3] = acc.3
            }
        }
        let vertical = LanczosWeights(source: height, target: newHeight)
        var out = Image(width: newWidth, height: newHeight)
        for y in 0..<newHeight {
            let taps = vertical.taps[y]
            for x in 0..<newWidth {
                var acc: (Float, Float, Float, Float) = (0, 0, 0, 0)
                for (k, weight) in taps.weights.enumerated() {
                    let i = ((taps.first + k) * newWidth + x) * 4
                    acc.0 += wide[i] * weight
                    acc.1 += wide[i + 1] * weight
                    acc.2 += wide[i + 2] * weight
                    acc.3 += wide[i + 3] * weight
                }
                let alpha = min(max(acc.3, 0), 255)
                let o = (y * newWidth + x) * 4
                if alpha < 0.5 {
                    out.pixels[o + 3] = 0
                    continue
                }
                let scale = 255 / alpha
                out.pixels[o] = UInt8(min(max(acc.0 * scale, 0), 255).rounded())
                out.pixels[o + 1] = UInt8(min(max(acc.1 * scale, 0), 255).rounded())
                out.pixels[o + 2] = UInt8(min(max(acc.2 * scale, 0), 255).rounded())
                out.pixels[o + 3] = UInt8(alpha.rounded())
            }
        }
        return out
    }

    /// Scales to cover `width` x `height` and crops the centre: the usual avatar
    /// and thumbnail shape.
    public func thumbnail(width newWidth: Int, height newHeight: Int) throws(RasterError) -> Image {
        guard newWidth > 0, newHeight > 0, width > 0, height > 0 else {
            throw .invalidArgument("thumbnail and source sizes must be positive")
        }
        // The largest centred crop with the target's aspect ratio.
        let cropWidth: Int, cropHeight: Int
        if width * newHeight > height * newWidth {
            cropHeight = height
            cropWidth = max(1, (height * newWidth + newHeight / 2) / newHeight)
        } else {
            cropWidth = width
            cropHeight = max(1, (width * newHeight + newWidth / 2) / newWidth)
        }
        let crop = cropped(to: Rect(x: (width - cropWidth) / 2, y: (height - cropHeight) / 2,
                                    width: cropWidth, height: cropHeight))
        return try crop.resized(width: newWidth, height: newHeight)
    }
}

/// Normalised Lanczos-3 taps for each output position along one axis.
struct LanczosWeights {
    struct Taps {
        var first: Int
        var weights: [Float]
    }

    let taps: [Taps]

    init(source: Int, target: Int) {
        let scale = Double(source) / Double(target)
        let filterScale = max(scale, 1)  // widen the kernel when shrinking
        let support = 3 * filterScale
        func lanczos(_ x: Double) -> Double {
            if x == 0 { return 1 }
            guard abs(x) < 3 else { return 0 }
            let px = Double.pi * x
            return 3 * sin(px) * sin(px / 3) / (px * px)
        }
        taps = (0..<target).map { i in
            let center = (Double(i) + 0.5) * scale
            let first = max(0, Int((center - support).rounded(.down)))
            let last = min(source - 1, Int((center + support).rounded(.up)))
            var weights = (first...last).map { j in lanczos((Double(j) + 0.5 - center) / filterScale) }
            let total = weights.reduce(0, +)
            if total != 0 { weights = weights.map { $0 / total } }
            return Taps(first: first, weights: weights.map(Float.init))
        }
    }
}
