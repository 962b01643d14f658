import Crypto
public import Foundation
import SQLKit

/// Authorization codes and tokens (RFC 6749 with the Security BCP, RFC 9700):
/// 256-bit random values of which only the SHA-256 is stored; codes live two
/// minutes, are bound to client, redirect URI and PKCE challenge, and are
/// single use: a replayed code revokes everything issued from it. Refresh
/// tokens rotate on use; presenting a used one revokes its whole family.
public struct OAuthTokens: Sendable {
    public static let codeLifetime: TimeInterval = 120
    public static let accessLifetime: TimeInterval = 3_600
    public static let refreshLifetime: TimeInterval = 30 * 86_400

    let database: any SQLDatabase

    public init(database: ServerDatabase) {
        self.database = database.sql
    }

    // MARK: codes

    public struct CodeGrant: Sendable {
        public var clientID: String
        public var userID: Int
        public var redirectURI: String
        public var scopes: Set<String>
        public var codeChallenge: String?
        var family: String
    }

    public func issueCode(_ grant: CodeGrant, at now: Date) async throws -> String {
        let code = SecureToken.random(bytes: 32)
        try await database.insert(into: "oauth_codes")
            .columns("code_hash", "client_id", "user_id", "redirect_uri", "scopes", "code_challenge", "family", "expires_at")
            .values(SQLBind(SecureToken.hash(code)), SQLBind(grant.clientID), SQLBind(grant.userID), SQLBind(grant.redirectURI),
                    SQLBind(OAuthScopes.text(grant.scopes)), SQLBind(grant.codeChallenge), SQLBind(grant.family),
                    SQLBind(now.timeIntervalSince1970 + Self.codeLifetime))
            .run()
        return code
    }

    public static func newFamily() -> String { SecureToken.random(bytes: 16) }

    public enum Redemption: Sendable {
        case granted(CodeGrant)
        case invalid
        /// The code was used before: what it issued is now revoked.
        case replayed
    }

    /// Uses the code up (one statement: of two concurrent exchanges, one wins)
    /// and returns its grant, if it belongs to `clientID` and has not expired.
    public func redeem(code: String, clientID: String, at now: Date) async throws -> Redemption {
        struct Row: Decodable {
            var client_id: String
            var user_id: Int
            var redirect_uri: String
            var scopes: String
            var code_challenge: String?
            var family: String
            var expires_at: Double
        }
        let hash = SecureToken.hash(code)
        if let row = try await database.raw("""
            UPDATE oauth_codes SET used = TRUE WHERE code_hash = \(bind: hash) AND used = FALSE
            RETURNING client_id, user_id, redirect_uri, scopes, code_challenge, family, expires_at
            """).first(decoding: Row.self) {
            guard row.client_id == clientID, row.expires_at > now.timeIntervalSince1970 else { return .invalid }
            return .granted(CodeGrant(
                clientID: row.client_id, userID: row.user_id, redirectURI: row.redirect_uri,
                scopes: OAuthScopes.parse(row.scopes), codeChallenge: row.code_challenge, family: row.family))
        }
        struct Used: Decodable { var family: String }
        guard let used = try await database.select().column("family").from("oauth_codes")
            .where("code_hash", .equal, SQLBind(hash)).first(decoding: Used.self)
        else { return .invalid }
        try await revokeFamily(used.family)
        return .replayed
    }

    // MARK: tokens

    public struct Issued: Sendable {
        public var accessToken: String
        public var refreshToken: String
        public var expiresIn: Int
        public var scopes: Set<String>
        public var userID: Int
    }

    /// A new access and refresh token pair in `family`.
    public func issue(clientID: String, userID: Int, scopes: Set<String>, family: String, at now: Date) async throws -> Issued {
        let access = SecureToken.random(bytes: 32), refresh = SecureToken.random(bytes: 32)
        let time = now.timeIntervalSince1970
        try await database.insert(into: "oauth_tokens")
            .columns("token_hash", "kind", "client_id", "user_id", "scopes", "family", "expires_at", "created_at")
            .values(SQLBind(SecureToken.hash(access)), SQLBind(Kind.access.rawValue), SQLBind(clientID), SQLBind(userID),
                    SQLBind(OAuthScopes.text(scopes)), SQLBind(family), SQLBind(time + Self.accessLifetime), SQLBind(time))
            .values(SQLBind(SecureToken.hash(refresh)), SQLBind(Kind.refresh.rawValue), SQLBind(clientID), SQLBind(userID),
                    SQLBind(OAuthScopes.text(scopes)), SQLBind(family), SQLBind(time + Self.refreshLifetime), SQLBind(time))
            .run()
        return Issued(accessToken: access, refreshToken: refresh, expiresIn: Int(Self.accessLifetime), scopes: scopes, userID: userID)
    }

    /// What a token is for: calls (`access`) or new tokens (`refresh`); the
    /// raw value is the `kind` column.
    public enum Kind: String, Sendable, Equatable {
        case access, refresh
    }

    public struct TokenInfo: Sendable, Equatable {
        public var kind: Kind
        public var clientID: String
        public var userID: Int
        public var scopes: Set<String>
        public var family: String
        public var expiresAt: Double
        public var revoked: Bool
    }

    struct TokenRow: Decodable {
        var kind: String
        var client_id: String
        var user_id: Int
        var scopes: String
        var family: String
        var expires_at: Double
        var revoked: Bool

        /// nil for a row of an unknown kind (a newer version's): it authorises nothing.
        var info: TokenInfo? {
            guard let kind = Kind(rawValue: kind) else { return nil }
            return TokenInfo(kind: kind, clientID: client_id, userID: user_id, scopes: OAuthScopes.parse(scopes), family: family,
                      expiresAt: expires_at, revoked: revoked)
        }
    }

    public func lookup(_ token: String) async throws -> TokenInfo? {
        try await database.select().columns("kind", "client_id", "user_id", "scopes", "family", "expires_at", "revoked")
            .from("oauth_tokens").where("token_hash", .equal, SQLBind(SecureToken.hash(token))).first(decoding: TokenRow.self)?.info
    }

    public enum Rotation: Sendable {
        case rotated(TokenInfo)
        case invalid
        /// A used refresh token came back: its family is revoked.
        case reused
    }

    /// Retires a refresh token (one statement: concurrent uses cannot both win).
    public func rotate(refreshToken: String, clientID: String, at now: Date) async throws -> Rotation {
        let hash = SecureToken.hash(refreshToken)
        if let row = try await database.raw("""
            UPDATE oauth_tokens SET revoked = TRUE
            WHERE token_hash = \(bind: hash) AND kind = \(bind: Kind.refresh.rawValue) AND revoked = FALSE
            RETURNING kind, client_id, user_id, scopes, family, expires_at, revoked
            """).first(decoding: TokenRow.self) {
            guard row.client_id == clientID, row.expires_at > now.timeIntervalSince1970, let info = row.info else { return .invalid }
            return .rotated(info)
        }
        guard let known = try await lookup(refreshToken), known.kind == .refresh, known.clientID == clientID else { return .invalid }
        try await revokeFamily(known.family)
        return .reused
    }

    /// Revokes every token of `userID` (after a password change).
    /// Codes not yet exchanged are used up with them: a code issued before a
    /// password change gets no tokens after it (RFC 9700 4.14).
    public func revokeAll(of userID: Int) async throws {
        try await database.update("oauth_tokens").set("revoked", to: SQLBind(true)).where("user_id", .equal, SQLBind(userID)).run()
        try await database.update("oauth_codes").set("used", to: SQLBind(true)).where("user_id", .equal, SQLBind(userID)).run()
    }

    /// A live grant: one family of tokens a client holds for a user.
    public struct Grant: Sendable, Equatable {
        public var family: String
        public var clientID: String
        public var scopes: Set<String>
        public var createdAt: Double
    }

    /// The user's grants with a token still live, oldest first.
    public func grants(of userID: Int, at now: Date) async throws -> [Grant] {
        struct Row: Decodable {
            var family: String
            var client_id: String
            var scopes: String
            var created_at: Double
        }
        let rows = try await database.raw("""
            SELECT family, client_id, MIN(scopes) AS scopes, MIN(created_at) AS created_at FROM oauth_tokens
            WHERE user_id = \(bind: userID) AND revoked = FALSE AND expires_at > \(bind: now.timeIntervalSince1970)
            GROUP BY family, client_id ORDER BY MIN(created_at) LIMIT 1000
            """).all(decoding: Row.self)
        return rows.map { Grant(family: $0.family, clientID: $0.client_id, scopes: OAuthScopes.parse($0.scopes), createdAt: $0.created_at) }
    }

    public func revokeFamily(_ family: String) async throws {
        try await database.update("oauth_tokens").set("revoked", to: SQLBind(true)).where("family", .equal, SQLBind(family)).run()
    }

    public func revoke(_ token: String) async throws {
        try await database.update("oauth_tokens").set("revoked", to: SQLBind(true))
            .where("token_hash", .equal, SQLBind(SecureToken.hash(token))).run()
    }
}
