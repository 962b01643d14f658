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
        let (bucket, limit): (String, RateLimiter.Limit)
        switch action {
        case "Image/captcha": (bucket, limit) = ("captcha", limits.captcha)
        case "Image/captchaVerify": (bucket, limit) = ("verify", limits.verify)
        case "Image/disorder": (bucket, limit) = ("disorder", limits.disorder)
        case "User/login", "User/snsreg": (bucket, limit) = ("login", limits.login)
        // Token requests are limited per client once it has authenticated
        // (OAuthRoutes); by address only loosely, since one backend exchanges
        // codes for all of its users. Password-grant failures stay under the
        // login throttle.
        case "Oauth/accessToken", "Oauth/revoke", "Oauth/delete": (bucket, limit) = ("token", limits.token)
        case "User/register": (bucket, limit) = ("register", limits.register)
        case "User/sendcode": (bucket, limit) = ("sendcode", limits.sendcode)
        default: (bucket, limit) = ("api", limits.general)
        }
        let client = ClientAddress.of(request, context: context, trustedProxies: trustedProxies)
        if let wait = limiter.take(bucket, client: client, limit: limit) {
            ServerMetrics.rateLimited(bucket: bucket)
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

    public init() {}
}

/// Who a request comes from: the peer's address, or the client named in
/// X-Forwarded-For when (and only when) the peer is a configured proxy.
public enum ClientAddress {
    public static func of(_ request: Request, context: ServerRequestContext, trustedProxies: Set<String>) -> String {
        resolve(peer: context.remoteAddress?.ipAddress ?? "unknown", forwardedFor: request.headers[.xForwardedFor],
                trustedProxies: trustedProxies)
    }

    public static func resolve(peer: String, forwardedFor: String?, trustedProxies: Set<String>) -> String {
        guard trustedProxies.contains(peer), let forwardedFor else { return peer }
        // Read from the right: the last address not itself a trusted proxy is the client.
        let chain = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return chain.last { !trustedProxies.contains($0) } ?? peer
    }
}

extension HTTPField.Name {
    /// Always a valid field name; `.via` only satisfies the type.
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For") ?? .via
}
