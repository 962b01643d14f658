import Captcha
import Foundation
import Logging
import Server
import SQLKit
import Testing
import TestSupport

@Suite("SQLite storage")
struct StorageTests {
    static func temporaryDatabase() async throws -> (ServerDatabase, URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("upare-db-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let database = try await ServerDatabase.open(path: folder.appendingPathComponent("test.sqlite").path, logger: Logger(label: "test"))
        return (database, folder)
    }

    @Test("the file is created, migrated once, and reopened without migrating again")
    func migrations() async throws {
        let (database, folder) = try await Self.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: folder) }
        try await database.close()
        let reopened = try await ServerDatabase.open(path: folder.appendingPathComponent("test.sqlite").path, logger: Logger(label: "test"))
        struct Version: Decodable { var version: Int }
        let versions = try await reopened.sql.select().column("version").from("schema_migrations").all(decoding: Version.self)
        // Every step once, in order, and none applied again on reopening.
        #expect(versions.map(\.version) == Array(1...versions.count))
        #expect(versions.count >= 2)
        struct Mode: Decodable { var journal_mode: String }
        let mode = try await reopened.sql.raw("PRAGMA journal_mode").first(decoding: Mode.self)
        #expect(mode?.journal_mode == "wal")
        try await reopened.close()
    }

    @Test("the SQL captcha store: save, peek, take once, count failures, replace")
    func captchaStore() async throws {
        let (database, folder) = try await Self.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = SQLCaptchaStore(database: database)
        let key = try CaptchaKey(client: "c'; DROP TABLE captcha_challenges; --", scenario: "login")
        let record = CaptchaRecord(digest: [1, 2, 3, 255], expiresAt: Date(timeIntervalSince1970: 2_000_000_000))
        try await store.save(record, for: key)
        #expect(try await store.peek(key) == record)
        try await store.recordFailure(key, limit: 3)
        #expect(try await store.peek(key)?.failedAttempts == 1)
        try await store.recordFailure(key, limit: 2)
        #expect(try await store.peek(key) == nil, "dropped at the limit")
        try await store.save(record, for: key)
        try await store.save(CaptchaRecord(digest: [9], expiresAt: record.expiresAt), for: key)
        #expect(try await store.take(key)?.digest == [9])
        #expect(try await store.take(key) == nil)
        try await database.close()
    }

    @Test("concurrent saves are grouped: every one is written, as a blob, the last of a slot wins")
    func groupCommit() async throws {
        let (database, folder) = try await Self.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = SQLCaptchaStore(database: database)
        let expires = Date(timeIntervalSince1970: 2_000_000_000)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<600 {
                group.addTask {
                    let key = try CaptchaKey(client: "client\(index % 500)", scenario: "")
                    try await store.save(CaptchaRecord(digest: [UInt8(index % 256), 7], expiresAt: expires), for: key)
                }
            }
            try await group.waitForAll()
        }
        let row = try await database.sql.raw(
            "SELECT COUNT(*) AS n, SUM(typeof(digest) = 'blob') AS blobs FROM captcha_challenges").first()
        #expect(try row?.decode(column: "n", as: Int.self) == 500)
        #expect(try row?.decode(column: "blobs", as: Int.self) == 500, "digests are stored as BLOBs, not JSON text")
        for index in 0..<100 {
            let digest = try await store.peek(CaptchaKey(client: "client\(index)", scenario: ""))?.digest
            #expect(digest?.last == 7)
        }
        try await database.close()
        // After the connection is closed, a save fails cleanly.
        await #expect(throws: CaptchaError.self) {
            try await store.save(CaptchaRecord(digest: [1], expiresAt: expires), for: CaptchaKey(client: "late", scenario: ""))
        }
    }

    @Test("captchas verify against the database: right once, even under concurrency, and across restarts")
    func captchaThroughDatabase() async throws {
        let (database, folder) = try await Self.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fonts = TestFonts.library
        let secret = try CaptchaSecret(bytes: Array(repeating: 3, count: 32))
        let key = try CaptchaKey(client: "session", scenario: "login")
        let captcha = try Captcha(fonts: fonts, secret: secret, store: SQLCaptchaStore(database: database))
        _ = try await captcha.generate(for: key, seed: 5)
        try await database.close()
        // A restarted server with the same secret and file still knows the challenge.
        let reopened = try await ServerDatabase.open(path: folder.appendingPathComponent("test.sqlite").path, logger: Logger(label: "test"))
        let again = try Captcha(fonts: fonts, secret: secret, store: SQLCaptchaStore(database: reopened))
        let answer = captchaAnswer(again, seed: 5)
        let passes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<16 { group.addTask { (try? await again.verify(answer, for: key)) ?? false } }
            var count = 0
            for await passed in group where passed { count += 1 }
            return count
        }
        #expect(passes == 1)
        try await reopened.close()
    }
}
