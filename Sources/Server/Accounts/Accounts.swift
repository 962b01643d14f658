import Foundation
public import Hummingbird

/// The ways into an account, in one place: creating one (`User/register`,
/// `User/snsreg type=reg`), the password sign-in behind the failed-login
/// throttle (`User/login`, `User/snsreg type=log`, the OAuth password grant)
/// and the session that follows a sign-in in a browser.
public struct Accounts: Sendable {
    let services: Services

    /// Checks `username`, `password` and `email`, creates the account, mails the
    /// confirmation code (202201, and no account, when that fails) and leaves a
    /// welcome message.
    public func create(username: String?, password: String?, email: String?) async throws -> User {
        let username = try AccountRules.username(username)
        let password = try AccountRules.password(password, username: username)
        let email = try AccountRules.email(email)
        if try await services.users.usernameTaken(username) { throw ErrorCatalogue.usernameExists }
        if try await services.users.emailTaken(email) { throw ErrorCatalogue.emailExists }
        let hash = try await services.hasher.hash(password)
        let user = try await services.users.create(username: username, email: email, passwordHash: hash, at: services.now())
        do {
            try await deliverCode(to: .email(email))
        } catch {
            try? await services.users.delete(id: user.id)
            throw ErrorCatalogue.sendCodeFailed
        }
        try await services.messages.send(
            to: user.id, kind: "system", title: "Welcome to upare",
            body: "Your account \(user.username) is ready. Confirm \(user.email) with the code we sent there.",
            at: services.now())
        return user
    }

    /// A fresh verification code to `medium`.
    func deliverCode(to medium: Medium) async throws {
        try await services.codes.send(to: medium, via: services.mailer, at: services.now())
    }

    /// The account of `login` (username or e-mail) if `password` is its
    /// password, counted against the failed-login throttle of the account and
    /// of `address`.
    public func signIn(login: String, password: String, address: String) async throws -> User {
        try await services.passwordLogin.authenticate(login: login, password: password, address: address)
    }

    /// A new session for `user` in place of the request's (no session fixation);
    /// the cookie to set.
    public func startSession(for user: User, replacing request: Request, remember: Bool) async throws -> Cookie {
        if let old = ClientSession.existing(in: request) { try await services.sessions.delete(token: old) }
        let token = try await services.sessions.create(userID: user.id, persistent: remember, at: services.now())
        return ClientSession.cookie(
            token, maxAge: remember ? Int(SessionStore.rememberedLifetime) : nil, secure: services.configuration.secureCookies)
    }

    /// The cookie that ends a browser's session.
    var endedSessionCookie: Cookie {
        ClientSession.cookie("", maxAge: 0, secure: services.configuration.secureCookies)
    }
}
