public import Foundation
public import Hummingbird

/// Who is calling: the account of an OAuth bearer token (`Authorization:
/// Bearer ...`, RFC 6750), or else of the request's session cookie. Bearer
/// requests count against their client's rate limit and carry the scopes the
/// user granted; a session carries every scope.
public struct Authenticator: Sendable {
    let sessions: SessionStore
    let users: UserStore
    let tokens: OAuthTokens
    let clientLimit: (limiter: RateLimiter, limit: RateLimiter.Limit)?
    let now: @Sendable () -> Date

    public init(
        sessions: SessionStore, users: UserStore, tokens: OAuthTokens,
        clientLimit: (limiter: RateLimiter, limit: RateLimiter.Limit)?, now: @escaping @Sendable () -> Date
    ) {
        self.sessions = sessions
        self.users = users
        self.tokens = tokens
        self.clientLimit = clientLimit
        self.now = now
    }

    /// The caller's account under `policy`, or nil for an anonymous request.
    /// `.anonymous` looks at the session cookie only. A bearer token where
    /// `policy` is `.session`, or without its scope, is 201206; an unknown
    /// token 201201; expired or revoked, 201203; over its client's rate, 201204.
    public func user(_ request: Request, policy: AccessPolicy) async throws -> User? {
        let scope: String
        switch policy {
        case .anonymous, .oauthClient, .tokenHolder:
            // A session cookie is all these could carry of a user.
            return try await sessionUser(request)
        case .session:
            if Self.bearer(request) != nil {
                throw ErrorCatalogue.permissionDenied.because("this endpoint takes the signed-in browser session only, not an OAuth token")
            }
            return try await sessionUser(request)
        case .sessionOrBearer(let named):
            scope = named
        }
        guard let token = Self.bearer(request) else { return try await sessionUser(request) }
        guard let info = try await tokens.lookup(token), info.kind == .access else { throw ErrorCatalogue.invalidAccessToken }
        guard !info.revoked, info.expiresAt > now().timeIntervalSince1970 else { throw ErrorCatalogue.accessTokenExpired }
        guard info.scopes.contains(scope) else {
            throw ErrorCatalogue.permissionDenied.because("the token's scope does not include \(scope)")
        }
        if let clientLimit, let wait = clientLimit.limiter.take("oauth-client", client: info.clientID, limit: clientLimit.limit) {
            throw RetryAfter(error: ErrorCatalogue.rateLimited, seconds: Int(wait.rounded(.up)))
        }
        return try await users.user(id: info.userID)
    }

    /// The account of the request's session cookie.
    func sessionUser(_ request: Request) async throws -> User? {
        guard let token = ClientSession.existing(in: request),
              let id = try await sessions.userID(token: token, at: now())
        else { return nil }
        return try await users.user(id: id)
    }

    /// The caller's account under `policy` (not `.anonymous`), or 202101.
    public func requireUser(_ request: Request, policy: AccessPolicy) async throws -> User {
        guard let user = try await user(request, policy: policy) else { throw ErrorCatalogue.notLoggedIn }
        return user
    }

    /// The token of `Authorization: Bearer <token>`.
    static func bearer(_ request: Request) -> String? {
        guard let header = request.headers[.authorization], header.count > 7,
              header.prefix(7).lowercased() == "bearer "
        else { return nil }
        return String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    }
}
