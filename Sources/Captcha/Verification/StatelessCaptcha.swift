import ConstantTime
public import Foundation
import Synchronization
public import Raster

/// Captchas without server-side challenge state: the answer's keyed digest
/// travels with the client in a signed, expiring token, so any server holding
/// the secret can verify it. Single use needs a shared record of used tokens
/// (`UsedTokenRegistry`); every verification attempt uses a token up.
///
/// Token: base64url of version (1 byte) | expiry, Unix seconds (8, big-endian) |
/// token id (16 random bytes) | answer digest (32) | HMAC-SHA256 of all the
/// preceding bytes and the scenario (32).
public struct StatelessCaptcha: Sendable {
    public let renderer: CaptchaRenderer
    private let secret: CaptchaSecret
    private let usedTokens: any UsedTokenRegistry
    private let now: @Sendable () -> Date

    static let version: UInt8 = 1
    static let tokenLength = 1 + 8 + 16 + 32 + 32

    public init(
        options: CaptchaOptions = CaptchaOptions(), fonts: FontLibrary, style: CaptchaStyle? = nil, secret: CaptchaSecret,
        usedTokens: any UsedTokenRegistry = MemoryUsedTokenRegistry(), now: @escaping @Sendable () -> Date = Date.init
    ) throws(CaptchaError) {
        renderer = try CaptchaRenderer(options: options, fonts: fonts, style: style)
        self.secret = secret
        self.usedTokens = usedTokens
        self.now = now
    }

    /// A picture and the token to send back with its answer.
    public func generate(scenario: String = "", format: ImageFormat = .png, seed: UInt64? = nil) throws(CaptchaError) -> (image: CaptchaImage, token: String) {
        var random = seed.map(CaptchaRandom.init(seed:)) ?? CaptchaRandom()
        let challenge = renderer.challenges.make(using: &random)
        let image = try renderer.render(challenge, using: &random).encoded(as: format)
        var system = SystemRandomNumberGenerator()
        let id = (0..<16).map { _ in UInt8.random(in: 0...255, using: &system) }
        let expiry = UInt64(max(0, now().timeIntervalSince1970)) + UInt64(renderer.options.expire)
        var token: [UInt8] = [Self.version]
        token += withUnsafeBytes(of: expiry.bigEndian, Array.init)
        token += id
        token += secret.digest(answer: challenge.answer, slot: Self.slot(id: id, scenario: scenario), caseSensitive: renderer.options.caseSensitive)
        token += secret.mac(Self.signed(token, scenario: scenario))
        return (image, Base64URL.encode(token))
    }

    /// Whether `answer` solves the challenge in `token`. A token is good for one
    /// attempt; a tampered, expired, reused or foreign-scenario token never passes.
    public func verify(_ answer: String?, token: String, scenario: String = "") async throws(CaptchaError) -> Bool {
        guard let bytes = Base64URL.decode(token), bytes.count == Self.tokenLength, bytes[0] == Self.version else { return false }
        let body = Array(bytes[0..<(Self.tokenLength - 32)])
        guard ConstantTime.equal(secret.mac(Self.signed(body, scenario: scenario)), Array(bytes[(Self.tokenLength - 32)...])) else { return false }
        let expiry = bytes[1..<9].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let expiresAt = Date(timeIntervalSince1970: TimeInterval(min(expiry, UInt64(Int32.max) * 4)))
        guard expiresAt > now() else { return false }
        let id = Array(bytes[9..<25])
        guard try await usedTokens.markUsed(id, until: expiresAt) else { return false }
        let normalized = AnswerNormalizer.normalize(answer ?? "", caseSensitive: true)
        guard !normalized.isEmpty else { return false }
        let given = secret.digest(answer: answer ?? "", slot: Self.slot(id: id, scenario: scenario), caseSensitive: renderer.options.caseSensitive)
        return ConstantTime.equal(given, Array(bytes[25..<57]))
    }

    static func slot(id: [UInt8], scenario: String) -> String {
        "token:" + id.map { String($0, radix: 16) }.joined(separator: ".") + "|" + scenario
    }

    static func signed(_ body: [UInt8], scenario: String) -> [UInt8] {
        Array("upare-captcha-token-v1\u{0}".utf8) + body + Array(scenario.utf8)
    }
}

/// Remembers which stateless tokens were used, until they expire.
public protocol UsedTokenRegistry: Sendable {
    /// Records `id` as used; false if it already was (the token is being replayed).
    func markUsed(_ id: [UInt8], until expiry: Date) async throws(CaptchaError) -> Bool
}

/// A `UsedTokenRegistry` for one process; expired ids are swept as new ones arrive.
public final class MemoryUsedTokenRegistry: UsedTokenRegistry {
    private let used = Mutex<[[UInt8]: Date]>([:])
    private let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date = Date.init) {
        self.now = now
    }

    public func markUsed(_ id: [UInt8], until expiry: Date) async throws(CaptchaError) -> Bool {
        let time = now()
        return used.withLock { table in
            if table.count >= 4096, table.count.isMultiple(of: 1024) {
                table = table.filter { $0.value > time }
            }
            if let known = table[id], known > time { return false }
            table[id] = expiry
            return true
        }
    }
}

/// RFC 4648 base64url without padding.
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> [UInt8]? {
        guard text.count < 4096, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).map(Array.init)
    }
}
