import ArgumentParser
import Foundation
import Server

/// `upare settings`: every setting of `upare serve`, its file key and variable.
struct SettingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "List every setting of upare serve: its key in --config FILE, its UPARE_ variable, its meaning.",
        discussion: "`upare settings --markdown > docs/configuration.md` writes the reference.")

    @Flag(help: "The full reference as Markdown (docs/configuration.md).")
    var markdown = false

    func run() {
        if markdown { return print(SettingsReference.markdown(), terminator: "") }
        let width = ServerConfiguration.settings.map(\.environment.count).max() ?? 0
        for setting in ServerConfiguration.settings {
            print(setting.environment.padding(toLength: width + 2, withPad: " ", startingAt: 0) + setting.key)
        }
    }
}
