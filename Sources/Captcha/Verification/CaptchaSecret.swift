import Crypto
import Foundation

/// The server secret answers are keyed with. Answers are only ever stored and
/// compared as HMAC-SHA256 digests under it, never in plain text.
public struct CaptchaSecret: Sendable {
    let key: SymmetricKey
    /// Seals a challenge's text for the audio captcha (a key of its own).
    private let textKey: SymmetricKey

    /// 32 fresh bytes from the system CSPRNG (challenges do not survive a restart
    /// unless the same secret is configured).
    public init() {
        self.init(key: SymmetricKey(size: .bits256))
    }

    /// A configured secret of at least 16 bytes.
    public init(bytes: [UInt8]) throws(CaptchaError) {
        guard bytes.count >= 16 else { throw .invalidOption("the captcha secret must be at least 16 bytes") }
        self.init(key: SymmetricKey(data: bytes))
    }

    private init(key: SymmetricKey) {
        self.key = key
        textKey = HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data("upare-captcha-text-v1".utf8), outputByteCount: 32)
    }

    /// `text` sealed (AES-GCM) for `slot`: only this secret opens it, and only for that slot.
    func seal(_ text: String, slot: String) -> [UInt8]? {
        guard let box = try? AES.GCM.seal(Data(text.utf8), using: textKey, authenticating: Data(slot.utf8)) else { return nil }
        return box.combined.map(Array.init)
    }

    /// The text `seal` sealed for `slot`, or nil.
    func open(_ sealed: [UInt8], slot: String) -> String? {
        guard let box = try? AES.GCM.SealedBox(combined: sealed),
              let data = try? AES.GCM.open(box, using: textKey, authenticating: Data(slot.utf8))
        else { return nil }
        return String(data: data, encoding: .utf8)
    }

    /// The digest stored for `answer` to the challenge in `slot`. The slot is part
    /// of the message, so a digest cannot be replayed for another client or scenario.
    func digest(answer: String, slot: String, caseSensitive: Bool) -> [UInt8] {
        var message = Data("upare-captcha-answer-v1\u{0}".utf8)
        message.append(Data(slot.utf8))
        message.append(0)
        message.append(Data(AnswerNormalizer.normalize(answer, caseSensitive: caseSensitive).utf8))
        return Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
    }

    /// A MAC over arbitrary bytes (stateless tokens).
    func mac(_ bytes: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: bytes, using: key))
    }
}

/// How a typed answer is compared: compatibility-normalised (full-width digits
/// and letters from a Chinese IME become ASCII), without spaces, and
/// case-folded unless the captcha is case-sensitive.
enum AnswerNormalizer {
    static func normalize(_ answer: String, caseSensitive: Bool) -> String {
        if answer.utf8.allSatisfy({ $0 < 0x80 }) {
            // ASCII, the usual case: NFKC leaves it as it is, so drop whitespace
            // and fold case byte by byte (a tenth of the Foundation path's time).
            var bytes: [UInt8] = []
            bytes.reserveCapacity(answer.utf8.count)
            for byte in answer.utf8 where byte != 0x20 && !(0x09...0x0D).contains(byte) {
                bytes.append(!caseSensitive && (0x41...0x5A).contains(byte) ? byte | 0x20 : byte)
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        let folded = answer.precomposedStringWithCompatibilityMapping.filter { !$0.isWhitespace }
        return caseSensitive ? folded : folded.lowercased()
    }
}
