import Crypto
import Foundation
@testable import Disorder
import Testing

@Suite("HMAC-SHA256 of the key stream")
struct HMACSHA256Tests {
    /// RFC 4231 test case 2: key "Jefe".
    @Test("RFC 4231 test case 2")
    func rfc4231() {
        let mac = HMACSHA256(key: Array("Jefe".utf8))
        let code = Array("what do ya want for nothing?".utf8).withUnsafeBytes { mac.authenticationCode(for: $0) }
        #expect(code.map { String(format: "%02x", $0) }.joined()
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test("the same bytes as Crypto's HMAC<SHA256>, for keys shorter than, as long as and longer than a block",
          arguments: [0, 1, 32, 63, 64, 65, 131])
    func matchesCrypto(keyLength: Int) {
        let key = (0..<keyLength).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let mac = HMACSHA256(key: key)
        for length in [0, 8, 55, 64, 200] {
            let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            let ours = message.withUnsafeBytes { mac.authenticationCode(for: $0) }
            let theirs = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))
            #expect(Array(ours) == Array(theirs), "key \(keyLength), message \(length)")
        }
    }
}
