public import Foundation
import SQLKit

/// A friend as listed: who, and since when (or, for recommendations, how many
/// friends are shared).
public struct FriendEntry: Sendable, Equatable {
    public var uid: Int
    public var username: String
    public var nickname: String?
    public var since: Date?
    public var mutualFriends: Int?

    var payload: [String: any Sendable] {
        var fields: [String: any Sendable] = ["uid": uid, "username": username]
        if let nickname { fields["nickname"] = nickname }
        if let since { fields["since"] = Timestamps.iso8601(since) }
        if let mutualFriends { fields["mutual_friends"] = mutualFriends }
        return fields
    }
}

/// Mutual friendships in `friendships`, one row each way.
public struct FriendStore: Sendable {
    let database: any SQLDatabase

    public init(database: ServerDatabase) {
        self.database = database.sql
    }

    public func friends(of userID: Int) async throws -> [FriendEntry] {
        struct Row: Decodable {
            var id: Int
            var username: String
            var nickname: String?
            var created_at: Double
        }
        return try await database.raw("""
            SELECT u.id, u.username, u.nickname, f.created_at FROM friendships f JOIN users u ON u.id = f.friend_id
            WHERE f.user_id = \(bind: userID) ORDER BY u.username_key
            """).all(decoding: Row.self).map {
            FriendEntry(uid: $0.id, username: $0.username, nickname: $0.nickname, since: Date(timeIntervalSince1970: $0.created_at))
        }
    }

    /// Makes `a` and `b` friends (both rows in one statement); false when they
    /// already were.
    public func befriend(_ a: Int, _ b: Int, at now: Date) async throws -> Bool {
        let time = now.timeIntervalSince1970
        let inserted = try await database.raw("""
            INSERT INTO friendships (user_id, friend_id, created_at)
            VALUES (\(bind: a), \(bind: b), \(bind: time)), (\(bind: b), \(bind: a), \(bind: time))
            ON CONFLICT (user_id, friend_id) DO NOTHING
            RETURNING user_id
            """).all()
        return !inserted.isEmpty
    }

    /// Ends the friendship both ways; false when there was none.
    public func unfriend(_ a: Int, _ b: Int) async throws -> Bool {
        let deleted = try await database.raw("""
            DELETE FROM friendships
            WHERE (user_id = \(bind: a) AND friend_id = \(bind: b)) OR (user_id = \(bind: b) AND friend_id = \(bind: a))
            RETURNING user_id
            """).all()
        return !deleted.isEmpty
    }

    /// Friends of friends who are neither the user nor already friends, most
    /// shared friends first. Walks the primary key from the user's friends, so
    /// the cost is the friends' friend counts, not the number of users.
    public func recommendations(for userID: Int, limit: Int) async throws -> [FriendEntry] {
        struct Row: Decodable {
            var id: Int
            var username: String
            var nickname: String?
            var mutual: Int
        }
        return try await database.raw("""
            SELECT u.id, u.username, u.nickname, c.mutual FROM (
                SELECT f2.friend_id AS candidate, COUNT(*) AS mutual
                FROM friendships f1 JOIN friendships f2 ON f2.user_id = f1.friend_id
                WHERE f1.user_id = \(bind: userID) AND f2.friend_id <> \(bind: userID)
                    AND NOT EXISTS (SELECT 1 FROM friendships f3 WHERE f3.user_id = \(bind: userID) AND f3.friend_id = f2.friend_id)
                GROUP BY f2.friend_id
                ORDER BY mutual DESC, f2.friend_id
                LIMIT \(bind: limit)
            ) c JOIN users u ON u.id = c.candidate
            ORDER BY c.mutual DESC, u.id
            """).all(decoding: Row.self).map {
            FriendEntry(uid: $0.id, username: $0.username, nickname: $0.nickname, since: nil, mutualFriends: $0.mutual)
        }
    }
}
