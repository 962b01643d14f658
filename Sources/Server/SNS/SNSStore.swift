import Crypto
import Foundation
import SQLKit

/// Social accounts bound to users, sign-ins in progress, and finished sign-ins
/// waiting to be bound. Session tokens and states are stored as SHA-256.
public struct SNSStore: Sendable {
    static let stateLifetime: TimeInterval = 600
    static let pendingLifetime: TimeInterval = 1_800

    let database: any SQLDatabase

    public init(database: ServerDatabase) {
        self.database = database.sql
    }

    func saveState(_ state: String, session: String, channel: String, verifier: String, at now: Date) async throws {
        try await database.insert(into: "sns_states")
            .columns("state_hash", "session_hash", "channel", "code_verifier", "expires_at")
            .values(SQLBind(SecureToken.hash(state)), SQLBind(SecureToken.hash(session)), SQLBind(channel), SQLBind(verifier),
                    SQLBind(now.timeIntervalSince1970 + Self.stateLifetime))
            .run()
    }

    /// Uses the state up; its verifier if it was made for this session and channel and is live.
    func takeState(_ state: String, session: String, channel: String, at now: Date) async throws -> String? {
        struct Row: Decodable {
            var session_hash: Data
            var channel: String
            var code_verifier: String
            var expires_at: Double
        }
        guard let row = try await database.raw("""
            DELETE FROM sns_states WHERE state_hash = \(bind: SecureToken.hash(state))
            RETURNING session_hash, channel, code_verifier, expires_at
            """).first(decoding: Row.self),
            row.session_hash == SecureToken.hash(session), row.channel == channel, row.expires_at > now.timeIntervalSince1970
        else { return nil }
        return row.code_verifier
    }

    func boundUser(channel: String, externalID: String) async throws -> Int? {
        struct Row: Decodable { var user_id: Int }
        return try await database.select().column("user_id").from("sns_bindings")
            .where("channel", .equal, SQLBind(channel)).where("external_id", .equal, SQLBind(externalID))
            .first(decoding: Row.self)?.user_id
    }

    /// Binds; false when the social account or the user's channel is bound already.
    func bind(userID: Int, channel: String, identity: SNSClient.Identity, at now: Date) async throws -> Bool {
        let rows = try await database.raw("""
            INSERT INTO sns_bindings (channel, external_id, user_id, display_name, bound_at)
            VALUES (\(bind: channel), \(bind: identity.externalID), \(bind: userID), \(bind: identity.displayName), \(bind: now.timeIntervalSince1970))
            ON CONFLICT DO NOTHING RETURNING user_id
            """).all()
        return !rows.isEmpty
    }

    func unbind(userID: Int, channel: String) async throws -> Bool {
        try await !database.raw("""
            DELETE FROM sns_bindings WHERE user_id = \(bind: userID) AND channel = \(bind: channel) RETURNING user_id
            """).all().isEmpty
    }

    func channels(of userID: Int) async throws -> [String] {
        struct Row: Decodable { var channel: String }
        return try await database.select().column("channel").from("sns_bindings").where("user_id", .equal, SQLBind(userID))
            .orderBy("channel").all(decoding: Row.self).map(\.channel)
    }

    func savePending(session: String, channel: String, identity: SNSClient.Identity, at now: Date) async throws {
        try await database.raw("""
            INSERT INTO sns_pending (session_hash, channel, external_id, display_name, expires_at)
            VALUES (\(bind: SecureToken.hash(session)), \(bind: channel), \(bind: identity.externalID), \(bind: identity.displayName),
                    \(bind: now.timeIntervalSince1970 + Self.pendingLifetime))
            ON CONFLICT (session_hash) DO UPDATE SET channel = excluded.channel, external_id = excluded.external_id,
                display_name = excluded.display_name, expires_at = excluded.expires_at
            """).run()
    }

    /// The session's finished sign-in waiting for an account.
    func pending(session: String, at now: Date) async throws -> (channel: String, identity: SNSClient.Identity)? {
        struct Row: Decodable {
            var channel: String
            var external_id: String
            var display_name: String
            var expires_at: Double
        }
        guard let row = try await database.select().columns("channel", "external_id", "display_name", "expires_at")
            .from("sns_pending").where("session_hash", .equal, SQLBind(SecureToken.hash(session))).first(decoding: Row.self),
            row.expires_at > now.timeIntervalSince1970
        else { return nil }
        return (row.channel, SNSClient.Identity(externalID: row.external_id, displayName: row.display_name))
    }

    func clearPending(session: String) async throws {
        try await database.delete(from: "sns_pending").where("session_hash", .equal, SQLBind(SecureToken.hash(session))).run()
    }
}
