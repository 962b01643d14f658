import Captcha
import ConstantTime
import Crypto
import Foundation

/// `captcha_token`: the cookie-less handle of one challenge, for pages on other
/// origins and for apps. It names a slot of the same store the session cookie's
/// challenges live in, so single use, `flush` and the attempt cap hold for it
/// as for the cookie, across every instance; and it is signed and expiring, so
/// a forged, altered or stale token is refused before the store is asked.
///
/// Token: base64url of version 1 (1 byte) | expiry, Unix seconds (8,
/// big-endian) | id (16 random bytes) | HMAC-SHA-256 (32) of those bytes and
/// the scenario.
struct CaptchaTokens: Sendable {
    private let key: SymmetricKey

    init(secret: [UInt8]) {
        key = SymmetricKey(data: secret)
    }

    static let version: UInt8 = 1
    static let length = 1 + 8 + 16 + 32

    /// A new token for `scenario`, good until `expiresAt`, and its slot; 100004 for a bad scenario id.
    func issue(scenario: String, expiresAt: Date) throws(APIError) -> (token: String, slot: CaptchaKey) {
        var bytes: [UInt8] = [Self.version]
        let expiry = UInt64(max(0, expiresAt.timeIntervalSince1970.rounded(.up)))
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: expiry >> UInt64(shift))) }
        var id = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in id.indices { id[index] = UInt8.random(in: .min ... .max, using: &generator) }
        bytes += id
        bytes += signature(bytes, scenario: scenario)
        return (SecureToken.base64URL(bytes), try CaptchaSlot.key(client: Self.client(id), scenario: scenario))
    }

    /// The slot client of a token id ("t:" keeps token slots apart from the sessions' "h:" slots).
    static func client(_ id: some Collection<UInt8>) -> String { "t:" + SecureToken.base64URL(id) }

    /// The slot of a token issued for `scenario` and not expired at `now`; nil
    /// for anything else (malformed, forged, another scenario's, expired).
    func slot(of token: String, scenario: String, now: Date) -> CaptchaKey? {
        guard token.utf8.count <= 128, let bytes = SecureToken.decodeBase64URL(token), bytes.count == Self.length,
              bytes[0] == Self.version
        else { return nil }
        let signed = Array(bytes[0..<25])
        guard ConstantTime.equal(Array(bytes[25...]), signature(signed, scenario: scenario)) else { return nil }
        let expiry = bytes[1..<9].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard Double(expiry) > now.timeIntervalSince1970 else { return nil }
        return try? CaptchaKey(client: Self.client(bytes[9..<25]), scenario: scenario)
    }

    private func signature(_ bytes: [UInt8], scenario: String) -> [UInt8] {
        var mac = HMAC<SHA256>(key: key)
        mac.update(data: bytes)
        mac.update(data: Array(scenario.utf8))
        return Array(mac.finalize())
    }
}
