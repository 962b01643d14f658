public import Captcha
import Foundation
import Hummingbird

/// Which challenge a request answers, and the one captcha check every
/// endpoint behind a captcha makes. A request names its challenge by
/// `captcha_token` (the cookie-less JSON mode) or else by its session cookie
/// and scenario (`id`). Session slots are keyed by the SHA-256 of the session
/// token, never the token itself: a row of `captcha_challenges` names no live
/// session.
public struct CaptchaSlot: Sendable {
    let captchas: CaptchaScenarios
    let tokens: CaptchaTokens
    let testMode: Bool
    let proofOfWork: ProofOfWork
    /// Scenarios that also need a proof of work; "*" for all.
    let powScenarios: Set<String>
    /// Recent wrong answers from an address that make it need a proof of work (0: never).
    let powAfterFailures: Int
    let failures: FailureCounter
    let trustedProxies: Set<String>
    let now: @Sendable () -> Date

    /// The answers of the test mode (`UPARE_CAPTCHA_TEST_MODE`), for
    /// integrators' end-to-end suites: one always passes, one always fails,
    /// whatever the challenge (or none).
    public enum TestAnswer {
        public static let pass = "upare-test-pass"
        public static let fail = "upare-test-fail"
    }

    /// The slot of `session` (a cookie value) and `scenario`; 100004 for a bad scenario id.
    public static func key(session: String, scenario: String?) throws(APIError) -> CaptchaKey {
        try key(client: "h:" + SecureToken.base64URL(SecureToken.hash(session)), scenario: scenario ?? "")
    }

    /// The slot of `client` and `scenario`; 100004 for a bad scenario id.
    static func key(client: String, scenario: String) throws(APIError) -> CaptchaKey {
        do {
            return try CaptchaKey(client: client, scenario: scenario)
        } catch {
            throw ErrorCatalogue.validationFailed.because("id must be at most \(CaptchaKey.maximumLength) bytes of printable text")
        }
    }

    /// The slot the request answers: its `captcha_token`'s, else its session's
    /// for `id`; nil when it names none (no cookie, or a bad, stale or
    /// foreign-scenario token).
    func key(_ request: Request, _ parameters: Parameters) throws(APIError) -> CaptchaKey? {
        let scenario = parameters["id"] ?? ""
        if let token = parameters["captcha_token"], !token.isEmpty {
            return tokens.slot(of: token, scenario: scenario, now: now())
        }
        guard let session = ClientSession.existing(in: request) else { return nil }
        return try Self.key(session: session, scenario: scenario)
    }

    /// How much proof of work the address must do now: 0 none; 1 the
    /// configured work (always, in a listed scenario); more after repeated
    /// wrong answers (the adaptive proof of work), doubling up to 16.
    func work(scenario: String, address: String) -> Int {
        let listed = powScenarios.contains("*") || powScenarios.contains(scenario)
        guard powAfterFailures > 0 else { return listed ? 1 : 0 }
        let over = failures.count(address) - Double(powAfterFailures)
        guard over >= 0 else { return listed ? 1 : 0 }
        return 1 << min(4, Int(over / Double(powAfterFailures)))
    }

    /// The proof-of-work level of the request's address, for `Image/pow`.
    func work(_ request: Request, _ context: ServerRequestContext, scenario: String) -> Int {
        max(1, work(scenario: scenario, address: ClientAddress.of(request, context: context, trustedProxies: trustedProxies)))
    }

    /// Whether the request's `captcha` answers its challenge (see `Captcha.verify`
    /// for `flush`). Where a proof of work is due it is checked first (and in
    /// the test mode too: it stands for no person); a wrong answer counts
    /// against the address.
    func check(_ request: Request, _ context: ServerRequestContext, _ parameters: Parameters, flush: Bool) async throws -> Bool {
        let scenario = parameters["id"] ?? ""
        let address = ClientAddress.of(request, context: context, trustedProxies: trustedProxies)
        if work(scenario: scenario, address: address) > 0, let refusal = try await proofOfWork.refusal(of: parameters["altcha"]) {
            throw ErrorCatalogue.invalidCaptcha.because(refusal)
        }
        let passed = try await answers(request, parameters, flush: flush)
        if !passed, powAfterFailures > 0 { failures.record(address) }
        return passed
    }

    private func answers(_ request: Request, _ parameters: Parameters, flush: Bool) async throws -> Bool {
        if testMode {
            switch parameters["captcha"] {
            case TestAnswer.pass: return true
            case TestAnswer.fail: return false
            default: break
            }
        }
        guard let key = try key(request, parameters) else { return false }
        return try await captchas.captcha(for: key.scenario).verify(parameters["captcha"], for: key, flush: flush)
    }

    /// Checks the request's answer and uses its challenge up, or fails with 200002.
    func require(_ request: Request, _ context: ServerRequestContext, _ parameters: Parameters) async throws {
        guard try await check(request, context, parameters, flush: true) else { throw ErrorCatalogue.invalidCaptcha }
    }
}
