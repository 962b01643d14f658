import Foundation
import Logging
import SQLKit

/// The schema, as numbered steps applied once each and recorded in
/// `schema_migrations`. New steps are appended; applied ones never change.
enum Migrations {
    static let steps: [(version: Int, description: String, statements: [String])] = [
        (1, "captcha challenges", [
            """
            CREATE TABLE captcha_challenges (
                slot TEXT PRIMARY KEY NOT NULL,
                digest BLOB NOT NULL,
                expires_at REAL NOT NULL,
                failed_attempts INTEGER NOT NULL DEFAULT 0
            )
            """,
            "CREATE INDEX captcha_challenges_expiry ON captcha_challenges (expires_at)",
        ]),
        (2, "outbox", [
            """
            CREATE TABLE outbox (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                medium TEXT NOT NULL CHECK (medium IN ('email', 'sms')),
                recipient TEXT NOT NULL,
                subject TEXT NOT NULL,
                body TEXT NOT NULL,
                created_at REAL NOT NULL
            )
            """,
        ]),
        (3, "server secret", [
            "CREATE TABLE server_secret (id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1), secret BLOB NOT NULL)",
        ]),
        (4, "users and sessions", [
            // The *_key columns hold the case-folded form that uniqueness is about.
            """
            CREATE TABLE users (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                username TEXT NOT NULL,
                username_key TEXT NOT NULL UNIQUE,
                email TEXT NOT NULL,
                email_key TEXT NOT NULL UNIQUE,
                email_confirmed INTEGER NOT NULL DEFAULT 0,
                phone TEXT UNIQUE,
                nickname TEXT,
                nickname_key TEXT UNIQUE,
                password_hash TEXT NOT NULL,
                created_at REAL NOT NULL,
                updated_at REAL NOT NULL
            )
            """,
            // Only a hash of each session token is stored: a copy of the database
            // does not log anyone in.
            """
            CREATE TABLE sessions (
                token_hash BLOB PRIMARY KEY NOT NULL,
                user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                persistent INTEGER NOT NULL,
                created_at REAL NOT NULL,
                expires_at REAL NOT NULL
            )
            """,
            "CREATE INDEX sessions_user ON sessions (user_id)",
            "CREATE INDEX sessions_expiry ON sessions (expires_at)",
        ]),
        (5, "verification codes and login failures", [
            """
            CREATE TABLE verification_codes (
                medium TEXT PRIMARY KEY NOT NULL,
                code_digest BLOB NOT NULL,
                sent_at REAL NOT NULL,
                expires_at REAL NOT NULL,
                failed_attempts INTEGER NOT NULL DEFAULT 0
            )
            """,
            """
            CREATE TABLE login_failures (
                subject TEXT PRIMARY KEY NOT NULL,
                failures INTEGER NOT NULL,
                window_start REAL NOT NULL
            )
            """,
        ]),
        (6, "messages", [
            """
            CREATE TABLE messages (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                sender_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
                kind TEXT NOT NULL,
                title TEXT NOT NULL,
                body TEXT NOT NULL,
                created_at REAL NOT NULL,
                read_at REAL
            )
            """,
            "CREATE INDEX messages_user ON messages (user_id, id)",
        ]),
        (7, "disorder keys", [
            """
            CREATE TABLE disorder_keys (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                sealed BLOB NOT NULL,
                created_at REAL NOT NULL
            )
            """,
            "CREATE INDEX disorder_keys_user ON disorder_keys (user_id)",
        ]),
        (8, "oauth", [
            // Secrets, codes and tokens are 256-bit random values; only their
            // SHA-256 is stored.
            """
            CREATE TABLE oauth_clients (
                id TEXT PRIMARY KEY NOT NULL,
                name TEXT NOT NULL,
                secret_hash BLOB,
                redirect_uris TEXT NOT NULL,
                scopes TEXT NOT NULL,
                first_party INTEGER NOT NULL DEFAULT 0,
                created_at REAL NOT NULL
            )
            """,
            """
            CREATE TABLE oauth_consents (
                user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                client_id TEXT NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
                scopes TEXT NOT NULL,
                granted_at REAL NOT NULL,
                PRIMARY KEY (user_id, client_id)
            )
            """,
            """
            CREATE TABLE oauth_codes (
                code_hash BLOB PRIMARY KEY NOT NULL,
                client_id TEXT NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
                user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                redirect_uri TEXT NOT NULL,
                scopes TEXT NOT NULL,
                code_challenge TEXT,
                family TEXT NOT NULL,
                expires_at REAL NOT NULL,
                used INTEGER NOT NULL DEFAULT 0
            )
            """,
            """
            CREATE TABLE oauth_tokens (
                token_hash BLOB PRIMARY KEY NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
                client_id TEXT NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
                user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                scopes TEXT NOT NULL,
                family TEXT NOT NULL,
                expires_at REAL NOT NULL,
                revoked INTEGER NOT NULL DEFAULT 0,
                created_at REAL NOT NULL
            )
            """,
            "CREATE INDEX oauth_tokens_family ON oauth_tokens (family)",
            "CREATE INDEX oauth_codes_expiry ON oauth_codes (expires_at)",
        ]),
        (9, "friends", [
            // Friendship is mutual and stored both ways, so that every question
            // ("my friends", "friends of my friends") walks the primary key.
            """
            CREATE TABLE friendships (
                user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                friend_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                created_at REAL NOT NULL,
                PRIMARY KEY (user_id, friend_id),
                CHECK (user_id <> friend_id)
            ) WITHOUT ROWID
            """,
        ]),
        (10, "calendar", [
            """
            CREATE TABLE calendar_events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                title TEXT NOT NULL,
                starts_at REAL NOT NULL,
                ends_at REAL NOT NULL,
                all_day INTEGER NOT NULL DEFAULT 0,
                location TEXT NOT NULL DEFAULT '',
                description TEXT NOT NULL DEFAULT '',
                reminder_minutes INTEGER,
                created_at REAL NOT NULL,
                updated_at REAL NOT NULL,
                CHECK (ends_at >= starts_at)
            )
            """,
            "CREATE INDEX calendar_events_user_start ON calendar_events (user_id, starts_at)",
        ]),
        (11, "avatars and user details", [
            """
            CREATE TABLE avatars (
                user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                size INTEGER NOT NULL,
                png BLOB NOT NULL,
                etag TEXT NOT NULL,
                updated_at REAL NOT NULL,
                PRIMARY KEY (user_id, size)
            )
            """,
            """
            CREATE TABLE user_details (
                user_id INTEGER PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                realname TEXT, idcard TEXT, address TEXT, gender TEXT, nation TEXT, postalcode TEXT,
                departmentcode TEXT, majorcode TEXT, leader TEXT,
                updated_at REAL NOT NULL
            )
            """,
        ]),
        (12, "social accounts", [
            """
            CREATE TABLE sns_bindings (
                channel TEXT NOT NULL,
                external_id TEXT NOT NULL,
                user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                display_name TEXT NOT NULL,
                bound_at REAL NOT NULL,
                PRIMARY KEY (channel, external_id),
                UNIQUE (user_id, channel)
            )
            """,
            // A social sign-in in progress (state and PKCE verifier for the
            // provider), and one finished but not yet bound to an account.
            """
            CREATE TABLE sns_states (
                state_hash BLOB PRIMARY KEY NOT NULL,
                session_hash BLOB NOT NULL,
                channel TEXT NOT NULL,
                code_verifier TEXT NOT NULL,
                expires_at REAL NOT NULL
            )
            """,
            """
            CREATE TABLE sns_pending (
                session_hash BLOB PRIMARY KEY NOT NULL,
                channel TEXT NOT NULL,
                external_id TEXT NOT NULL,
                display_name TEXT NOT NULL,
                expires_at REAL NOT NULL
            )
            """,
        ]),
    ]

    static func apply(to database: any SQLDatabase, logger: Logger) async throws {
        try await database.raw(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY NOT NULL, description TEXT NOT NULL, applied_at REAL NOT NULL)"
        ).run()
        struct Applied: Decodable { var version: Int }
        let applied = Set(try await database.select().column("version").from("schema_migrations").all(decoding: Applied.self).map(\.version))
        for step in steps where !applied.contains(step.version) {
            // One transaction per step: a step is applied whole or not at all.
            try await database.raw("BEGIN IMMEDIATE").run()
            do {
                for statement in step.statements { try await database.raw(SQLQueryString(statement)).run() }
                try await database.insert(into: "schema_migrations")
                    .columns("version", "description", "applied_at")
                    .values(SQLBind(step.version), SQLBind(step.description), SQLBind(Date().timeIntervalSince1970))
                    .run()
                try await database.raw("COMMIT").run()
            } catch {
                try? await database.raw("ROLLBACK").run()
                throw error
            }
            logger.info("database migrated", metadata: ["version": "\(step.version)", "step": "\(step.description)"])
        }
    }
}
