public import Foundation

/// A password check behind the failed-login throttle, shared by `User/login`,
/// `User/snsreg`, the OAuth password grant and the current-password check of
/// `User/modifyBasicInfo`: refused with 201204 while the account or the
/// address is locked, 202103 for a wrong password or an unknown account (the
/// decoy hash keeps the two indistinguishable in time as well). Failures are
/// counted per account, whichever of its names was typed.
public struct PasswordLogin: Sendable {
    let users: UserStore
    let throttle: LoginThrottle
    let hasher: PasswordHasher
    let now: @Sendable () -> Date

    public init(users: UserStore, throttle: LoginThrottle, hasher: PasswordHasher, now: @escaping @Sendable () -> Date) {
        self.users = users
        self.throttle = throttle
        self.hasher = hasher
        self.now = now
    }

    /// Fails with 201204 (and the wait) when the account of `login` or `address`
    /// is locked. `authenticate` checks this itself; `User/login` asks first so
    /// that a locked account does not use up the caller's captcha.
    public func checkThrottle(login: String, address: String) async throws {
        let account = try await users.credentials(login)
        try await checkThrottle(account.map { .id($0.user.id) } ?? .unknown(login), address: address)
    }

    func checkThrottle(_ account: LoginThrottle.Account, address: String) async throws {
        if let wait = try await throttle.wait(account: account, address: address, at: now()) {
            throw RetryAfter(error: ErrorCatalogue.rateLimited.because("too many failed logins; try again later"), seconds: wait)
        }
    }

    /// The account of `login` (username or e-mail) if `password` is its password.
    public func authenticate(login: String, password: String, address: String) async throws -> User {
        let account = try await users.credentials(login)
        let subject: LoginThrottle.Account = account.map { .id($0.user.id) } ?? .unknown(login)
        try await checkThrottle(subject, address: address)
        guard try await hasher.verify(password, against: account?.passwordHash), let user = account?.user else {
            try await throttle.recordFailure(account: subject, address: address, at: now())
            throw ErrorCatalogue.incorrectPassword
        }
        try await throttle.recordSuccess(account: subject)
        return user
    }

    /// Checks that `password` is `user`'s current password (re-authentication
    /// before a sensitive change, ASVS 2.1.6), under the same throttle.
    public func confirm(_ user: User, password: String?, address: String) async throws {
        guard let password, !password.isEmpty else {
            throw ErrorCatalogue.usernamePasswordRequired.because("password (the current one) is required for this change")
        }
        try await checkThrottle(.id(user.id), address: address)
        guard try await hasher.verify(password, against: users.passwordHash(of: user.id)) else {
            try await throttle.recordFailure(account: .id(user.id), address: address, at: now())
            throw ErrorCatalogue.incorrectPassword.because("the current password is wrong")
        }
    }
}
