import Crypto
public import Foundation
import SQLKit
import Synchronization

/// Login sessions: the cookie holds a random 256-bit token, the `sessions`
/// table its SHA-256 and the account. A login always issues a new token (no
/// session fixation); `remember` makes it last 30 days, else 12 hours.
public final class SessionStore: Sendable {
    public static let rememberedLifetime: TimeInterval = 30 * 86_400
    public static let sessionLifetime: TimeInterval = 12 * 3_600

    private let database: any SQLDatabase
    private let creations = Atomic<Int>(0)

    public init(database: ServerDatabase) {
        self.database = database.sql
    }

    /// A new session for `userID`; returns the token for the cookie.
    public func create(userID: Int, persistent: Bool, at now: Date) async throws -> String {
        let token = ClientSession.newToken()
        let lifetime = persistent ? Self.rememberedLifetime : Self.sessionLifetime
        try await database.insert(into: "sessions")
            .columns("token_hash", "user_id", "persistent", "created_at", "expires_at")
            .values(SQLBind(SecureToken.hash(token)), SQLBind(userID), SQLBind(persistent),
                    SQLBind(now.timeIntervalSince1970), SQLBind(now.timeIntervalSince1970 + lifetime))
            .run()
        // Expired sessions are swept every 128 logins.
        if creations.wrappingAdd(1, ordering: .relaxed).newValue % 128 == 0 {
            try await database.delete(from: "sessions").where("expires_at", .lessThan, SQLBind(now.timeIntervalSince1970)).run()
        }
        return token
    }

    /// The account of a live session.
    public func userID(token: String, at now: Date) async throws -> Int? {
        struct Row: Decodable { var user_id: Int }
        return try await database.select().column("user_id").from("sessions")
            .where("token_hash", .equal, SQLBind(SecureToken.hash(token)))
            .where("expires_at", .greaterThan, SQLBind(now.timeIntervalSince1970))
            .first(decoding: Row.self)?.user_id
    }

    /// Ends every session of `userID` but `keep` (after a password change).
    public func deleteAll(of userID: Int, except keep: String?) async throws {
        try await database.delete(from: "sessions").where("user_id", .equal, SQLBind(userID))
            .where("token_hash", .notEqual, SQLBind(keep.map(SecureToken.hash) ?? Data())).run()
    }

    public func delete(token: String) async throws {
        try await database.delete(from: "sessions").where("token_hash", .equal, SQLBind(SecureToken.hash(token))).run()
    }
}
