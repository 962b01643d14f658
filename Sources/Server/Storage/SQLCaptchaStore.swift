public import Captcha
public import Foundation
import SQLKit
import Synchronization

/// Captcha challenges in the database, so that they survive restarts and are
/// shared by every server on the same database. Single use rests on one atomic
/// statement (`DELETE ... RETURNING`): of concurrent takes, exactly one gets the row.
public final class SQLCaptchaStore: CaptchaStore {
    private let database: any SQLDatabase
    private let now: @Sendable () -> Date
    private let saves = Atomic<Int>(0)

    public init(database: ServerDatabase, now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database.sql
        self.now = now
    }

    struct Row: Decodable {
        var digest: [UInt8]
        var expires_at: Double
        var failed_attempts: Int
    }

    /// The slot's key text: client and scenario cannot run into each other.
    static func slot(_ key: CaptchaKey) -> String { "\(key.client.utf8.count):\(key.client)|\(key.scenario)" }

    private func record(_ row: Row) -> CaptchaRecord {
        CaptchaRecord(digest: row.digest, expiresAt: Date(timeIntervalSince1970: row.expires_at), failedAttempts: row.failed_attempts)
    }

    public func save(_ record: CaptchaRecord, for key: CaptchaKey) async throws(CaptchaError) {
        do {
            try await database.raw("""
                INSERT INTO captcha_challenges (slot, digest, expires_at, failed_attempts) VALUES (\(bind: Self.slot(key)), \(bind: record.digest), \(bind: record.expiresAt.timeIntervalSince1970), 0)
                ON CONFLICT (slot) DO UPDATE SET digest = excluded.digest, expires_at = excluded.expires_at, failed_attempts = 0
                """).run()
            // Expired challenges are swept every 256 saves.
            if saves.wrappingAdd(1, ordering: .relaxed).newValue % 256 == 0 {
                try await database.delete(from: "captcha_challenges")
                    .where("expires_at", .lessThan, SQLBind(now().timeIntervalSince1970)).run()
            }
        } catch {
            throw .store("cannot save the challenge: \(type(of: error))")
        }
    }

    public func peek(_ key: CaptchaKey) async throws(CaptchaError) -> CaptchaRecord? {
        do {
            return try await database.select().columns("digest", "expires_at", "failed_attempts").from("captcha_challenges")
                .where("slot", .equal, SQLBind(Self.slot(key))).first(decoding: Row.self).map(record)
        } catch {
            throw .store("cannot read the challenge: \(type(of: error))")
        }
    }

    public func take(_ key: CaptchaKey) async throws(CaptchaError) -> CaptchaRecord? {
        do {
            return try await database.raw("""
                DELETE FROM captcha_challenges WHERE slot = \(bind: Self.slot(key)) RETURNING digest, expires_at, failed_attempts
                """).first(decoding: Row.self).map(record)
        } catch {
            throw .store("cannot take the challenge: \(type(of: error))")
        }
    }

    public func recordFailure(_ key: CaptchaKey, limit: Int) async throws(CaptchaError) {
        do {
            let slot = Self.slot(key)
            try await database.raw("""
                UPDATE captcha_challenges SET failed_attempts = failed_attempts + 1 WHERE slot = \(bind: slot)
                """).run()
            try await database.raw("""
                DELETE FROM captcha_challenges WHERE slot = \(bind: slot) AND failed_attempts >= \(bind: limit)
                """).run()
        } catch {
            throw .store("cannot count the attempt: \(type(of: error))")
        }
    }
}
