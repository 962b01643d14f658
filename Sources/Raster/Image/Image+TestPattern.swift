import Foundation

extension Image {
    /// A synthetic photo-like picture: smooth light, a fine texture and grain.
    /// The same seed gives the same pixels; benchmarks and tests use it as a
    /// stand-in for a camera photo (it compresses like one, unlike flat art).
    public static func photoLike(width: Int, height: Int, seed: UInt64 = 12) -> Image {
        var image = Image(width: width, height: height)
        var state = seed
        image.pixels.withUnsafeMutableBufferPointer { p in
            for y in 0..<height {
                for x in 0..<width {
                    // A 64-bit LCG: grain needs no more than that.
                    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    let grain = Double(Int(state >> 60) - 8)
                    let fx = Double(x) / Double(max(1, width)), fy = Double(y) / Double(max(1, height))
                    let shade = 0.5 + 0.25 * sin(fx * 9 + fy * 4) + 0.2 * cos(fy * 13 - fx * 3)
                    let i = (y * width + x) * 4
                    p[i] = UInt8(clamping: Int(shade * 220 + grain + 20 * sin(Double(x) / 17)))
                    p[i + 1] = UInt8(clamping: Int(shade * 180 + grain + fy * 40))
                    p[i + 2] = UInt8(clamping: Int((1 - shade) * 200 + grain))
                    p[i + 3] = 255
                }
            }
        }
        return image
    }
}
