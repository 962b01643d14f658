import Foundation

/// E-mail through a sendmail-compatible command (the Unix convention: the
/// message on standard input, recipients from its headers with `-t`). Text
/// messages go to `fallback` (the outbox).
public struct SendmailMailer: Mailer {
    let command: [String]
    let from: String
    let fallback: any Mailer

    /// `command` is the program and its arguments, such as `["/usr/sbin/sendmail", "-t", "-i"]`.
    public init(command: [String], from: String, fallback: any Mailer) {
        self.command = command
        self.from = from
        self.fallback = fallback
    }

    public func deliver(_ message: OutgoingMessage) async throws(DeliveryError) {
        guard message.medium == .email else {
            try await fallback.deliver(message)
            return
        }
        let text = try Self.rfc5322(message, from: from, date: Date())
        // The command runs off the caller's thread: waiting for it blocks.
        let outcome = await Task.detached { () -> DeliveryError? in
            do throws(DeliveryError) {
                try run(text)
            } catch {
                return error
            }
            return nil
        }.value
        if let outcome { throw outcome }
    }

    private func run(_ text: String) throws(DeliveryError) {
        guard let program = command.first else { throw DeliveryError(reason: "no sendmail command configured") }
        guard FileManager.default.isExecutableFile(atPath: program) else {
            throw DeliveryError(reason: "\(program) is not an executable file")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = Array(command.dropFirst())
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            input.fileHandleForWriting.write(Data(text.utf8))
            try input.fileHandleForWriting.close()
        } catch {
            throw DeliveryError(reason: "cannot run \(program)")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw DeliveryError(reason: "\(program) exited with status \(process.terminationStatus)")
        }
    }

    /// An RFC 5322 message with a UTF-8 plain-text body; a non-ASCII subject is
    /// RFC 2047-encoded. Line breaks in header fields are refused (header injection).
    static func rfc5322(_ message: OutgoingMessage, from: String, date: Date) throws(DeliveryError) -> String {
        // Scalars, not Characters: "\r\n" is one Character, equal to neither "\r" nor "\n".
        for field in [message.recipient, message.subject, from]
        where field.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\u{0}" }) {
            throw DeliveryError(reason: "a header field contains a line break")
        }
        guard message.recipient.contains("@"), !message.recipient.contains(where: { $0 == "<" || $0 == ">" || $0 == "," }) else {
            throw DeliveryError(reason: "not a single e-mail address")
        }
        let subject = message.subject.allSatisfy(\.isASCII)
            ? message.subject : "=?UTF-8?B?\(Data(message.subject.utf8).base64EncodedString())?="
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let id = UUID().uuidString.lowercased()
        let domain = from.split(separator: "@").last.map(String.init) ?? "localhost"
        let body = message.body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        return [
            "From: \(from)", "To: \(message.recipient)", "Subject: \(subject)", "Date: \(formatter.string(from: date))",
            "Message-ID: <\(id)@\(domain)>", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit", "", body,
        ].joined(separator: "\r\n") + "\r\n"
    }
}
