import Foundation
public import Logging
public import SQLKit
import SQLiteKit

/// The embedded SQLite database: one file, WAL journal (readers do not block the
/// writer), foreign keys on, schema migrated at start-up. Every query goes
/// through SQLKit with bound parameters, so that the same queries can later run
/// on PostgreSQL.
///
/// One connection for now: SQLite serialises writers anyway, and WAL lets it
/// serve the reads in between. A pool of readers can come when measurements ask.
public final class ServerDatabase: Sendable {
    private let connection: SQLiteConnection
    public let sql: any SQLDatabase

    /// Opens (creating if needed) the database at `path` and applies every
    /// migration not yet applied.
    public static func open(path: String, logger: Logger) async throws -> ServerDatabase {
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        let database = ServerDatabase(connection: connection)
        do {
            try await database.sql.raw("PRAGMA foreign_keys = ON").run()
            try await database.sql.raw("PRAGMA journal_mode = WAL").run()
            try await database.sql.raw("PRAGMA busy_timeout = 5000").run()
            // With WAL, NORMAL syncs at checkpoints rather than at every commit: the
            // database cannot be corrupted by a crash, and the last commits before a
            // power cut may be lost. Every captcha is a write, so this is its throughput.
            try await database.sql.raw("PRAGMA synchronous = NORMAL").run()
            try await Migrations.apply(to: database.sql, logger: logger)
        } catch {
            try? await database.close()
            throw error
        }
        return database
    }

    private init(connection: SQLiteConnection) {
        self.connection = connection
        sql = connection.sql()
    }

    public func close() async throws {
        try await connection.close()
    }
}
