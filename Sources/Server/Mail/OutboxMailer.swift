public import Foundation
import SQLKit

/// The default delivery: messages are kept in the database's `outbox` table,
/// readable with `upare outbox`. SMS always go here; so does e-mail until a
/// sendmail command is configured. Bodies hold verification codes, so they are
/// kept sealed (AES-GCM under the server secret, bound to the recipient): a
/// copy of the database alone does not give them away. The sweeper removes
/// entries after `retention`.
public struct OutboxMailer: Mailer {
    /// How long an entry is kept: as long as a code is worth reading.
    public static let retention: TimeInterval = 86_400

    let database: any SQLDatabase
    let sealer: OwnerSealer
    let now: @Sendable () -> Date

    static let sealedPrefix = "sealed:v1:"

    public init(database: ServerDatabase, secret: ServerSecret, now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database.sql
        sealer = OwnerSealer(secret: secret, purpose: "outbox")
        self.now = now
    }

    public func deliver(_ message: OutgoingMessage) async throws(DeliveryError) {
        do {
            let body = try Self.sealedPrefix + sealer.seal(message.body, boundTo: message.recipient).base64EncodedString()
            try await database.insert(into: "outbox")
                .columns("medium", "recipient", "subject", "body", "created_at")
                .values(SQLBind(message.medium.rawValue), SQLBind(message.recipient), SQLBind(message.subject),
                        SQLBind(body), SQLBind(now().timeIntervalSince1970))
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

    /// The newest `limit` messages, newest first, opened. A body that does not
    /// open (another secret's) reads as "(sealed under another secret)".
    public func recent(limit: Int) async throws -> [Entry] {
        let rows = try await database.select().columns("id", "medium", "recipient", "subject", "body", "created_at")
            .from("outbox").orderBy("id", .descending).limit(limit).all(decoding: Entry.self)
        return rows.map { row in
            guard row.body.hasPrefix(Self.sealedPrefix) else { return row }
            var opened = row
            let sealed = Data(base64Encoded: String(row.body.dropFirst(Self.sealedPrefix.count))) ?? Data()
            opened.body = (try? sealer.open(sealed, boundTo: row.recipient)) ?? "(sealed under another secret)"
            return opened
        }
    }
}
