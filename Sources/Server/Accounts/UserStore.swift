public import Foundation
import SQLKit

/// An account as the API shows it (never its password hash).
public struct User: Sendable, Equatable {
    public var id: Int
    public var username: String
    public var email: String
    public var emailConfirmed: Bool
    public var phone: String?
    public var nickname: String?
    public var createdAt: Date

    /// The account's public fields for a reply.
    var payload: [String: any Sendable] {
        var fields: [String: any Sendable] = [
            "uid": id, "username": username, "email": email, "email_confirmed": emailConfirmed,
            "created_at": Timestamps.iso8601(createdAt),
        ]
        if let phone { fields["phone"] = phone }
        if let nickname { fields["nickname"] = nickname }
        return fields
    }
}

/// Accounts in the `users` table.
public struct UserStore: Sendable {
    let database: any SQLDatabase

    public init(database: ServerDatabase) {
        self.database = database.sql
    }

    struct Row: Decodable {
        var id: Int
        var username: String
        var email: String
        var email_confirmed: Bool
        var phone: String?
        var nickname: String?
        var created_at: Double
        var password_hash: String

        var user: User {
            User(id: id, username: username, email: email, emailConfirmed: email_confirmed, phone: phone,
                 nickname: nickname, createdAt: Date(timeIntervalSince1970: created_at))
        }
    }

    static let columns = ["id", "username", "email", "email_confirmed", "phone", "nickname", "created_at", "password_hash"]

    public func usernameTaken(_ username: String) async throws -> Bool {
        try await exists("username_key", AccountRules.key(username))
    }

    public func emailTaken(_ email: String) async throws -> Bool {
        try await exists("email_key", AccountRules.key(email))
    }

    private func exists(_ column: String, _ key: String) async throws -> Bool {
        try await database.select().column("id").from("users").where(SQLIdentifier(column), .equal, SQLBind(key))
            .limit(1).first() != nil
    }

    /// A new account; `usernameTaken` or `emailTaken` when the name or address
    /// is taken, also when another request took it a moment ago (the UNIQUE
    /// constraints decide).
    public func create(username: String, email: String, passwordHash: String, at now: Date) async throws -> User {
        if try await usernameTaken(username) { throw StoreError.usernameTaken }
        if try await emailTaken(email) { throw StoreError.emailTaken }
        let time = now.timeIntervalSince1970
        do {
            let row = try await database.insert(into: "users")
                .columns("username", "username_key", "email", "email_key", "password_hash", "created_at", "updated_at")
                .values(SQLBind(username), SQLBind(AccountRules.key(username)), SQLBind(email), SQLBind(AccountRules.key(email)),
                        SQLBind(passwordHash), SQLBind(time), SQLBind(time))
                .returning(SQLColumn("id"))
                .first()
            guard let id = try row?.decode(column: "id", as: Int.self) else { throw StoreError.notWritten(.account) }
            return User(id: id, username: username, email: email, emailConfirmed: false, phone: nil, nickname: nil,
                        createdAt: Date(timeIntervalSince1970: time))
        } catch {
            if try await usernameTaken(username) { throw StoreError.usernameTaken }
            if try await emailTaken(email) { throw StoreError.emailTaken }
            throw error
        }
    }

    /// The account signed in as `login` (its username, or its e-mail address
    /// when `login` holds `@`) with its password hash.
    public func credentials(_ login: String) async throws -> (user: User, passwordHash: String)? {
        let column = login.contains("@") ? "email_key" : "username_key"
        let row = try await database.select().columns(Self.columns.map { SQLColumn($0) }).from("users")
            .where(SQLIdentifier(column), .equal, SQLBind(AccountRules.key(login))).first(decoding: Row.self)
        return row.map { ($0.user, $0.password_hash) }
    }

    public func user(id: Int) async throws -> User? {
        try await database.select().columns(Self.columns.map { SQLColumn($0) }).from("users")
            .where("id", .equal, SQLBind(id)).first(decoding: Row.self)?.user
    }

    /// Marks the account with this e-mail address (if any) as confirmed.
    public func confirmEmail(_ email: String, at now: Date) async throws {
        try await database.update("users")
            .set("email_confirmed", to: SQLBind(true)).set("updated_at", to: SQLBind(now.timeIntervalSince1970))
            .where("email_key", .equal, SQLBind(AccountRules.key(email))).run()
    }

    /// A value no two accounts share.
    public enum UniqueField: Sendable {
        /// Compared case-insensitively, as `AccountRules.key` folds it.
        case nickname, email
        /// Compared as given (`AccountRules.phone` has normalised it).
        case phone

        var column: String {
            switch self {
            case .nickname: "nickname_key"
            case .email: "email_key"
            case .phone: "phone"
            }
        }

        func key(_ value: String) -> String { self == .phone ? value : AccountRules.key(value) }
    }

    /// Whether an account other than `userID` has `value` as its `field`.
    public func isTaken(_ field: UniqueField, _ value: String, byOtherThan userID: Int) async throws -> Bool {
        try await database.select().column("id").from("users")
            .where(SQLIdentifier(field.column), .equal, SQLBind(field.key(value)))
            .where("id", .notEqual, SQLBind(userID)).limit(1).first() != nil
    }

    public func passwordHash(of userID: Int) async throws -> String? {
        struct Row: Decodable { var password_hash: String }
        return try await database.select().column("password_hash").from("users")
            .where("id", .equal, SQLBind(userID)).first(decoding: Row.self)?.password_hash
    }

    /// The basic fields to change; nil leaves a field as it is.
    public struct BasicChanges: Sendable {
        public var passwordHash: String?
        public var nickname: String?
        public var email: String?
        public var phone: String?

        public init() {}

        var isEmpty: Bool { passwordHash == nil && nickname == nil && email == nil && phone == nil }
    }

    /// Applies `changes` in one statement; a new e-mail address is unconfirmed.
    public func update(_ userID: Int, _ changes: BasicChanges, at now: Date) async throws {
        var update = database.update("users").set("updated_at", to: SQLBind(now.timeIntervalSince1970))
        if let hash = changes.passwordHash { update = update.set("password_hash", to: SQLBind(hash)) }
        if let nickname = changes.nickname {
            update = update.set("nickname", to: SQLBind(nickname)).set("nickname_key", to: SQLBind(AccountRules.key(nickname)))
        }
        if let email = changes.email {
            update = update.set("email", to: SQLBind(email)).set("email_key", to: SQLBind(AccountRules.key(email)))
                .set("email_confirmed", to: SQLBind(false))
        }
        if let phone = changes.phone { update = update.set("phone", to: SQLBind(phone)) }
        try await update.where("id", .equal, SQLBind(userID)).run()
    }

    public func delete(id: Int) async throws {
        try await database.delete(from: "users").where("id", .equal, SQLBind(id)).run()
    }
}
