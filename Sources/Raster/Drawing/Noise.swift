/// Per-pixel noise. The random source is the caller's, so a seeded generator
/// gives reproducible images and a system one unpredictable ones.
extension Image {
    /// Adds a random offset in -amount...amount to each pixel's colour channels
    /// (the same offset to r, g and b, so hue is kept and only brightness jitters).
    public mutating func addNoise(amount: Int, using generator: inout some RandomNumberGenerator) {
        guard amount > 0 else { return }
        let span = UInt64(2 * amount + 1)
        pixels.withUnsafeMutableBufferPointer { p in
            var i = 0
            while i < p.count {
                let offset = Int(generator.next() % span) - amount
                p[i] = UInt8(clamping: Int(p[i]) + offset)
                p[i + 1] = UInt8(clamping: Int(p[i + 1]) + offset)
                p[i + 2] = UInt8(clamping: Int(p[i + 2]) + offset)
                i += 4
            }
        }
    }

    /// Sets `count` random pixels to colours drawn from `colors` (salt noise).
    public mutating func scatter(
        count: Int, colors: [RGBA], using generator: inout some RandomNumberGenerator
    ) {
        guard count > 0, !colors.isEmpty, width > 0, height > 0 else { return }
        for _ in 0..<count {
            let x = Int.random(in: 0..<width, using: &generator)
            let y = Int.random(in: 0..<height, using: &generator)
            let color = colors[Int.random(in: 0..<colors.count, using: &generator)]
            blend(x: x, y: y, color: color)
        }
    }
}
