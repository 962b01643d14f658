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

    /// A live session as its owner sees it: `id` names it without revealing
    /// the token (a prefix of the token's SHA-256).
    public struct Listed: Sendable, Equatable {
        public var id: String
        public var persistent: Bool
        public var createdAt: Double
        public var expiresAt: Double
    }

    static func publicID(_ hash: Data) -> String { SecureToken.base64URL(hash.prefix(12)) }

    /// The public id of the session of `token`.
    public static func publicID(token: String) -> String { publicID(SecureToken.hash(token)) }

    /// `userID`'s live sessions, newest first (at most 1000).
    public func sessions(of userID: Int, at now: Date) async throws -> [Listed] {
        try await rows(of: userID, at: now).map(\.listed)
    }

    private struct Row: Decodable {
        var token_hash: Data
        var persistent: Bool
        var created_at: Double
        var expires_at: Double
        var listed: Listed {
            Listed(id: SessionStore.publicID(token_hash), persistent: persistent, createdAt: created_at, expiresAt: expires_at)
        }
    }

    private func rows(of userID: Int, at now: Date) async throws -> [Row] {
        try await database.select().columns("token_hash", "persistent", "created_at", "expires_at").from("sessions")
            .where("user_id", .equal, SQLBind(userID)).where("expires_at", .greaterThan, SQLBind(now.timeIntervalSince1970))
            .orderBy("created_at", .descending).limit(1000).all(decoding: Row.self)
    }

    /// Ends `userID`'s session with public id `id`; false when there is none.
    public func end(_ id: String, of userID: Int, at now: Date) async throws -> Bool {
        guard let row = try await rows(of: userID, at: now).first(where: { Self.publicID($0.token_hash) == id }) else { return false }
        try await database.delete(from: "sessions").where("token_hash", .equal, SQLBind(row.token_hash)).run()
        return true
    }

    public func delete(token: String) async throws {
        try await database.delete(from: "sessions").where("token_hash", .equal, SQLBind(SecureToken.hash(token))).run()
    }
}
