public import Captcha
public import Hummingbird

/// The captcha slot of a browser session and scenario (the spec's `id`), and
/// the one captcha check every endpoint behind a captcha makes. The store is
/// keyed by the SHA-256 of the session token, never by the token itself: a
/// row read from `captcha_challenges` names no live session.
public enum CaptchaSlot {
    /// The slot of `session` (a cookie value) and `scenario`; 100004 for a bad scenario id.
    public static func key(session: String, scenario: String?) throws(APIError) -> CaptchaKey {
        do {
            return try CaptchaKey(client: "h:" + SecureToken.base64URL(SecureToken.hash(session)), scenario: scenario ?? "")
        } catch {
            throw ErrorCatalogue.validationFailed.because("id must be at most \(CaptchaKey.maximumLength) bytes of printable text")
        }
    }

    /// Checks the answer `captcha` against the challenge of the request's
    /// session and `id` and uses it up, or fails with 200002.
    public static func require(_ captcha: Captcha, _ request: Request, _ parameters: Parameters) async throws {
        guard let session = ClientSession.existing(in: request),
              let key = try? key(session: session, scenario: parameters["id"]),
              try await captcha.verify(parameters["captcha"], for: key, flush: true)
        else { throw ErrorCatalogue.invalidCaptcha }
    }
}
