public import Foundation
import SQLKit

/// Failed-login limits per account and per client address, in the database so
/// that every instance sees the same counts. A subject with `limit` failures in
/// its window is refused (201204, Retry-After) until the window ends; a right
/// password clears the account's count. An account is counted by its id, so
/// its username and its e-mail address share one budget; unknown names are
/// counted like real ones, so the throttle does not tell which accounts exist.
public struct LoginThrottle: Sendable {
    public struct Limits: Sendable, Equatable {
        public var perAccount = 10
        public var perAddress = 50
        public var window: TimeInterval = 900

        public init() {}
    }

    let database: any SQLDatabase
    let limits: Limits

    public init(database: ServerDatabase, limits: Limits = Limits()) {
        self.database = database.sql
        self.limits = limits
    }

    /// Who a login attempt is counted against.
    public enum Account: Sendable, Equatable {
        /// An existing account, by id.
        case id(Int)
        /// A name that matches no account, as typed (case-folded).
        case unknown(String)

        var subject: String {
            switch self {
            case .id(let id): "account:\(id)"
            case .unknown(let login): "login:" + AccountRules.key(login)
            }
        }
    }

    static func subjects(account: Account, address: String) -> (account: String, address: String) {
        (account.subject, "address:" + address)
    }

    /// nil when a login may be tried; else the seconds to wait.
    public func wait(account: Account, address: String, at now: Date) async throws -> Int? {
        struct Row: Decodable {
            var subject: String
            var failures: Int
            var window_start: Double
        }
        let subjects = Self.subjects(account: account, address: address)
        let rows = try await database.raw("""
            SELECT subject, failures, window_start FROM login_failures
            WHERE subject IN (\(bind: subjects.account), \(bind: subjects.address))
            """).all(decoding: Row.self)
        let time = now.timeIntervalSince1970
        let waits = rows.compactMap { row -> Double? in
            let limit = row.subject == subjects.account ? limits.perAccount : limits.perAddress
            let end = row.window_start + limits.window
            return row.failures >= limit && end > time ? end - time : nil
        }
        return waits.max().map { max(1, Int($0.rounded(.up))) }
    }

    public func recordFailure(account: Account, address: String, at now: Date) async throws {
        let subjects = Self.subjects(account: account, address: address)
        for subject in [subjects.account, subjects.address] {
            // A window that has ended starts again at one failure.
            try await database.raw("""
                INSERT INTO login_failures (subject, failures, window_start) VALUES (\(bind: subject), 1, \(bind: now.timeIntervalSince1970))
                ON CONFLICT (subject) DO UPDATE SET
                    failures = CASE WHEN login_failures.window_start + \(bind: limits.window) <= excluded.window_start
                        THEN 1 ELSE login_failures.failures + 1 END,
                    window_start = CASE WHEN login_failures.window_start + \(bind: limits.window) <= excluded.window_start
                        THEN excluded.window_start ELSE login_failures.window_start END
                """).run()
        }
    }

    public func recordSuccess(account: Account) async throws {
        try await database.delete(from: "login_failures")
            .where("subject", .equal, SQLBind(account.subject)).run()
    }
}
