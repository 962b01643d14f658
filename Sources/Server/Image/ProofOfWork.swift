import Captcha
import ConstantTime
import Crypto
import Foundation

/// A proof of work in the ALTCHA protocol (v1, SHA-256), the form the ALTCHA
/// widget and the `altcha` libraries speak: the server picks a salt (with its
/// expiry in it, `?expires=<unix>&`) and a secret number, and sends
/// SHA-256(salt + number) with its HMAC; the client tries numbers until the
/// hash matches and sends back base64 JSON of algorithm, challenge, number,
/// salt and signature. A challenge waits in the captcha store from its issue,
/// so a solution passes once, on any instance.
struct ProofOfWork: Sendable {
    let key: SymmetricKey
    let store: any CaptchaStore
    /// The largest secret number: the work is about half of it in hashes.
    let maxNumber: Int
    /// Seconds a challenge may be solved in.
    let lifetime: Int
    let now: @Sendable () -> Date

    static let algorithm = "SHA-256"

    /// A new challenge of `work` times the configured work, as the widget's
    /// `challengeurl` expects its keys.
    func issue(work: Int = 1) async throws -> [String: any Sendable] {
        let maxNumber = self.maxNumber * max(1, work)
        var generator = SystemRandomNumberGenerator()
        let expires = Int(now().timeIntervalSince1970) + lifetime
        let salt = Self.hex((0..<12).map { _ in UInt8.random(in: .min ... .max, using: &generator) }) + "?expires=\(expires)&"
        let number = Int.random(in: 0...maxNumber, using: &generator)
        let challenge = Self.hex(SHA256.hash(data: Data((salt + String(number)).utf8)))
        try await store.save(
            CaptchaRecord(digest: [], expiresAt: Date(timeIntervalSince1970: TimeInterval(expires))), for: Self.slot(challenge))
        return [
            "algorithm": Self.algorithm, "challenge": challenge, "maxnumber": maxNumber, "salt": salt,
            "signature": signature(challenge),
        ]
    }

    struct Payload: Decodable {
        var algorithm: String
        var challenge: String
        var number: Int
        var salt: String
        var signature: String
    }

    /// nil when `payload` (the widget's `altcha` field) solves a challenge of
    /// this server that is unexpired and unused (it is used up now); else why not.
    func refusal(of payload: String?) async throws -> String? {
        guard let payload, !payload.isEmpty else { return "proof of work required: solve Image/pow and send the payload as altcha" }
        guard payload.utf8.count <= 4096, let bytes = SecureToken.decodeBase64(payload.trimmingCharacters(in: .whitespaces)),
              let solution = try? JSONDecoder().decode(Payload.self, from: Data(bytes))
        else { return "the altcha payload is not base64 JSON of algorithm, challenge, number, salt and signature" }
        guard solution.algorithm == Self.algorithm else { return "the algorithm must be \(Self.algorithm)" }
        guard ConstantTime.equal(Array(solution.signature.utf8), Array(signature(solution.challenge).utf8)) else {
            return "the challenge was not issued by this server"
        }
        guard let expires = Self.expiry(of: solution.salt), Double(expires) > now().timeIntervalSince1970 else {
            return "the challenge has expired"
        }
        let hash = Self.hex(SHA256.hash(data: Data((solution.salt + String(solution.number)).utf8)))
        guard ConstantTime.equal(Array(hash.utf8), Array(solution.challenge.utf8)) else { return "the number does not solve the challenge" }
        guard try await store.take(Self.slot(solution.challenge)) != nil else { return "the challenge was solved before" }
        return nil
    }

    private func signature(_ challenge: String) -> String {
        Self.hex(HMAC<SHA256>.authenticationCode(for: Data(challenge.utf8), using: key))
    }

    /// The store slot of a challenge (apart from the sessions' and tokens' slots).
    static func slot(_ challenge: String) throws -> CaptchaKey {
        try CaptchaKey(client: "p:" + String(challenge.prefix(64)), scenario: "")
    }

    /// `expires` of the salt's parameters.
    static func expiry(of salt: String) -> Int? {
        guard let query = salt.split(separator: "?", maxSplits: 1).dropFirst().first else { return nil }
        for pair in query.split(separator: "&") where pair.hasPrefix("expires=") {
            return Int(pair.dropFirst("expires=".count))
        }
        return nil
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
