import Crypto

/// The keyed random stream behind every permutation: HMAC-SHA256 in counter
/// mode, read as big-endian 32-bit words, with rejection sampling so that every
/// integer in 0..<n is equally likely. Written down in docs/disorder-format.md.
struct KeyStream {
    private let key: SymmetricKey
    private var counter: UInt64 = 0
    private var buffer: [UInt8] = []
    private var position = 0

    init(seed: [UInt8]) {
        key = SymmetricKey(data: seed)
    }

    mutating func nextWord() -> UInt32 {
        if position + 4 > buffer.count {
            buffer = Array(HMAC<SHA256>.authenticationCode(for: Self.bigEndian(counter), using: key))
            counter += 1
            position = 0
        }
        defer { position += 4 }
        return UInt32(buffer[position]) << 24 | UInt32(buffer[position + 1]) << 16
            | UInt32(buffer[position + 2]) << 8 | UInt32(buffer[position + 3])
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

    static func bigEndian(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8((value >> (56 - 8 * $0)) & 0xFF) } }
    static func bigEndian(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (24 - 8 * $0)) & 0xFF) } }
}
