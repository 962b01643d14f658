import ArgumentParser
import Foundation
import Server

/// `upare client add|list`: the OAuth applications the server knows.
struct ClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client", abstract: "Register and list OAuth 2.0 clients.", subcommands: [Add.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Register a client; prints its id and (for confidential clients) its secret, once.")

        @Option(help: "The application's name, shown on the consent page.")
        var name: String
        @Option(name: .customLong("redirect-uri"), help: "A redirect URI, matched exactly (repeatable).")
        var redirectURIs: [String]
        @Option(name: .customLong("scope"), help: "An allowed scope: basic, messages, calendar, friends (repeatable; default basic).")
        var scopes: [String] = ["basic"]
        @Flag(name: .customLong("public"), help: "A public client (no secret; PKCE required).")
        var isPublic = false
        @Flag(help: "The site's own application: no consent page, may use the password grant.")
        var firstParty = false
        @OptionGroup var database: DatabaseOption

        func run() async throws {
            let registered: (client: OAuthClient, secret: String?)
            do {
                registered = try await database.with { store in
                    try await OAuthClientStore(database: store).register(
                        name: name, redirectURIs: redirectURIs, scopes: Set(scopes), isPublic: isPublic,
                        firstParty: firstParty, at: Date())
                }
            } catch let error as OAuthRegistrationError {
                throw fail(error.reason)
            }
            print("client_id=\(registered.client.id)")
            if let secret = registered.secret {
                print("client_secret=\(secret)")
                FileHandle.standardError.write(Data("upare: the secret is shown this once; only its hash is kept\n".utf8))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List registered clients (never their secrets).")
        @OptionGroup var database: DatabaseOption

        func run() async throws {
            let clients = try await database.with { try await OAuthClientStore(database: $0).all() }
            for client in clients {
                let kind = (client.isPublic ? "public" : "confidential") + (client.firstParty ? ", first-party" : "")
                print("\(client.id)  \(client.name)  (\(kind); scopes \(client.scopes.sorted().joined(separator: " ")))")
                for uri in client.redirectURIs { print("    \(uri)") }
            }
        }
    }
}
