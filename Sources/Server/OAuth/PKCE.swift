import ConstantTime
import Crypto
import Foundation

/// RFC 7636 with S256 only (`plain` gives no protection against a stolen code).
enum PKCE {
    /// A challenge as sent: 43 base64url characters (SHA-256, unpadded).
    static func validChallenge(_ challenge: String) -> Bool {
        challenge.utf8.count == 43 && challenge.utf8.allSatisfy(SecureToken.isBase64URL)
    }

    /// A verifier: 43 to 128 characters of `[A-Za-z0-9-._~]`.
    static func validVerifier(_ verifier: String) -> Bool {
        (43...128).contains(verifier.utf8.count)
            && verifier.utf8.allSatisfy { SecureToken.isBase64URL($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "~") }
    }

    static func challenge(for verifier: String) -> String {
        SecureToken.base64URL(SecureToken.hash(verifier))
    }

    static func matches(verifier: String, challenge: String) -> Bool {
        validVerifier(verifier) && ConstantTime.equal(Array(Self.challenge(for: verifier).utf8), Array(challenge.utf8))
    }
}
