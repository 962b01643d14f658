import Foundation
import Testing

/// The `upare` binary, run as a real process.
enum UpareProcess {
    /// The binary `swift build` put beside the test bundle.
    static let binary: URL? = {
        var folder = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = folder.appendingPathComponent("upare")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder.deleteLastPathComponent()
        }
        return nil
    }()

    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: String
        var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Runs `executable` (default: the built binary) with `arguments`, feeding
    /// `stdin`, in `folder`, with `environment` (default: this process's).
    /// Output goes through files, so neither stream can fill up and stall it.
    static func run(
        _ arguments: [String], stdin: Data? = nil, environment: [String: String]? = nil, in folder: URL? = nil,
        executable: URL? = nil
    ) throws -> Result {
        guard let program = executable ?? binary else {
            Issue.record("the upare binary was not built next to the tests")
            return Result(status: -1, stdout: Data(), stderr: "")
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("upare-process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("out"), errURL = scratch.appendingPathComponent("err")
        let inURL = scratch.appendingPathComponent("in")
        for url in [outURL, errURL] { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        try (stdin ?? Data()).write(to: inURL)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let input = try FileHandle(forReadingFrom: inURL)
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        if let environment { process.environment = environment }
        if let folder { process.currentDirectoryURL = folder }
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        try input.close()
        return Result(
            status: process.terminationStatus, stdout: try Data(contentsOf: outURL),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    static func temporaryFolder(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("upare-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
