public import Captcha
public import Foundation
public import Hummingbird
public import HummingbirdTesting
import Logging
public import Server
import SQLKit
import Synchronization

/// The real router on a real SQLite file in a temporary folder (or a
/// PostgreSQL schema of its own), with a manual clock, bcrypt at cost 4, and
/// captchas seeded 1, 2, 3... so that tests know the answers. `test` runs
/// requests, then closes and removes the database.
public final class TestServer: Sendable {
    public let database: ServerDatabase
    public let folder: URL
    public let clock: ManualClock
    public let services: Services
    public let responder: RouterResponder<ServerRequestContext>
    /// Every route of the router, as "METHOD /path".
    public let routes: [String]
    private let seeds = SeedCounter()
    /// A second instance on the same storage leaves it to the first to remove.
    private let ownsStorage: Bool

    public var captcha: Captcha { services.captcha }

    public static func make(
        maxBodySize: Int = 1 << 20,
        configure: (inout ServerConfiguration) -> Void = { _ in },
        mailer: ((ServerDatabase, URL) throws -> any Mailer)? = nil
    ) async throws -> TestServer {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("upare-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let database = try await openDatabase(folder: folder)
        var configuration = ServerConfiguration()
        configuration.maxBodySize = maxBodySize
        configuration.bcryptCost = 4
        configuration.secret = secretText
        configure(&configuration)
        let clock = ManualClock()
        var services = try await ServerApplication.services(
            configuration: configuration, fonts: TestFonts.library, database: database, now: clock.function)
        if let mailer { services.mailer = try mailer(database, folder) }
        return TestServer(database: database, folder: folder, clock: clock, services: services, ownsStorage: true)
    }

    /// Another server process, as a load balancer's second upstream: its own
    /// connections, services and router, on this one's database and clock.
    public func secondInstance(configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> TestServer {
        let other: ServerDatabase
        if let schema = database.schema, let url = ProcessInfo.processInfo.environment["UPARE_TEST_POSTGRES"] {
            other = try await ServerDatabase.open(location: url, searchPath: [schema], logger: Logger(label: "test"))
        } else {
            other = try await ServerDatabase.open(path: folder.appendingPathComponent("test.sqlite").path, logger: Logger(label: "test"))
        }
        var configuration = ServerConfiguration()
        configuration.bcryptCost = 4
        configuration.secret = Self.secretText
        configure(&configuration)
        let services = try await ServerApplication.services(
            configuration: configuration, fonts: TestFonts.library, database: other, now: clock.function)
        return TestServer(database: other, folder: folder, clock: clock, services: services, ownsStorage: false)
    }

    private init(database: ServerDatabase, folder: URL, clock: ManualClock, services: Services, ownsStorage: Bool) {
        self.ownsStorage = ownsStorage
        self.database = database
        self.folder = folder
        self.clock = clock
        self.services = services
        let seeds = self.seeds
        let router = ServerApplication.router(services: services) { seeds.next() }
        routes = router.routes.map { "\($0.method) \($0.path)" }
        responder = router.buildResponder()
    }

    /// UPARE_TEST_ENGINE=postgres runs the server tests on the PostgreSQL
    /// database named by UPARE_TEST_POSTGRES, each TestServer in a schema of
    /// its own; otherwise on a SQLite file in a temporary folder.
    public static var engine: SQLDialectName {
        ProcessInfo.processInfo.environment["UPARE_TEST_ENGINE"] == "postgres" ? .postgres : .sqlite
    }

    static func openDatabase(folder: URL) async throws -> ServerDatabase {
        guard engine == .postgres else {
            return try await ServerDatabase.open(path: folder.appendingPathComponent("test.sqlite").path, logger: Logger(label: "test"))
        }
        guard let url = ProcessInfo.processInfo.environment["UPARE_TEST_POSTGRES"], !url.isEmpty else {
            throw HarnessError("UPARE_TEST_ENGINE=postgres needs UPARE_TEST_POSTGRES=postgres://user:password@host:port/database")
        }
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        return try await ServerDatabase.open(location: url, searchPath: [schema], logger: Logger(label: "test"))
    }

    /// Drops a PostgreSQL test schema; closes the database.
    public func dispose() async throws {
        guard ownsStorage else { return try await database.close() }
        if let schema = database.schema {
            try? await database.sql.raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run()
        }
        try await database.close()
        try? FileManager.default.removeItem(at: folder)
    }

    /// The server secret of every test server (a configured one, as in production).
    public static let secretText = "upare test secret, not for production use"
    public static var secret: ServerSecret {
        (try? ServerSecret(text: secretText)) ?? ServerSecret(bytes: Array(repeating: 1, count: 32))
    }

    /// The database's outbox, opened with the test secret.
    public var outbox: OutboxMailer { OutboxMailer(database: database, secret: Self.secret) }

    /// The answer of the most recent captcha served.
    public var lastAnswer: String {
        captchaAnswer(captcha, seed: seeds.last)
    }

    /// The answer of the most recent captcha served, drawn for `scenario` (which may have options of its own).
    public func lastAnswer(for scenario: String) -> String {
        captchaAnswer(services.captchas.captcha(for: scenario), seed: seeds.last)
    }

    public func test<Value>(_ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        let result: Value
        do {
            result = try await Application(responder: responder).test(.router, body)
        } catch {
            try? await dispose()
            throw error
        }
        try await dispose()
        return result
    }
}

/// Captcha seeds 1, 2, 3...
final class SeedCounter: Sendable {
    private let value = Mutex<UInt64>(0)

    func next() -> UInt64 {
        value.withLock { value in
            value += 1
            return value
        }
    }

    var last: UInt64 { value.withLock { $0 } }
}
