@preconcurrency import AsyncKit
import Foundation
public import Logging
import NIOPosix
import PostgresKit
public import SQLKit
import SQLiteKit
import Synchronization

/// The server's database: an embedded SQLite file by default, or PostgreSQL
/// for several instances behind a load balancer. Every query goes through
/// SQLKit with bound parameters and is the same SQL on both; the differences
/// (column types in the migrations, how a write transaction begins) are in
/// `SQLDialectName`. The schema is migrated at start-up.
///
/// SQLite: one connection, WAL journal (readers do not block the writer),
/// foreign keys on; SQLite serialises writers anyway, and saves of captcha
/// challenges are grouped into batches. PostgreSQL: a pool of connections.
public final class ServerDatabase: Sendable {
    public let dialect: SQLDialectName
    /// The PostgreSQL schema the database was opened in, if one was named.
    public let schema: String?
    public let sql: any SQLDatabase
    private let shutdown: @Sendable () async throws -> Void
    private let closed = Atomic<Bool>(false)

    /// Opens `location`: a `postgres://user:password@host:port/database` URL, or
    /// the path of a SQLite file (created if needed). Applies every migration
    /// not yet applied. `searchPath` picks PostgreSQL schemas (tests use one each).
    public static func open(location: String, searchPath: [String]? = nil, logger: Logger) async throws -> ServerDatabase {
        let logger = databaseLogger(logger)
        if location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") {
            return try await openPostgres(url: location, searchPath: searchPath, logger: logger)
        }
        return try await open(path: location, logger: logger)
    }

    /// Opens (creating if needed) the SQLite database at `path`.
    public static func open(path: String, logger: Logger) async throws -> ServerDatabase {
        let logger = databaseLogger(logger)
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        let database = ServerDatabase(dialect: .sqlite, schema: nil, sql: connection.sql(queryLogLevel: nil)) {
            try await connection.close()
        }
        do {
            try await database.sql.raw("PRAGMA foreign_keys = ON").run()
            try await database.sql.raw("PRAGMA journal_mode = WAL").run()
            try await database.sql.raw("PRAGMA busy_timeout = 5000").run()
            // With WAL, NORMAL syncs at checkpoints rather than at every commit: the
            // database cannot be corrupted by a crash, and the last commits before a
            // power cut may be lost. Every captcha is a write, so this is its throughput.
            try await database.sql.raw("PRAGMA synchronous = NORMAL").run()
            try await Migrations.apply(to: database.sql, dialect: .sqlite, logger: logger)
        } catch {
            try? await database.close()
            throw error
        }
        return database
    }

    static func openPostgres(url: String, searchPath: [String]?, logger: Logger) async throws -> ServerDatabase {
        var configuration = try SQLPostgresConfiguration(url: url)
        configuration.searchPath = searchPath
        let pool = EventLoopGroupConnectionPool(
            source: PostgresConnectionSource(sqlConfiguration: configuration), maxConnectionsPerEventLoop: 4,
            requestTimeout: .seconds(10), logger: logger, on: MultiThreadedEventLoopGroup.singleton)
        let database = ServerDatabase(dialect: .postgres, schema: searchPath?.first, sql: pool.database(logger: logger).sql(queryLogLevel: nil)) {
            try await pool.shutdownAsync()
        }
        do {
            if let schema = searchPath?.first {
                try await database.sql.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
            }
            try await Migrations.apply(to: database.sql, dialect: .postgres, logger: logger)
        } catch {
            try? await database.close()
            throw error
        }
        return database
    }

    /// The drivers' logger: never below info. SQLKit and the drivers log each
    /// query with its bound values at debug and trace, and those values are
    /// verification codes, session-token hashes, bcrypt hashes and names.
    static func databaseLogger(_ logger: Logger) -> Logger {
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .info)
        return quiet
    }

    private init(dialect: SQLDialectName, schema: String?, sql: any SQLDatabase, shutdown: @escaping @Sendable () async throws -> Void) {
        self.dialect = dialect
        self.schema = schema
        self.sql = sql
        self.shutdown = shutdown
    }

    /// Closes the connections; later calls do nothing.
    public func close() async throws {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        try await shutdown()
    }
}
