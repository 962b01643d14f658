import Foundation
import Logging
import SQLKit

/// The schema, as numbered steps applied once each and recorded in
/// `schema_migrations`. New steps are appended; applied ones never change.
enum Migrations {
    static let steps: [(version: Int, description: String, statements: [String])] = [
        (1, "captcha challenges", [
            """
            CREATE TABLE captcha_challenges (
                slot TEXT PRIMARY KEY NOT NULL,
                digest BLOB NOT NULL,
                expires_at REAL NOT NULL,
                failed_attempts INTEGER NOT NULL DEFAULT 0
            )
            """,
            "CREATE INDEX captcha_challenges_expiry ON captcha_challenges (expires_at)",
        ]),
        (2, "outbox", [
            """
            CREATE TABLE outbox (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                medium TEXT NOT NULL CHECK (medium IN ('email', 'sms')),
                recipient TEXT NOT NULL,
                subject TEXT NOT NULL,
                body TEXT NOT NULL,
                created_at REAL NOT NULL
            )
            """,
        ]),
    ]

    static func apply(to database: any SQLDatabase, logger: Logger) async throws {
        try await database.raw(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY NOT NULL, description TEXT NOT NULL, applied_at REAL NOT NULL)"
        ).run()
        struct Applied: Decodable { var version: Int }
        let applied = Set(try await database.select().column("version").from("schema_migrations").all(decoding: Applied.self).map(\.version))
        for step in steps where !applied.contains(step.version) {
            // One transaction per step: a step is applied whole or not at all.
            try await database.raw("BEGIN IMMEDIATE").run()
            do {
                for statement in step.statements { try await database.raw(SQLQueryString(statement)).run() }
                try await database.insert(into: "schema_migrations")
                    .columns("version", "description", "applied_at")
                    .values(SQLBind(step.version), SQLBind(step.description), SQLBind(Date().timeIntervalSince1970))
                    .run()
                try await database.raw("COMMIT").run()
            } catch {
                try? await database.raw("ROLLBACK").run()
                throw error
            }
            logger.info("database migrated", metadata: ["version": "\(step.version)", "step": "\(step.description)"])
        }
    }
}
