import ConstantTime
import Crypto
public import Foundation
import SQLKit

/// A registered application. Confidential clients hold a secret; public ones
/// (apps that cannot keep one) must use PKCE. First-party clients are the
/// site's own: they skip the consent page and may use the password grant.
public struct OAuthClient: Sendable, Equatable {
    public var id: String
    public var name: String
    public var redirectURIs: [String]
    public var scopes: Set<String>
    public var firstParty: Bool
    public var isPublic: Bool
}

/// The scopes a client may ask for.
public enum OAuthScopes {
    public static let known: Set<String> = ["basic", "messages", "calendar", "friends", "profile"]
    public static let fallback: Set<String> = ["basic"]

    /// Space- or comma-separated (the spec uses commas, RFC 6749 spaces).
    public static func parse(_ text: String?) -> Set<String> {
        Set((text ?? "").split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init))
    }

    static func text(_ scopes: Set<String>) -> String { scopes.sorted().joined(separator: " ") }
}

/// `oauth_clients`: registration (by `upare client add`) and lookup.
public struct OAuthClientStore: Sendable {
    let database: any SQLDatabase

    public init(database: ServerDatabase) {
        self.database = database.sql
    }

    /// Registers a client; returns it with its secret (nil for public
    /// clients), which is shown once and stored only as a hash.
    public func register(
        name: String, redirectURIs: [String], scopes: Set<String>, isPublic: Bool, firstParty: Bool, at now: Date
    ) async throws -> (client: OAuthClient, secret: String?) {
        guard !redirectURIs.isEmpty else { throw OAuthRegistrationError(reason: "at least one redirect URI is needed") }
        for uri in redirectURIs {
            guard let url = URLComponents(string: uri), let scheme = url.scheme?.lowercased(), let host = url.host,
                  !host.isEmpty, url.fragment == nil, scheme == "https" || (scheme == "http" && Self.isLoopback(host))
            else {
                throw OAuthRegistrationError(
                    reason: "\(uri): a redirect URI is absolute, without a fragment, and https (http only for loopback)")
            }
        }
        let unknown = scopes.subtracting(OAuthScopes.known)
        guard unknown.isEmpty, !scopes.isEmpty else {
            throw OAuthRegistrationError(reason: "scopes are some of \(OAuthScopes.known.sorted().joined(separator: ", "))")
        }
        let id = SecureToken.random(bytes: 16)
        let secret = isPublic ? nil : SecureToken.random(bytes: 32)
        try await database.insert(into: "oauth_clients")
            .columns("id", "name", "secret_hash", "redirect_uris", "scopes", "first_party", "created_at")
            .values(SQLBind(id), SQLBind(name), SQLBind(secret.map(SecureToken.hash)), SQLBind(redirectURIs.joined(separator: "\n")),
                    SQLBind(OAuthScopes.text(scopes)), SQLBind(firstParty), SQLBind(now.timeIntervalSince1970))
            .run()
        let client = OAuthClient(id: id, name: name, redirectURIs: redirectURIs, scopes: scopes, firstParty: firstParty, isPublic: isPublic)
        return (client, secret)
    }

    static func isLoopback(_ host: String) -> Bool {
        ["localhost", "127.0.0.1", "[::1]", "::1"].contains(host.lowercased())
    }

    struct Row: Decodable {
        var id: String
        var name: String
        var secret_hash: Data?
        var redirect_uris: String
        var scopes: String
        var first_party: Bool
    }

    func row(_ id: String) async throws -> Row? {
        try await database.select().columns("id", "name", "secret_hash", "redirect_uris", "scopes", "first_party")
            .from("oauth_clients").where("id", .equal, SQLBind(id)).first(decoding: Row.self)
    }

    public func all() async throws -> [OAuthClient] {
        try await database.select().columns("id", "name", "secret_hash", "redirect_uris", "scopes", "first_party")
            .from("oauth_clients").orderBy("created_at").all(decoding: Row.self).map(Self.client)
    }

    public func client(_ id: String) async throws -> OAuthClient? {
        try await row(id).map(Self.client)
    }

    static func client(_ row: Row) -> OAuthClient {
        OAuthClient(
            id: row.id, name: row.name, redirectURIs: row.redirect_uris.split(separator: "\n").map(String.init),
            scopes: OAuthScopes.parse(row.scopes), firstParty: row.first_party, isPublic: row.secret_hash == nil)
    }

    /// The client if `secret` is its secret (compared in constant time), or
    /// if it is public and no secret was sent.
    public func authenticate(_ id: String, secret: String?) async throws -> AuthenticationResult {
        guard let row = try await row(id) else { return .unknownClient }
        let client = Self.client(row)
        switch (row.secret_hash, secret) {
        case (nil, nil): return .authenticated(client)
        case (nil, .some): return .wrongSecret
        case (.some, nil): return .secretRequired
        case (.some(let stored), .some(let given)):
            return ConstantTime.equal(Array(stored), Array(SecureToken.hash(given))) ? .authenticated(client) : .wrongSecret
        }
    }

    public enum AuthenticationResult: Sendable, Equatable {
        case authenticated(OAuthClient)
        case unknownClient
        case secretRequired
        case wrongSecret
    }

    /// Scopes the user has already granted the client.
    public func consent(user: Int, client: String) async throws -> Set<String> {
        struct Row: Decodable { var scopes: String }
        let row = try await database.select().column("scopes").from("oauth_consents")
            .where("user_id", .equal, SQLBind(user)).where("client_id", .equal, SQLBind(client)).first(decoding: Row.self)
        return OAuthScopes.parse(row?.scopes)
    }

    public func grant(user: Int, client: String, scopes: Set<String>, at now: Date) async throws {
        let all = try await consent(user: user, client: client).union(scopes)
        try await database.raw("""
            INSERT INTO oauth_consents (user_id, client_id, scopes, granted_at)
            VALUES (\(bind: user), \(bind: client), \(bind: OAuthScopes.text(all)), \(bind: now.timeIntervalSince1970))
            ON CONFLICT (user_id, client_id) DO UPDATE SET scopes = excluded.scopes, granted_at = excluded.granted_at
            """).run()
    }
}

public struct OAuthRegistrationError: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}
