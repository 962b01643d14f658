/// The token bucket an endpoint's requests are counted in (`RateLimits` gives
/// each its burst and rate). The middleware counts every request per client
/// address; `keys` lists what else counts it.
public enum RateBucket: String, Sendable, CaseIterable {
    case captcha, verify, disorder, login, register, sendcode
    /// The token endpoints: limited per client once it has authenticated
    /// (OAuthRoutes), and by address only loosely, since one backend exchanges
    /// codes for all of its users. Password-grant failures stay under the login throttle.
    case token
    /// Everything else.
    case api

    /// What a bucket is counted by.
    public enum Key: String, Sendable {
        /// The client's address (IPv6 by its /64, behind the trusted proxies).
        case address
        /// The account whose password was tried: failed logins, in the
        /// database, so shared by every instance (`LoginThrottle`).
        case account
        /// The OAuth client, once it has authenticated.
        case client
    }

    /// What this bucket counts by. Besides these, every call with a bearer
    /// token counts against its OAuth client (`RateLimits.perClient`), and
    /// `Image/disorder` passphrases have a bucket of their own per address.
    public var keys: [Key] {
        switch self {
        case .login: [.address, .account]
        case .token: [.address, .client]
        case .captcha, .verify, .disorder, .register, .sendcode, .api: [.address]
        }
    }
}
