import ArgumentParser
import Foundation
import Server

/// `upare user add|session`: accounts from the operator's side.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Create accounts and sign-in sessions as the operator.",
        subcommands: [Add.self, Session.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Create an account; the password is read from standard input (one line), never from the command line.")

        @Option var username: String
        @Option var email: String
        @Flag(help: "Mark the e-mail address as confirmed.")
        var confirmed = false
        @Option(help: "bcrypt cost (default 12, or UPARE_BCRYPT_COST).")
        var bcryptCost: UInt8?
        @OptionGroup var database: DatabaseOption

        func run() async throws {
            guard let line = readLine(strippingNewline: true) else { throw fail("no password on standard input") }
            let cost = try bcryptCost ?? ServerConfiguration.fromEnvironment().bcryptCost
            do {
                let name = try AccountRules.username(username)
                let password = try AccountRules.password(line, username: name)
                let address = try AccountRules.email(email)
                let hash = try await PasswordHasher(cost: cost).hash(password)
                let user = try await database.with { store in
                    let users = UserStore(database: store)
                    let user = try await users.create(username: name, email: address, passwordHash: hash, at: Date())
                    if confirmed { try await users.confirmEmail(address, at: Date()) }
                    return user
                }
                print("uid=\(user.id)")
            } catch let error as APIError {
                throw fail([error.message, error.detail].compactMap { $0 }.joined(separator: ": "))
            }
        }
    }

    struct Session: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "session",
            abstract: "Sign an account in without its password (support, scripted tests); prints the session cookie.")

        @Argument(help: "Username or e-mail address.")
        var login: String
        @Flag(help: "A 30-day session rather than 12 hours.")
        var remember = false
        @OptionGroup var database: DatabaseOption

        func run() async throws {
            let token = try await database.with { store -> String? in
                guard let user = try await UserStore(database: store).credentials(login)?.user else { return nil }
                return try await SessionStore(database: store).create(userID: user.id, persistent: remember, at: Date())
            }
            guard let token else { throw fail("no account \(login)") }
            print("\(ClientSession.cookieName)=\(token)")
        }
    }
}
