import HummingbirdBcrypt
import NIOPosix

/// bcrypt (HummingbirdBcrypt) on NIO's blocking thread pool: a hash takes a
/// quarter of a second at cost 12 and must not hold up the event loops.
public struct PasswordHasher: Sendable {
    public let cost: UInt8
    /// A hash of nothing anyone knows, checked when the account does not exist
    /// so that a login for an unknown name takes as long as a wrong password.
    private let decoy: String

    /// `cost` is log2 of the rounds, 4...31; 12 by default, 4 in tests.
    public init(cost: UInt8 = 12) {
        self.cost = min(max(cost, 4), 31)
        decoy = Bcrypt.hash("upare decoy \(UInt64.random(in: .min ... .max))", cost: self.cost)
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Whether `password` matches `hash`; with no hash, the decoy's time is spent and false returned.
    public func verify(_ password: String, against hash: String?) async throws -> Bool {
        let target = hash ?? decoy
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: target) }
        return matches && hash != nil
    }
}
