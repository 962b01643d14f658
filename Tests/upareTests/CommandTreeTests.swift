import ArgumentParser
import Testing
@testable import upare

@Suite("upare command tree")
struct CommandTreeTests {
    /// ArgumentParser derives a missing name from the type's name with
    /// `String(describing:)`, whose protocol-conformance lookups scan the whole
    /// binary: about 0.5 ms a command on every start, for every run of `upare`.
    @Test("every command names itself, and names are unique among siblings")
    func explicitNames() {
        func walk(_ command: any ParsableCommand.Type, path: String) {
            let name = command.configuration.commandName
            #expect(name != nil, "\(path) \(command) has no commandName")
            let children = command.configuration.subcommands
            let names = children.compactMap { $0.configuration.commandName }
            #expect(Set(names).count == names.count, "\(path): duplicate subcommand names \(names)")
            for child in children { walk(child, path: path + " " + (name ?? "?")) }
        }
        walk(UpareCommand.self, path: "")
        #expect(UpareCommand.configuration.subcommands.count >= 10)
    }

    /// An option whose type is not a string or number shows its default with
    /// `String(describing:)` unless it says how: help once read
    /// "default: OutputFormat(format: Raster.ImageFormat.png)".
    @Test("every command's help shows defaults as values a user would type")
    func helpDefaultsAreValues() throws {
        let typeDump = try Regex(#"default: [A-Za-z.]*[A-Z][A-Za-z]*\("#)
        var checked = 0
        func walk(_ command: any ParsableCommand.Type, path: [String]) {
            let help = UpareCommand.helpMessage(for: command, columns: 200)
            #expect(help.firstMatch(of: typeDump) == nil, "upare \(path.joined(separator: " ")): \(help)")
            checked += 1
            for child in command.configuration.subcommands {
                walk(child, path: path + [child.configuration.commandName ?? "?"])
            }
        }
        walk(UpareCommand.self, path: [])
        #expect(checked >= 20)
    }
}
