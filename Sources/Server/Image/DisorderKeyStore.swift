public import Disorder
public import Foundation
import SQLKit

/// Picture keys the server keeps for a user, so that `Image/disorder` can be
/// called with a `key_id` instead of sending the key each time. Keys are
/// sealed for their owner (`OwnerSealer`).
public struct DisorderKeyStore: Sendable {
    let database: any SQLDatabase
    let sealer: OwnerSealer

    public init(database: ServerDatabase, secret: ServerSecret) {
        self.database = database.sql
        sealer = OwnerSealer(secret: secret, purpose: "disorder key sealing")
    }

    /// A new random key for `userID`: its id, and its hex text for the owner's own copy.
    public func create(for userID: Int, at now: Date) async throws -> (id: Int, key: String) {
        let key = DisorderKey()
        let hex = key.hexString
        let combined = try sealer.seal(hex, owner: userID)
        let row = try await database.insert(into: "disorder_keys")
            .columns("user_id", "sealed", "created_at")
            .values(SQLBind(userID), SQLBind(combined), SQLBind(now.timeIntervalSince1970))
            .returning(SQLColumn("id")).first()
        guard let id = try row?.decode(column: "id", as: Int.self) else { throw StoreError.notWritten(.pictureKey) }
        return (id, hex)
    }

    /// The owner's key `id`; nil when there is none or it is someone else's.
    public func key(_ id: Int, for userID: Int) async throws -> DisorderKey? {
        struct Row: Decodable { var sealed: Data }
        guard let row = try await database.select().column("sealed").from("disorder_keys")
            .where("id", .equal, SQLBind(id)).where("user_id", .equal, SQLBind(userID)).first(decoding: Row.self)
        else { return nil }
        return try DisorderKey(text: sealer.open(row.sealed, owner: userID))
    }
}
