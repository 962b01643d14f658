import ArgumentParser
import Foundation
import Logging
import Server

/// The database an admin command works on: `--database`, else UPARE_DATABASE,
/// else upare.sqlite; created and migrated if new.
struct DatabaseOption: ParsableArguments {
    @Option(help: "SQLite database file or postgres:// URL (default upare.sqlite, or UPARE_DATABASE).")
    var database: String?

    func open() async throws -> ServerDatabase {
        try await ServerDatabase.open(
            location: database ?? (try ServerConfiguration.fromEnvironment().databasePath), logger: Logger(label: "upare"))
    }

    /// Runs `body` with the database open, and closes it whatever happens.
    func with<T>(_ body: (ServerDatabase) async throws -> T) async throws -> T {
        let store = try await open()
        do {
            let result = try await body(store)
            try await store.close()
            return result
        } catch {
            try? await store.close()
            throw error
        }
    }
}

func fail(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("upare: \(message)\n".utf8))
    return UpareExit.nothingDone
}
