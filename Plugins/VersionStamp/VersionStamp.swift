import Foundation
import PackagePlugin

/// Stamps the `upare` target with the version of the tree it is built from:
/// `scripts/version-stamp` writes `GitVersion.swift` from `git describe`. It
/// is a build command whose inputs are git's HEAD, index and reflog and every
/// source file of the package, so it runs again after a commit, a checkout or
/// an edit, and not otherwise. (A prebuild command would suit better, but
/// SwiftPM skips those on incremental builds: swift-package-manager#5476.)
@main
struct VersionStamp: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let root = context.package.directoryURL
        let output = context.pluginWorkDirectoryURL.appending(path: "GitVersion.swift")
        let git = ["HEAD", "index", "logs/HEAD"].map { root.appending(path: ".git/\($0)") }
        let sources = context.package.targets.compactMap { $0 as? SourceModuleTarget }
            .flatMap { $0.sourceFiles.map(\.url) }
        let inputs = (git + sources + [root.appending(path: "scripts/version-stamp")])
            .filter { FileManager.default.fileExists(atPath: $0.path) }
        return [
            .buildCommand(
                displayName: "Stamping the version from git describe",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [root.appending(path: "scripts/version-stamp").path, root.path, output.path],
                inputFiles: inputs,
                outputFiles: [output]),
        ]
    }
}
