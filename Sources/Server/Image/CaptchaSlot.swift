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
        do {
            return try CaptchaKey(client: "h:" + SecureToken.base64URL(SecureToken.hash(session)), scenario: scenario ?? "")
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

    /// Whether the request's `captcha` answers its challenge (see `Captcha.verify` for `flush`).
    func check(_ request: Request, _ parameters: Parameters, flush: Bool) async throws -> Bool {
        // The proof of work first, and also in the test mode: it stands for no person.
        let scenario = parameters["id"] ?? ""
        if powScenarios.contains("*") || powScenarios.contains(scenario),
           let refusal = try await proofOfWork.refusal(of: parameters["altcha"]) {
            throw ErrorCatalogue.invalidCaptcha.because(refusal)
        }
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
    func require(_ request: Request, _ parameters: Parameters) async throws {
        guard try await check(request, parameters, flush: true) else { throw ErrorCatalogue.invalidCaptcha }
    }
}
