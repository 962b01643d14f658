import Crypto

/// The keyed random stream behind every permutation: HMAC-SHA256 in counter
/// mode, read as big-endian 32-bit words, with rejection sampling so that every
/// integer in 0..<n is equally likely. Written down in docs/disorder-format.md.
struct KeyStream {
    /// HMAC keyed once; each block copies this state instead of re-keying.
    private let keyed: HMAC<SHA256>
    private var counter: UInt64 = 0
    private var words: [UInt32] = []
    private var position = 0

    init(seed: [UInt8]) {
        keyed = HMAC<SHA256>(key: SymmetricKey(data: seed))
        words.reserveCapacity(8)
    }

    mutating func nextWord() -> UInt32 {
        if position == words.count {
            var mac = keyed
            mac.update(data: Self.bigEndian(counter))
            let code = mac.finalize()
            words.removeAll(keepingCapacity: true)
            code.withUnsafeBytes { bytes in
                for i in stride(from: 0, to: bytes.count, by: 4) {
                    words.append(UInt32(bytes[i]) << 24 | UInt32(bytes[i + 1]) << 16 | UInt32(bytes[i + 2]) << 8 | UInt32(bytes[i + 3]))
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

    static func bigEndian(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8((value >> (56 - 8 * $0)) & 0xFF) } }
    static func bigEndian(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (24 - 8 * $0)) & 0xFF) } }
}
