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
                digest {{blob}} NOT NULL,
                expires_at {{real}} NOT NULL,
                failed_attempts {{int}} NOT NULL DEFAULT 0
            )
            """,
            "CREATE INDEX captcha_challenges_expiry ON captcha_challenges (expires_at)",
        ]),
        (2, "outbox", [
            """
            CREATE TABLE outbox (
                id {{id}},
                medium TEXT NOT NULL CHECK (medium IN ('email', 'sms')),
                recipient TEXT NOT NULL,
                subject TEXT NOT NULL,
                body TEXT NOT NULL,
                created_at {{real}} NOT NULL
            )
            """,
        ]),
        (3, "server secret", [
            "CREATE TABLE server_secret (id {{int}} PRIMARY KEY NOT NULL CHECK (id = 1), secret {{blob}} NOT NULL)",
        ]),
        (4, "users and sessions", [
            // The *_key columns hold the case-folded form that uniqueness is about.
            """
            CREATE TABLE users (
                id {{id}},
                username TEXT NOT NULL,
                username_key TEXT NOT NULL UNIQUE,
                email TEXT NOT NULL,
                email_key TEXT NOT NULL UNIQUE,
                email_confirmed {{bool}} NOT NULL DEFAULT FALSE,
                phone TEXT UNIQUE,
                nickname TEXT,
                nickname_key TEXT UNIQUE,
                password_hash TEXT NOT NULL,
                created_at {{real}} NOT NULL,
                updated_at {{real}} NOT NULL
            )
            """,
            // Only a hash of each session token is stored: a copy of the database
            // does not log anyone in.
            """
            CREATE TABLE sessions (
                token_hash {{blob}} PRIMARY KEY NOT NULL,
                user_id {{int}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                persistent {{bool}} NOT NULL,
                created_at {{real}} NOT NULL,
                expires_at {{real}} NOT NULL
            )
            """,
            "CREATE INDEX sessions_user ON sessions (user_id)",
            "CREATE INDEX sessions_expiry ON sessions (expires_at)",
        ]),
        (5, "verification codes and login failures", [
            """
            CREATE TABLE verification_codes (
                medium TEXT PRIMARY KEY NOT NULL,
                code_digest {{blob}} NOT NULL,
                sent_at {{real}} NOT NULL,
                expires_at {{real}} NOT NULL,
                failed_attempts {{int}} NOT NULL DEFAULT 0
            )
            """,
            """
            CREATE TABLE login_failures (
                subject TEXT PRIMARY KEY NOT NULL,
                failures {{int}} NOT NULL,
                window_start {{real}} NOT NULL
            )
            """,
        ]),
        (6, "messages", [
            """
            CREATE TABLE messages (
                id {{id}},
                user_id {{int}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                sender_id {{int}} REFERENCES users (id) ON DELETE SET NULL,
                kind TEXT NOT NULL,
                title TEXT NOT NULL,
                body TEXT NOT NULL,
                created_at {{real}} NOT NULL,
                read_at {{real}}
            )
            """,
            "CREATE INDEX messages_user ON messages (user_id, id)",
        ]),
        (7, "disorder keys", [
            """
            CREATE TABLE disorder_keys (
                id {{id}},
                user_id {{int}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                sealed {{blob}} NOT NULL,
                created_at {{real}} NOT NULL
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
                secret_hash {{blob}},
                redirect_uris TEXT NOT NULL,
                scopes TEXT NOT NULL,
                first_party {{bool}} NOT NULL DEFAULT FALSE,
                created_at {{real}} NOT NULL
            )
            """,
            """
            CREATE TABLE oauth_consents (
                user_id {{int}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                client_id TEXT NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
                scopes TEXT NOT NULL,
                granted_at {{real}} NOT NULL,
                PRIMARY KEY (user_id, client_id)
            )
            """,
            """
            CREATE TABLE oauth_codes (
                code_hash {{blob}} PRIMARY KEY NOT NULL,
                client_id TEXT NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
                user_id {{int}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                redirect_uri TEXT NOT NULL,
                scopes TEXT NOT NULL,
                code_challenge TEXT,
                family TEXT NOT NULL,
                expires_at {{real}} NOT NULL,
                used {{bool}} NOT NULL DEFAULT FALSE
            )
            """,
            """
            CREATE TABLE oauth_tokens (
                token_hash {{blob}} PRIMARY KEY NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
                client_id TEXT NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
                user_id {{int}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                scopes TEXT NOT NULL,
                family TEXT NOT NULL,
                expires_at {{real}} NOT NULL,
                revoked {{bool}} NOT NULL DEFAULT FALSE,
                created_at {{real}} NOT NULL
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
                user_id {{int}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                friend_id {{int}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                created_at {{real}} NOT NULL,
                PRIMARY KEY (user_id, friend_id),
                CHECK (user_id <> friend_id)
            )
            {{without_rowid}}
            """,
        ]),
        (10, "calendar", [
            """
            CREATE TABLE calendar_events (
                id {{id}},
                user_id {{int}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                title TEXT NOT NULL,
                starts_at {{real}} NOT NULL,
                ends_at {{real}} NOT NULL,
                all_day {{bool}} NOT NULL DEFAULT FALSE,
                location TEXT NOT NULL DEFAULT '',
                description TEXT NOT NULL DEFAULT '',
                reminder_minutes {{int}},
                created_at {{real}} NOT NULL,
                updated_at {{real}} NOT NULL,
                CHECK (ends_at >= starts_at)
            )
            """,
            "CREATE INDEX calendar_events_user_start ON calendar_events (user_id, starts_at)",
        ]),
        (11, "avatars and user details", [
            """
            CREATE TABLE avatars (
                user_id {{int}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                size {{int}} NOT NULL,
                png {{blob}} NOT NULL,
                etag TEXT NOT NULL,
                updated_at {{real}} NOT NULL,
                PRIMARY KEY (user_id, size)
            )
            """,
            """
            CREATE TABLE user_details (
                user_id {{int}} PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                realname TEXT, idcard TEXT, address TEXT, gender TEXT, nation TEXT, postalcode TEXT,
                departmentcode TEXT, majorcode TEXT, leader TEXT,
                updated_at {{real}} NOT NULL
            )
            """,
        ]),
        (12, "social accounts", [
            """
            CREATE TABLE sns_bindings (
                channel TEXT NOT NULL,
                external_id TEXT NOT NULL,
                user_id {{int}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                display_name TEXT NOT NULL,
                bound_at {{real}} NOT NULL,
                PRIMARY KEY (channel, external_id),
                UNIQUE (user_id, channel)
            )
            """,
            // A social sign-in in progress (state and PKCE verifier for the
            // provider), and one finished but not yet bound to an account.
            """
            CREATE TABLE sns_states (
                state_hash {{blob}} PRIMARY KEY NOT NULL,
                session_hash {{blob}} NOT NULL,
                channel TEXT NOT NULL,
                code_verifier TEXT NOT NULL,
                expires_at {{real}} NOT NULL
            )
            """,
            """
            CREATE TABLE sns_pending (
                session_hash {{blob}} PRIMARY KEY NOT NULL,
                channel TEXT NOT NULL,
                external_id TEXT NOT NULL,
                display_name TEXT NOT NULL,
                expires_at {{real}} NOT NULL
            )
            """,
        ]),
        // A right answer checked with flush=no leaves one more use (ThinkPHP's reset=false).
        (13, "captcha pre-checks", [
            "ALTER TABLE captcha_challenges ADD COLUMN checked {{bool}} NOT NULL DEFAULT FALSE",
        ]),
        // The challenge's text sealed under the secret, for the audio captcha.
        (14, "captcha audio", [
            "ALTER TABLE captcha_challenges ADD COLUMN sealed_text {{blob}}",
        ]),
    ]

    /// Applies the missing steps, each in its own transaction on one
    /// connection. On PostgreSQL a session advisory lock serialises instances
    /// that start together (even CREATE TABLE IF NOT EXISTS races there), and
    /// each re-reads what is applied once it holds the lock.
    static func apply(to database: any SQLDatabase, dialect: SQLDialectName, logger: Logger) async throws {
        try await database.withSession { session in
            guard dialect == .postgres else { return try await applySteps(session, dialect: dialect, logger: logger) }
            try await session.raw("SELECT pg_advisory_lock(7314159)").run()
            do {
                try await applySteps(session, dialect: dialect, logger: logger)
            } catch {
                try? await session.raw("SELECT pg_advisory_unlock(7314159)").run()
                throw error
            }
            try await session.raw("SELECT pg_advisory_unlock(7314159)").run()
        }
    }

    private static func applySteps(_ session: any SQLDatabase, dialect: SQLDialectName, logger: Logger) async throws {
        try await session.raw(SQLQueryString(dialect.expand(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version {{int}} PRIMARY KEY NOT NULL, description TEXT NOT NULL, applied_at {{real}} NOT NULL)"
        ))).run()
        for step in steps {
            // One transaction per step: a step is applied whole or not at all.
            try await session.raw(SQLQueryString(dialect.beginWrite)).run()
            do {
                let done = try await session.select().column("version").from("schema_migrations")
                    .where("version", .equal, SQLBind(step.version)).first() != nil
                if !done {
                    for statement in step.statements { try await session.raw(SQLQueryString(dialect.expand(statement))).run() }
                    try await session.insert(into: "schema_migrations")
                        .columns("version", "description", "applied_at")
                        .values(SQLBind(step.version), SQLBind(step.description), SQLBind(Date().timeIntervalSince1970))
                        .run()
                }
                try await session.raw("COMMIT").run()
                if !done {
                    logger.info("database migrated", metadata: ["version": "\(step.version)", "step": "\(step.description)"])
                }
            } catch {
                try? await session.raw("ROLLBACK").run()
                throw error
            }
        }
    }
}

/// The two engines' differences, in one place: column types in the
/// migrations and how a writing transaction begins. Queries are the same SQL.
public enum SQLDialectName: String, Sendable {
    case sqlite
    case postgres

    func expand(_ statement: String) -> String {
        var text = statement
        let types: [(String, String)] = switch self {
        case .sqlite:
            [("{{id}}", "INTEGER PRIMARY KEY AUTOINCREMENT"), ("{{int}}", "INTEGER"), ("{{real}}", "REAL"), ("{{blob}}", "BLOB"),
             ("{{bool}}", "INTEGER"), ("{{without_rowid}}", "WITHOUT ROWID")]
        case .postgres:
            [("{{id}}", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"), ("{{int}}", "BIGINT"), ("{{real}}", "DOUBLE PRECISION"),
             ("{{blob}}", "BYTEA"), ("{{bool}}", "BOOLEAN"), ("{{without_rowid}}", "")]
        }
        for (placeholder, type) in types { text = text.replacingOccurrences(of: placeholder, with: type) }
        return text
    }

    /// SQLite takes the write lock at BEGIN IMMEDIATE, so two writers fail fast
    /// instead of deadlocking on upgrade.
    var beginWrite: String {
        switch self {
        case .sqlite: "BEGIN IMMEDIATE"
        case .postgres: "BEGIN"
        }
    }
}
