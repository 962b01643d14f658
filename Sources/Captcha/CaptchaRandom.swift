/// The random source of one captcha: xoshiro256**, seeded either from the
/// system CSPRNG (unpredictable captchas) or from a fixed seed (reproducible
/// renders for tests and benchmarks). Fast enough to draw every noise dot from.
public struct CaptchaRandom: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// Seeded from the operating system's CSPRNG.
    public init() {
        var system = SystemRandomNumberGenerator()
        self.init(state: (system.next(), system.next(), system.next(), system.next()))
    }

    /// Reproducible: the same seed gives the same captcha.
    public init(seed: UInt64) {
        // SplitMix64 spreads one word over the four of state, as xoshiro's authors advise.
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        self.init(state: (splitMix(), splitMix(), splitMix(), splitMix()))
    }

    private init(state: (UInt64, UInt64, UInt64, UInt64)) {
        (s0, s1, s2, s3) = state
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }  // the all-zero state is a fixed point
    }

    public mutating func next() -> UInt64 {
        let result = rotate(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotate(s3, 45)
        return result
    }

    @inline(__always)
    func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform Double in `range`.
    mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform element (unbiased: Swift's `randomElement` uses rejection sampling).
    mutating func pick<T>(_ items: [T]) -> T? { items.randomElement(using: &self) }
}
