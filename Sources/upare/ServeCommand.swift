import ArgumentParser
import Captcha
import Foundation
import Hummingbird
import Server

/// `upare serve`: the HTTP API. Flags win over UPARE_HOST / UPARE_PORT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the upare HTTP API (stops cleanly on SIGINT/SIGTERM).")

    @Option(help: "Address to listen on (default 127.0.0.1, or UPARE_HOST).")
    var host: String?
    @Option(help: "Port to listen on (default 8080, or UPARE_PORT).")
    var port: Int?
    @Option(help: "SQLite database file, created on first start, or postgres://user:password@host:port/database (default upare.sqlite, or UPARE_DATABASE).")
    var database: String?
    @Option(help: "A JSON file of settings (docs/configuration.md), or UPARE_CONFIG; each UPARE_ variable wins over it.")
    var config: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var configuration: ServerConfiguration
        do {
            configuration = try ServerConfiguration.load(file: config ?? environment["UPARE_CONFIG"], environment: environment)
        } catch let error as ConfigurationError {
            throw fail(error.description)
        }
        if let host { configuration.host = host }
        if let port {
            guard (1...65535).contains(port) else { throw ValidationError("--port must be 1...65535") }
            configuration.port = port
        }
        if let database { configuration.databasePath = database }
        do {
            try await ServerApplication.run(configuration: configuration, fonts: FontLibrary.standard())
        } catch let error as CaptchaError {
            FileHandle.standardError.write(Data("upare: \(error)\n".utf8))
            throw UpareExit.nothingDone
        } catch let error as ServerStartupError {
            throw fail(error.reason)
        } catch let error as ConfigurationError {
            throw fail(error.description)
        } catch let error as ServerSecretError {
            FileHandle.standardError.write(Data("upare: \(error)\n".utf8))
            throw UpareExit.nothingDone
        }
    }
}
