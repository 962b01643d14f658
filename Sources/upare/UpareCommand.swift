import ArgumentParser
import Foundation

@main
struct UpareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upare",
        abstract: "Captcha and image-processing engine.",
        discussion: """
            Exit status: 0 success; 1 some files failed (the others were done); \
            2 usage error (unknown option, bad value); 3 nothing done (every file failed, \
            or the command could not start).
            """,
        version: UpareVersion.text,
        subcommands: [
            ServeCommand.self, OutboxCommand.self, UserCommand.self, ClientCommand.self, ConvertCommand.self,
            CaptchaCommand.self, DisorderCommand.self, BenchCommand.self, EndpointsCommand.self, SettingsCommand.self,
        ])

    /// ArgumentParser's own loop, with upare's exit codes: its usage errors
    /// (EX_USAGE, 64) become 2.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            var code = exitCode(for: error)
            // Any failure that is not a usage error or a batch's own code means nothing was done.
            if !(error is ExitCode), code == .failure { code = UpareExit.nothingDone }
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            Foundation.exit(code == .validationFailure ? UpareExit.usage.rawValue : code.rawValue)
        }
    }
}

/// upare's exit codes, the same for every command (see `upare --help`).
enum UpareExit {
    /// Some files failed; the others were done.
    static let someFailed = ExitCode(1)
    /// A usage error: an unknown option or a bad value.
    static let usage = ExitCode(2)
    /// Nothing was done: every file failed, or the command could not start.
    static let nothingDone = ExitCode(3)

    /// The code of a batch of `total` files of which `failed` failed.
    static func batch(total: Int, failed: Int) -> ExitCode? {
        if failed == 0 { return nil }
        return failed >= total ? nothingDone : someFailed
    }
}
