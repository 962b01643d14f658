public import Hummingbird
import Foundation
import HTTPTypes
import NIOCore

/// Rate limits per client address, tighter on the endpoints that cost or
/// invite abuse (captcha generation and verification). Refusals are the spec's
/// 201204 with HTTP 429 and Retry-After.
public struct RateLimitMiddleware: RouterMiddleware {
    public typealias Context = ServerRequestContext

    let limiter: RateLimiter
    let limits: RateLimits
    let trustedProxies: Set<String>

    public init(limiter: RateLimiter, limits: RateLimits, trustedProxies: Set<String>) {
        self.limiter = limiter
        self.limits = limits
        self.trustedProxies = trustedProxies
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard limits.enabled else { return try await next(request, context) }
        let action = request.uri.path.split(separator: "/").suffix(2).joined(separator: "/")
        // Each endpoint names its bucket in EndpointTable; other paths share `api`.
        let bucket = EndpointTable.endpoint(named: action)?.rate ?? .api
        let limit = limits.limit(for: bucket)
        let client = ClientAddress.of(request, context: context, trustedProxies: trustedProxies)
        if let wait = limiter.take(bucket.rawValue, client: client, limit: limit) {
            ServerMetrics.rateLimited(bucket: bucket.rawValue)
            return Envelope.failure(
                ErrorCatalogue.rateLimited, apiURI: Envelope.apiURI(request), retryAfter: max(1, Int(wait.rounded(.up))))
        }
        return try await next(request, context)
    }
}

/// Requests per second and bursts per client and endpoint group.
public struct RateLimits: Sendable, Equatable {
    public var enabled = true
    public var captcha = RateLimiter.Limit(burst: 30, perSecond: 5)
    public var verify = RateLimiter.Limit(burst: 30, perSecond: 5)
    public var disorder = RateLimiter.Limit(burst: 10, perSecond: 1)
    public var login = RateLimiter.Limit(burst: 10, perSecond: 0.5)
    public var register = RateLimiter.Limit(burst: 5, perSecond: 0.1)
    public var sendcode = RateLimiter.Limit(burst: 5, perSecond: 0.2)
    /// `Image/disorder` keys given as passphrases: each is a scrypt (about 0.3 s of a core).
    public var passphrase = RateLimiter.Limit(burst: 5, perSecond: 0.5)
    /// Token-endpoint requests per address, before the client authenticates.
    public var token = RateLimiter.Limit(burst: 200, perSecond: 50)
    /// Token requests per OAuth client, whatever its address.
    public var perClient = RateLimiter.Limit(burst: 50, perSecond: 10)
    public var general = RateLimiter.Limit(burst: 100, perSecond: 20)
    /// Instances behind a round-robin balancer (`UPARE_INSTANCES`). Buckets
    /// live in each instance's memory, so each takes 1/N of the captcha,
    /// verify and login limits: through N instances a client still gets the
    /// configured rate, not N times it, at no cost per request. (Failed logins
    /// are counted in the database and shared already.) With sticky balancing
    /// (ip_hash) leave it at 1.
    public var instances = 1

    public init() {}

    /// The limit of `bucket`; captcha, verify and login split by `instances`.
    public func limit(for bucket: RateBucket) -> RateLimiter.Limit {
        switch bucket {
        case .captcha: perInstance(captcha)
        case .verify: perInstance(verify)
        case .login: perInstance(login)
        case .disorder: disorder
        case .register: register
        case .sendcode: sendcode
        case .token: token
        case .api: general
        }
    }

    /// `limit` as one of `instances` instances enforces it (never below one request).
    public func perInstance(_ limit: RateLimiter.Limit) -> RateLimiter.Limit {
        guard instances > 1 else { return limit }
        let share = Double(instances)
        return RateLimiter.Limit(burst: max(1, (limit.burst / share).rounded(.up)), perSecond: limit.perSecond / share)
    }
}
