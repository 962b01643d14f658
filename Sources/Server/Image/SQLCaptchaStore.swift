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
    private let saves: GroupCommit<Pending>

    public init(database: ServerDatabase, now: @escaping @Sendable () -> Date = Date.init) {
        let sql = database.sql
        self.database = sql
        self.now = now
        // Expired challenges are swept after every 256th batch.
        let batches = Atomic<Int>(0)
        saves = GroupCommit(maxBatch: 256) { batch in
            let sweep = batches.wrappingAdd(1, ordering: .relaxed).newValue % 256 == 0
            try await Self.write(batch, to: sql, sweepBefore: sweep ? now().timeIntervalSince1970 : nil)
        }
    }

    struct Row: Decodable {
        var digest: Data
        var expires_at: Double
        var failed_attempts: Int
        var checked: Bool
        var sealed_text: Data?
    }

    private func record(_ row: Row) -> CaptchaRecord {
        CaptchaRecord(
            digest: Array(row.digest), expiresAt: Date(timeIntervalSince1970: row.expires_at), failedAttempts: row.failed_attempts,
            checked: row.checked, sealedText: row.sealed_text.map(Array.init))
    }

    public func save(_ record: CaptchaRecord, for key: CaptchaKey) async throws(CaptchaError) {
        do {
            try await saves.submit(Pending(
                slot: key.slot, digest: Data(record.digest), expiresAt: record.expiresAt.timeIntervalSince1970,
                sealedText: record.sealedText.map { Data($0) }))
        } catch {
            throw .store("cannot save the challenge: \(type(of: error))")
        }
    }

    struct Pending: Sendable {
        var slot: String
        var digest: Data
        var expiresAt: Double
        var sealedText: Data?
    }

    /// One multi-row upsert for a batch of new challenges. A slot twice in a
    /// batch keeps its last challenge, as two saves in a row would. Rows go in
    /// slot order: batches of several instances then lock rows in the same
    /// order and cannot deadlock on PostgreSQL.
    static func write(_ batch: [Pending], to database: any SQLDatabase, sweepBefore now: Double?) async throws {
        var latest: [String: Pending] = [:]
        for item in batch { latest[item.slot] = item }
        var insert = database.insert(into: "captcha_challenges").columns("slot", "digest", "expires_at", "failed_attempts", "checked", "sealed_text")
        for slot in latest.keys.sorted() {
            guard let item = latest[slot] else { continue }
            insert = insert.values(SQLBind(item.slot), SQLBind(item.digest), SQLBind(item.expiresAt), SQLLiteral.numeric("0"), SQLBind(false), SQLBind(item.sealedText))
        }
        try await insert.onConflict(with: ["slot"]) { conflict in
            conflict.set(excludedValueOf: "digest").set(excludedValueOf: "expires_at").set("failed_attempts", to: SQLLiteral.numeric("0"))
                .set("checked", to: SQLBind(false)).set(excludedValueOf: "sealed_text")
        }.run()
        if let now {
            try await database.delete(from: "captcha_challenges").where("expires_at", .lessThan, SQLBind(now)).run()
        }
    }

    public func peek(_ key: CaptchaKey) async throws(CaptchaError) -> CaptchaRecord? {
        do {
            return try await database.select().columns("digest", "expires_at", "failed_attempts", "checked", "sealed_text").from("captcha_challenges")
                .where("slot", .equal, SQLBind(key.slot)).first(decoding: Row.self).map(record)
        } catch {
            throw .store("cannot read the challenge: \(type(of: error))")
        }
    }

    public func take(_ key: CaptchaKey) async throws(CaptchaError) -> CaptchaRecord? {
        do {
            return try await database.raw("""
                DELETE FROM captcha_challenges WHERE slot = \(bind: key.slot) RETURNING digest, expires_at, failed_attempts, checked, sealed_text
                """).first(decoding: Row.self).map(record)
        } catch {
            throw .store("cannot take the challenge: \(type(of: error))")
        }
    }

    public func markChecked(_ key: CaptchaKey) async throws(CaptchaError) -> Bool {
        do {
            // One statement: of concurrent marks exactly one changes the row.
            return try await database.raw("""
                UPDATE captcha_challenges SET checked = \(bind: true)
                WHERE slot = \(bind: key.slot) AND checked = \(bind: false) RETURNING slot
                """).first() != nil
        } catch {
            throw .store("cannot mark the challenge: \(type(of: error))")
        }
    }

    public func recordFailure(_ key: CaptchaKey, limit: Int) async throws(CaptchaError) {
        do {
            let slot = key.slot
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
