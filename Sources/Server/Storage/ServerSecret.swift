import Crypto
import Foundation
import SQLKit

/// The server's master secret, from which the keys of captcha answers and
/// verification codes are derived (HKDF, one label per use). Configured by
/// `UPARE_SECRET`, or else made once from the system CSPRNG and kept in the
/// database, so that challenges and codes survive restarts and every instance
/// on the same database agrees.
public struct ServerSecret: Sendable {
    let key: SymmetricKey

    /// A configured secret: any text of at least 32 characters (hashed to 256 bits).
    public init(text: String) throws {
        guard text.utf8.count >= 32 else {
            throw ServerSecretError(reason: "UPARE_SECRET must be at least 32 characters")
        }
        key = SymmetricKey(data: SHA256.hash(data: Data(text.utf8)))
    }

    public init(bytes: [UInt8]) {
        key = SymmetricKey(data: bytes)
    }

    /// The database's secret, created on first use. `INSERT ... ON CONFLICT DO
    /// NOTHING` then a read: concurrent first starts agree on one value.
    public static func stored(in database: ServerDatabase) async throws -> ServerSecret {
        let fresh = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        try await database.sql.raw("""
            INSERT INTO server_secret (id, secret) VALUES (1, \(bind: Data(fresh))) ON CONFLICT (id) DO NOTHING
            """).run()
        struct Row: Decodable { var secret: Data }
        guard let row = try await database.sql.select().column("secret").from("server_secret")
            .where("id", .equal, SQLBind(1)).first(decoding: Row.self), row.secret.count >= 32
        else { throw ServerSecretError(reason: "the database holds no usable server secret") }
        return ServerSecret(bytes: Array(row.secret))
    }

    /// `text` when one is configured (`UPARE_SECRET`), else the database's own.
    public static func configured(_ text: String?, database: ServerDatabase) async throws -> ServerSecret {
        if let text { return try ServerSecret(text: text) }
        return try await stored(in: database)
    }

    /// What an operator must be told when the secret lives beside what it protects.
    public static let storedSecretWarning = """
        UPARE_SECRET is not set: the server secret is kept in the database it protects. Anyone with a copy \
        of the database can then open sealed values (outbox codes, picture keys, ID numbers) and forge \
        captcha tokens. Set UPARE_SECRET (32+ random characters, kept outside the database); see docs/deploy.md.
        """

    /// 32 bytes for one purpose; different labels give independent keys.
    public func derive(_ label: String) -> [UInt8] {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data("upare \(label) v1".utf8), outputByteCount: 32)
            .withUnsafeBytes { Array($0) }
    }
}

public struct ServerSecretError: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}
