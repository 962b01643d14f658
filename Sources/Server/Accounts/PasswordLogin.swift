public import Foundation

/// A password check behind the failed-login throttle, shared by `User/login`
/// and the OAuth password grant: refused with 201204 while the account or the
/// address is locked, 202103 for a wrong password or an unknown account (the
/// decoy hash keeps the two indistinguishable in time as well).
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

    /// Fails with 201204 (and the wait) when `login` or `address` is locked.
    public func checkThrottle(login: String, address: String) async throws {
        if let wait = try await throttle.wait(login: login, address: address, at: now()) {
            throw RetryAfter(error: ErrorCatalogue.rateLimited.because("too many failed logins; try again later"), seconds: wait)
        }
    }

    /// The account of `login` (username or e-mail) if `password` is its password.
    public func authenticate(login: String, password: String, address: String) async throws -> User {
        let account = try await users.credentials(login)
        guard try await hasher.verify(password, against: account?.passwordHash), let user = account?.user else {
            try await throttle.recordFailure(login: login, address: address, at: now())
            throw ErrorCatalogue.incorrectPassword
        }
        try await throttle.recordSuccess(login: login, address: address)
        return user
    }
}
