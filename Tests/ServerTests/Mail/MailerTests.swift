import Foundation
import Logging
import Server
import Testing
import TestSupport

@Suite("Mail delivery")
struct MailerTests {
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("upare-mail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A sendmail stand-in: a real script that stores its input, or fails.
    static func script(in folder: URL, exitStatus: Int = 0) throws -> URL {
        let script = folder.appendingPathComponent("sendmail")
        let output = folder.appendingPathComponent("mail.txt").path
        try "#!/bin/sh\ncat > '\(output)'\nexit \(exitStatus)\n".write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        return script
    }

    @Test("the outbox keeps messages, newest first")
    func outbox() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try await ServerDatabase.open(path: folder.appendingPathComponent("db.sqlite").path, logger: Logger(label: "test"))
        let outbox = OutboxMailer(database: database, secret: TestServer.secret)
        try await outbox.deliver(OutgoingMessage(medium: .email, recipient: "a@example.com", subject: "Code", body: "123456"))
        try await outbox.deliver(OutgoingMessage(medium: .sms, recipient: "+85263664860", subject: "Code", body: "654321"))
        let recent = try await outbox.recent(limit: 10)
        #expect(recent.map(\.body) == ["654321", "123456"])
        #expect(recent.first?.medium == "sms")
        try await database.close()
    }

    @Test("sendmail receives an RFC 5322 message on standard input")
    func sendmail() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try await ServerDatabase.open(path: folder.appendingPathComponent("db.sqlite").path, logger: Logger(label: "test"))
        let mailer = SendmailMailer(
            command: [try Self.script(in: folder).path, "-t", "-i"], from: "upare@example.org", fallback: OutboxMailer(database: database, secret: TestServer.secret))
        try await mailer.deliver(OutgoingMessage(medium: .email, recipient: "li@example.com", subject: "验证码 code", body: "Your code: 123456\nBye"))
        let text = try String(contentsOf: folder.appendingPathComponent("mail.txt"), encoding: .utf8)
        #expect(text.contains("From: upare@example.org\r\nTo: li@example.com\r\n"))
        #expect(text.contains("Subject: =?UTF-8?B?\(Data("验证码 code".utf8).base64EncodedString())?=\r\n"))
        #expect(text.contains("Content-Type: text/plain; charset=utf-8\r\n"))
        #expect(text.hasSuffix("\r\n\r\nYour code: 123456\r\nBye\r\n"))
        // Text messages go to the outbox instead.
        try await mailer.deliver(OutgoingMessage(medium: .sms, recipient: "+85263664860", subject: "Code", body: "999"))
        #expect(try await OutboxMailer(database: database, secret: TestServer.secret).recent(limit: 1).first?.body == "999")
        try await database.close()
    }

    @Test("a failing command and header injection are delivery errors")
    func failures() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try await ServerDatabase.open(path: folder.appendingPathComponent("db.sqlite").path, logger: Logger(label: "test"))
        let failing = SendmailMailer(
            command: [try Self.script(in: folder, exitStatus: 75).path], from: "upare@example.org", fallback: OutboxMailer(database: database, secret: TestServer.secret))
        await #expect(throws: DeliveryError.self) {
            try await failing.deliver(OutgoingMessage(medium: .email, recipient: "a@example.com", subject: "x", body: "y"))
        }
        let working = SendmailMailer(
            command: [try Self.script(in: folder).path], from: "upare@example.org", fallback: OutboxMailer(database: database, secret: TestServer.secret))
        for recipient in ["a@example.com\r\nBcc: victim@example.com", "not-an-address", "a@x.com, b@y.com"] {
            await #expect(throws: DeliveryError.self) {
                try await working.deliver(OutgoingMessage(medium: .email, recipient: recipient, subject: "x", body: "y"))
            }
        }
        let missing = SendmailMailer(command: ["/nonexistent/sendmail"], from: "a@b.c", fallback: OutboxMailer(database: database, secret: TestServer.secret))
        await #expect(throws: DeliveryError.self) {
            try await missing.deliver(OutgoingMessage(medium: .email, recipient: "a@example.com", subject: "x", body: "y"))
        }
        try await database.close()
    }
}
