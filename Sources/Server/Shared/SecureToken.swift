import Crypto
import ExtrasBase64
import Foundation

/// The random secrets the server hands out (session tokens, OAuth codes and
/// tokens, client secrets, sign-in states) and how they are kept: drawn from
/// the system CSPRNG, written in base64url without padding, stored only as
/// their SHA-256.
enum SecureToken {
    /// `bytes` random bytes as base64url (32 bytes: 43 characters).
    static func random(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return base64URL((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// What the database keeps instead of the token.
    static func hash(_ token: String) -> Data {
        Data(SHA256.hash(data: Data(token.utf8)))
    }

    /// Every request names its captcha slot by one of these (the hash of its
    /// session), so this is on the hot path: Foundation's encoder and three
    /// `replacingOccurrences` passes cost 3% of a captcha request's CPU.
    static func base64URL(_ bytes: some Collection<UInt8>) -> String {
        Base64.encodeToString(bytes: bytes, options: [.base64UrlAlphabet, .omitPaddingCharacter])
    }

    /// The bytes of base64url text without padding; nil for anything else.
    static func decodeBase64URL(_ text: String) -> [UInt8]? {
        guard text.utf8.allSatisfy(isBase64URL) else { return nil }
        return try? Base64.decode(string: text, options: [.base64UrlAlphabet, .omitPaddingCharacter])
    }

    /// The bytes of base64 in either alphabet (standard or URL-safe), padded or not.
    static func decodeBase64(_ text: String) -> [UInt8]? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4)
        return Data(base64Encoded: standard).map(Array.init)
    }

    static func isBase64URL(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"): true
        default: false
        }
    }
}
