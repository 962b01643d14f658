public import Foundation
public import Hummingbird

/// Who is calling: the account of the request's session cookie. (OAuth bearer
/// tokens join here in "Server II".)
public struct Authenticator: Sendable {
    let sessions: SessionStore
    let users: UserStore
    let now: @Sendable () -> Date

    public init(sessions: SessionStore, users: UserStore, now: @escaping @Sendable () -> Date) {
        self.sessions = sessions
        self.users = users
        self.now = now
    }

    /// The caller's account, or nil for an anonymous request.
    public func user(_ request: Request) async throws -> User? {
        guard let token = ClientSession.existing(in: request),
              let id = try await sessions.userID(token: token, at: now())
        else { return nil }
        return try await users.user(id: id)
    }

    /// The caller's account, or 202101.
    public func requireUser(_ request: Request) async throws -> User {
        guard let user = try await user(request) else { throw ErrorCatalogue.notLoggedIn }
        return user
    }
}
