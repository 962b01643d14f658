import ConstantTime
import Crypto
public import Foundation
import SQLKit

/// Six-digit codes that prove someone reads an e-mail box or a phone. One live
/// code per medium, stored as an HMAC under a server key (a stolen table does
/// not give them away: a million guesses need the key), valid 10 minutes,
/// 5 guesses, used up by a right answer, and at most one sent per minute.
public struct VerificationCodes: Sendable {
    public static let lifetime: TimeInterval = 600
    public static let interval: TimeInterval = 60
    public static let maxAttempts = 5

    let database: any SQLDatabase
    let key: SymmetricKey

    public init(database: ServerDatabase, secret: ServerSecret) {
        self.database = database.sql
        key = SymmetricKey(data: secret.derive("verification code"))
    }

    func digest(_ code: String, for medium: Medium) -> [UInt8] {
        var message = Data("\(medium.key)\u{0}".utf8)
        message.append(Data(code.utf8))
        return Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
    }

    /// What `issue` gives: a code to deliver, or the seconds to wait first.
    public enum Issue: Sendable, Equatable {
        case code(String)
        case wait(seconds: Int)
    }

    /// A new code for `medium`, replacing an older one, unless one was sent less
    /// than `interval` ago. One statement decides, so two racing requests cannot
    /// both send.
    public func issue(for medium: Medium, at now: Date) async throws -> Issue {
        let code = String(format: "%06d", Int.random(in: 0..<1_000_000))
        let time = now.timeIntervalSince1970
        let sent = try await database.raw("""
            INSERT INTO verification_codes (medium, code_digest, sent_at, expires_at, failed_attempts)
            VALUES (\(bind: medium.key), \(bind: Data(digest(code, for: medium))), \(bind: time), \(bind: time + Self.lifetime), 0)
            ON CONFLICT (medium) DO UPDATE SET code_digest = excluded.code_digest, sent_at = excluded.sent_at,
                expires_at = excluded.expires_at, failed_attempts = 0
            WHERE verification_codes.sent_at <= \(bind: time - Self.interval)
            RETURNING sent_at
            """).first()
        if sent != nil { return .code(code) }
        struct Row: Decodable { var sent_at: Double }
        let last = try await database.select().column("sent_at").from("verification_codes")
            .where("medium", .equal, SQLBind(medium.key)).first(decoding: Row.self)?.sent_at ?? time
        return .wait(seconds: max(1, Int((last + Self.interval - time).rounded(.up))))
    }

    /// Withdraws a code that could not be delivered, so that the interval does
    /// not hold up a retry.
    public func withdraw(_ code: String, for medium: Medium) async throws {
        try await database.delete(from: "verification_codes")
            .where("medium", .equal, SQLBind(medium.key))
            .where("code_digest", .equal, SQLBind(Data(digest(code, for: medium)))).run()
    }

    /// Whether `code` is the live code of `medium`; a right code is used up,
    /// a wrong one spends an attempt.
    public func check(_ code: String, for medium: Medium, at now: Date) async throws -> Bool {
        struct Row: Decodable { var code_digest: Data }
        // Counting the attempt and reading the digest is one statement, so
        // parallel guesses cannot exceed the limit.
        guard let row = try await database.raw("""
            UPDATE verification_codes SET failed_attempts = failed_attempts + 1
            WHERE medium = \(bind: medium.key) AND expires_at > \(bind: now.timeIntervalSince1970)
                AND failed_attempts < \(bind: Self.maxAttempts)
            RETURNING code_digest
            """).first(decoding: Row.self)
        else { return false }
        let given = digest(code, for: medium)
        guard ConstantTime.equal(given, Array(row.code_digest)) else { return false }
        // Single use: of two right answers at once, one deletes the row.
        let taken = try await database.raw("""
            DELETE FROM verification_codes WHERE medium = \(bind: medium.key) AND code_digest = \(bind: Data(given)) RETURNING medium
            """).first()
        return taken != nil
    }
}

extension VerificationCodes {
    /// Issues a code and hands it to `mailer`; `codeSentRecently` inside the
    /// interval. A code that cannot be delivered is withdrawn, so
    /// the interval does not hold up a retry.
    public func send(to medium: Medium, via mailer: any Mailer, at now: Date) async throws {
        switch try await issue(for: medium, at: now) {
        case .wait(let seconds):
            throw StoreError.codeSentRecently(retryAfter: seconds)
        case .code(let code):
            do {
                try await mailer.deliver(Self.message(code: code, to: medium))
            } catch {
                try? await withdraw(code, for: medium)
                throw error
            }
        }
    }

    static func message(code: String, to medium: Medium) -> OutgoingMessage {
        let minutes = Int(lifetime / 60)
        switch medium {
        case .email(let address):
            return OutgoingMessage(
                medium: .email, recipient: address, subject: "Your upare verification code",
                body: """
                    Your upare verification code is \(code).

                    It expires in \(minutes) minutes. If you did not ask for it, you can ignore this message.
                    """)
        case .phone(let number):
            return OutgoingMessage(
                medium: .sms, recipient: number, subject: "",
                body: "upare code: \(code) (valid \(minutes) min)")
        }
    }
}

