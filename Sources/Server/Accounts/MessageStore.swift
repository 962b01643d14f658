public import Foundation
import SQLKit

/// A message in a user's inbox: from the system (welcome, notices) or from
/// another user (friend requests in "Server II").
public struct InboxMessage: Sendable, Equatable {
    public var id: Int
    public var senderID: Int?
    public var kind: String
    public var title: String
    public var body: String
    public var createdAt: Date
    public var readAt: Date?

    var payload: [String: any Sendable] {
        var fields: [String: any Sendable] = [
            "id": id, "kind": kind, "title": title, "body": body,
            "created_at": Timestamps.iso8601(createdAt), "read": readAt != nil,
        ]
        if let senderID { fields["sender_id"] = senderID }
        if let readAt { fields["read_at"] = Timestamps.iso8601(readAt) }
        return fields
    }
}

/// The `messages` table. Every query names the owner: nobody reads another's inbox.
public struct MessageStore: Sendable {
    let database: any SQLDatabase

    public init(database: ServerDatabase) {
        self.database = database.sql
    }

    struct Row: Decodable {
        var id: Int
        var sender_id: Int?
        var kind: String
        var title: String
        var body: String
        var created_at: Double
        var read_at: Double?

        var message: InboxMessage {
            InboxMessage(id: id, senderID: sender_id, kind: kind, title: title, body: body,
                         createdAt: Date(timeIntervalSince1970: created_at), readAt: read_at.map(Date.init(timeIntervalSince1970:)))
        }
    }

    static let columns = ["id", "sender_id", "kind", "title", "body", "created_at", "read_at"].map { SQLColumn($0) }

    @discardableResult
    public func send(to userID: Int, from senderID: Int? = nil, kind: String, title: String, body: String, at now: Date) async throws -> Int {
        let row = try await database.insert(into: "messages")
            .columns("user_id", "sender_id", "kind", "title", "body", "created_at")
            .values(SQLBind(userID), SQLBind(senderID), SQLBind(kind), SQLBind(title), SQLBind(body), SQLBind(now.timeIntervalSince1970))
            .returning(SQLColumn("id")).first()
        guard let id = try row?.decode(column: "id", as: Int.self) else { throw StoreError.notWritten(.message) }
        return id
    }

    /// The inbox, newest first, `limit` at a time from `offset`.
    public func list(for userID: Int, limit: Int, offset: Int) async throws -> [InboxMessage] {
        try await database.select().columns(Self.columns).from("messages")
            .where("user_id", .equal, SQLBind(userID)).orderBy("id", .descending).limit(limit).offset(offset)
            .all(decoding: Row.self).map(\.message)
    }

    public func counts(for userID: Int) async throws -> (total: Int, unread: Int) {
        let row = try await database.raw("""
            SELECT COUNT(*) AS total, COUNT(*) - COUNT(read_at) AS unread FROM messages WHERE user_id = \(bind: userID)
            """).first()
        return (try row?.decode(column: "total", as: Int.self) ?? 0, try row?.decode(column: "unread", as: Int.self) ?? 0)
    }

    /// The owner's message `id`, marked read the first time; nil when there is
    /// no such message or it is someone else's.
    public func read(_ id: Int, for userID: Int, at now: Date) async throws -> InboxMessage? {
        try await database.raw("""
            UPDATE messages SET read_at = COALESCE(read_at, \(bind: now.timeIntervalSince1970))
            WHERE id = \(bind: id) AND user_id = \(bind: userID)
            RETURNING id, sender_id, kind, title, body, created_at, read_at
            """).first(decoding: Row.self)?.message
    }
}
