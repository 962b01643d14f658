import ArgumentParser
import Foundation
import Logging
import Server

/// `upare outbox`: the messages the server kept instead of sending.
struct OutboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox", abstract: "Show the newest messages of the outbox (verification codes, notices).")

    @Option(help: "SQLite database file or postgres:// URL (default upare.sqlite, or UPARE_DATABASE).")
    var database: String?
    @Option(help: "How many messages.")
    var limit = 20

    func run() async throws {
        let configuration = try ServerConfiguration.fromEnvironment()
        let path = database ?? configuration.databasePath
        guard path.hasPrefix("postgres") || FileManager.default.fileExists(atPath: path) else {
            FileHandle.standardError.write(Data("upare: no database at \(path)\n".utf8))
            throw UpareExit.nothingDone
        }
        let store = try await ServerDatabase.open(location: path, logger: Logger(label: "upare"))
        let secret = try await ServerSecret.configured(configuration.secret, database: store)
        let entries = try await OutboxMailer(database: store, secret: secret).recent(limit: max(1, min(limit, 10_000)))
        try await store.close()
        for entry in entries {
            let date = Date(timeIntervalSince1970: entry.created_at)
            print("#\(entry.id) \(date) \(entry.medium) to \(entry.recipient): \(entry.subject)\n\(entry.body)\n")
        }
    }
}
