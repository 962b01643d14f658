import Foundation
public import Hummingbird

/// The anonymous session a browser keeps in a cookie: the "client" half of a
/// captcha slot. A random 256-bit value from the system CSPRNG; HttpOnly,
/// SameSite=Lax. A login replaces it with a new token that `SessionStore` ties
/// to the account.
public enum ClientSession {
    public static let cookieName = "upare_session"
    /// The name behind TLS: browsers keep a `__Host-` cookie only if it is
    /// Secure, host-only and for the whole site, so a neighbouring subdomain or
    /// a plain-HTTP page cannot plant one (RFC 6265bis 4.1.3.2).
    public static let secureCookieName = "__Host-upare_session"

    /// The request's session id, if it carries a well-formed one; the
    /// `__Host-` cookie wins over the plain one.
    public static func existing(in request: Request) -> String? {
        let cookies = request.cookies  // parsed once: each `cookies` read parses the header again
        for name in [secureCookieName, cookieName] {
            guard let value = cookies[name]?.value else { continue }
            guard value.utf8.count == 43, value.utf8.allSatisfy(SecureToken.isBase64URL) else { return nil }
            return value
        }
        return nil
    }

    /// The request's session id, or a new one (then `isNew`).
    public static func identify(_ request: Request) -> (id: String, isNew: Bool) {
        if let id = existing(in: request) { return (id, false) }
        return (newToken(), true)
    }

    /// 256 bits from the system CSPRNG, base64url without padding (43 characters).
    public static func newToken() -> String {
        SecureToken.random(bytes: 32)
    }

    /// The cookie carrying `id`: for the browser session, or for `maxAge`
    /// seconds; `secure` (behind TLS) keeps browsers from sending it over plain HTTP.
    public static func cookie(_ id: String, maxAge: Int? = nil, secure: Bool = false) -> Cookie {
        Cookie(name: secure ? secureCookieName : cookieName, value: id, maxAge: maxAge, path: "/", secure: secure, httpOnly: true,
               sameSite: .lax)
    }
}
