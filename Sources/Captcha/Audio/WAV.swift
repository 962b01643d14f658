/// Mono 16-bit PCM in a RIFF WAVE file: what the voice clips are and what
/// the audio captcha is sent as.
public enum WAV {
    /// `samples` at `rate` Hz as a WAV file.
    public static func encode(_ samples: [Int16], rate: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(44 + samples.count * 2)
        func text(_ value: String) { bytes += Array(value.utf8) }
        func u32(_ value: Int) { for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) } }
        func u16(_ value: Int) { bytes.append(UInt8(truncatingIfNeeded: value)); bytes.append(UInt8(truncatingIfNeeded: value >> 8)) }
        text("RIFF"); u32(36 + samples.count * 2); text("WAVE")
        text("fmt "); u32(16); u16(1); u16(1); u32(rate); u32(rate * 2); u16(2); u16(16)
        text("data"); u32(samples.count * 2)
        for sample in samples { u16(Int(sample)) }
        return bytes
    }

    /// The samples and rate of a mono 16-bit PCM WAV file; nil for anything else.
    public static func decode(_ bytes: [UInt8]) -> (samples: [Int16], rate: Int)? {
        func u32(_ at: Int) -> Int? {
            guard at >= 0, at + 4 <= bytes.count else { return nil }
            return (0..<4).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) }
        }
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= bytes.count else { return nil }
            return Int(bytes[at]) | Int(bytes[at + 1]) << 8
        }
        guard bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WAVE".utf8) else { return nil }
        var offset = 12
        var rate: Int?
        while offset + 8 <= bytes.count, let size = u32(offset + 4) {
            let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            let body = offset + 8
            guard size <= bytes.count - body else { return nil }
            if id == "fmt " {
                guard size >= 16, u16(body) == 1, u16(body + 2) == 1, u16(body + 14) == 16, let hz = u32(body + 4), hz > 0 else { return nil }
                rate = hz
            } else if id == "data", let rate {
                let count = size / 2
                let samples = (0..<count).map { Int16(bitPattern: UInt16(bytes[body + 2 * $0]) | UInt16(bytes[body + 2 * $0 + 1]) << 8) }
                return (samples, rate)
            }
            offset = body + size + (size & 1)
        }
        return nil
    }
}
