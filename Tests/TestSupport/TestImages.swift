public import Raster

/// A deterministic generator for tests (SplitMix64).
public struct TestRandom: RandomNumberGenerator {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `range` on a grid of a millionth of its width.
    public mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + Double(next() % 1_000_001) / 1_000_000 * (range.upperBound - range.lowerBound)
    }
}

/// A photo-like test image: smooth gradients, a hard-edged pattern and noise.
public func makeTestImage(width: Int, height: Int, alpha: Bool = false, seed: UInt64 = 1) -> Image {
    var random = TestRandom(seed: seed)
    var image = Image(width: width, height: height)
    for y in 0..<height {
        for x in 0..<width {
            let noise = Int(random.next() % 9) - 4
            let r = UInt8(clamping: x * 255 / max(1, width - 1) + noise)
            let g = UInt8(clamping: y * 255 / max(1, height - 1) - noise)
            let b: UInt8 = (x / 7 + y / 5) % 2 == 0 ? 30 : 220
            let a: UInt8 = alpha ? UInt8((x * 13 + y * 7) % 256) : 255
            image[x, y] = RGBA(r, g, b, a)
        }
    }
    return image
}

/// Largest per-channel difference between two same-sized images.
public func maxDifference(_ a: Image, _ b: Image) -> Int {
    precondition(a.width == b.width && a.height == b.height)
    var worst = 0
    for i in 0..<a.pixels.count { worst = max(worst, abs(Int(a.pixels[i]) - Int(b.pixels[i]))) }
    return worst
}

/// Mean absolute per-channel difference.
public func meanDifference(_ a: Image, _ b: Image) -> Double {
    var total = 0
    for i in 0..<a.pixels.count { total += abs(Int(a.pixels[i]) - Int(b.pixels[i])) }
    return Double(total) / Double(max(1, a.pixels.count))
}
