public import Foundation
import SQLKit

/// The default delivery: messages are kept in the database's `outbox` table,
/// readable with `upare outbox`. SMS always go here; so does e-mail until a
/// sendmail command is configured.
public struct OutboxMailer: Mailer {
    let database: any SQLDatabase
    let now: @Sendable () -> Date

    public init(database: ServerDatabase, now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database.sql
        self.now = now
    }

    public func deliver(_ message: OutgoingMessage) async throws(DeliveryError) {
        do {
            try await database.insert(into: "outbox")
                .columns("medium", "recipient", "subject", "body", "created_at")
                .values(SQLBind(message.medium.rawValue), SQLBind(message.recipient), SQLBind(message.subject),
                        SQLBind(message.body), SQLBind(now().timeIntervalSince1970))
                .run()
        } catch {
            throw DeliveryError(reason: "the outbox could not be written")
        }
    }

    public struct Entry: Decodable, Sendable {
        public var id: Int
        public var medium: String
        public var recipient: String
        public var subject: String
        public var body: String
        public var created_at: Double
    }

    /// The newest `limit` messages, newest first.
    public func recent(limit: Int) async throws -> [Entry] {
        try await database.select().columns("id", "medium", "recipient", "subject", "body", "created_at")
            .from("outbox").orderBy("id", .descending).limit(limit).all(decoding: Entry.self)
    }
}
