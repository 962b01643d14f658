import ArgumentParser

@main
struct UpareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upare",
        abstract: "Captcha and image-processing engine.",
        version: "0.1.0",
        subcommands: [ServeCommand.self, OutboxCommand.self, UserCommand.self, ClientCommand.self, ConvertCommand.self, CaptchaCommand.self, DisorderCommand.self, BenchCommand.self, EndpointsCommand.self])
}
