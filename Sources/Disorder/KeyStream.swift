import Crypto

/// The keyed random stream behind every permutation: HMAC-SHA256 in counter
/// mode, read as big-endian 32-bit words, with rejection sampling so that every
/// integer in 0..<n is equally likely. Written down in docs/disorder-format.md.
struct KeyStream {
    /// HMAC keyed once; each block copies this state instead of re-keying.
    private let keyed: HMACSHA256
    private var counter: UInt64 = 0
    /// The current block's eight words, and how many of them are used. Kept
    /// inline (no array, no per-block allocation): a 12-megapixel picture reads
    /// some 100,000 words.
    private var words = SIMD8<UInt32>()
    private var position = 8

    init(seed: [UInt8]) {
        keyed = HMACSHA256(key: seed)
    }

    mutating func nextWord() -> UInt32 {
        if position == 8 {
            let code = withUnsafeBytes(of: counter.bigEndian) { keyed.authenticationCode(for: $0) }
            code.withUnsafeBytes { bytes in
                for i in 0..<8 {
                    words[i] = UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))
                }
            }
            counter += 1
            position = 0
        }
        defer { position += 1 }
        return words[position]
    }

    /// Uniform in 0..<n (n >= 1), without modulo bias.
    mutating func uniform(_ n: Int) -> Int {
        precondition(n >= 1 && n <= Int(UInt32.max))
        let range = UInt64(n)
        let limit = (UInt64(1) << 32) - (UInt64(1) << 32) % range
        while true {
            let word = UInt64(nextWord())
            if word < limit { return Int(word % range) }
        }
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (24 - 8 * $0)) & 0xFF) } }
}
