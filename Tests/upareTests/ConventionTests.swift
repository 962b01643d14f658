import Foundation
import Raster
import Testing
import TestSupport

/// The conventions every command keeps: `-` for the standard streams, keys from
/// a file, standard input or the environment, private key files, exit codes,
/// JSON for machines.
@Suite("upare command-line conventions")
struct ConventionTests {
    static let key = String(repeating: "5a", count: 32)

    @Test("convert: - reads standard input and writes standard output (with --format)")
    func convertStreams() throws {
        let picture = makeTestImage(width: 33, height: 21)
        let png = try PNG.encode(picture)
        let bmp = try UpareProcess.run(["convert", "-", "-", "--format", "bmp"], stdin: Data(png))
        #expect(bmp.status == 0, "\(bmp.stderr)")
        #expect(ImageFormat.sniff([UInt8](bmp.stdout)) == .bmp)
        #expect(try Image.decode([UInt8](bmp.stdout)) == picture)
        let noFormat = try UpareProcess.run(["convert", "-", "-"], stdin: Data(png))
        #expect(noFormat.status == 2 && noFormat.stderr.contains("--format"), "usage errors exit 2: \(noFormat.stderr)")
        let garbage = try UpareProcess.run(["convert", "-", "-", "--format", "png"], stdin: Data("not a picture".utf8))
        #expect(garbage.status == 3 && garbage.stderr.contains("standard input"))
    }

    @Test("disorder: one picture through the standard streams, the key from UPARE_DISORDER_KEY or --key-file -")
    func disorderStreams() throws {
        let picture = makeTestImage(width: 64, height: 48)
        let png = try PNG.encode(picture)
        var environment = ProcessInfo.processInfo.environment
        environment["UPARE_DISORDER_KEY"] = Self.key
        let scrambled = try UpareProcess.run(["disorder", "encrypt", "-"], stdin: Data(png), environment: environment)
        #expect(scrambled.status == 0, "\(scrambled.stderr)")
        #expect(try Image.decode([UInt8](scrambled.stdout)) != picture)
        let restored = try UpareProcess.run(["disorder", "decrypt", "-"], stdin: scrambled.stdout, environment: environment)
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(try Image.decode([UInt8](restored.stdout)) == picture)

        // The key on standard input, for a batch of files.
        let folder = try UpareProcess.temporaryFolder("streams")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("p.png")
        try Data(png).write(to: file)
        let viaStdin = try UpareProcess.run(["disorder", "encrypt", "--key-file", "-", file.path], stdin: Data((Self.key + "\n").utf8))
        #expect(viaStdin.status == 0, "\(viaStdin.stderr)")
        let output = folder.appendingPathComponent("p.disorder.png")
        // Each scramble has a fresh nonce; the same key restores it.
        let back = try UpareProcess.run(["disorder", "decrypt", "-"], stdin: try Data(contentsOf: output), environment: environment)
        #expect(back.status == 0 && (try? Image.decode([UInt8](back.stdout))) == picture, "\(back.stderr)")

        // No key anywhere, or two uses of standard input: usage errors.
        environment["UPARE_DISORDER_KEY"] = nil
        let noKey = try UpareProcess.run(["disorder", "encrypt", file.path], environment: environment)
        #expect(noKey.status == 2 && noKey.stderr.contains("UPARE_DISORDER_KEY"))
        let twice = try UpareProcess.run(["disorder", "encrypt", "--key-file", "-", "-"], stdin: Data(png))
        #expect(twice.status == 2)
        let mixed = try UpareProcess.run(["disorder", "encrypt", "--key-file", "-", "-", file.path], stdin: Data(png))
        #expect(mixed.status == 2 && mixed.stderr.contains("stands alone"))
    }

    @Test("keygen --out writes a new file of mode 0600 and never replaces one")
    func keygen() throws {
        let folder = try UpareProcess.temporaryFolder("keygen")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("picture.key").path
        let made = try UpareProcess.run(["disorder", "keygen", "--out", path])
        #expect(made.status == 0, "\(made.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.count == 65 && text.hasSuffix("\n") && text.dropLast().allSatisfy(\.isHexDigit))
        let again = try UpareProcess.run(["disorder", "keygen", "--out", path])
        #expect(again.status == 3 && again.stderr.contains("exists"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text, "the first key is kept")
        let printed = try UpareProcess.run(["disorder", "keygen"])
        #expect(printed.status == 0 && printed.text.count == 65 && printed.text != text)
    }

    @Test("exit codes: 0 all done, 1 some failed, 2 usage, 3 nothing done; --json reports each file")
    func exitCodesAndJSON() throws {
        let folder = try UpareProcess.temporaryFolder("exit")
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = folder.appendingPathComponent("in/good.png"), bad = folder.appendingPathComponent("in/bad.png")
        try FileManager.default.createDirectory(at: good.deletingLastPathComponent(), withIntermediateDirectories: true)
        try makeTestImage(width: 32, height: 32).write(to: good.path)
        try Data("broken".utf8).write(to: bad)
        var environment = ProcessInfo.processInfo.environment
        environment["UPARE_DISORDER_KEY"] = Self.key

        let some = try UpareProcess.run(
            ["disorder", "encrypt", "--json", "--out", folder.appendingPathComponent("out").path, good.deletingLastPathComponent().path],
            environment: environment)
        #expect(some.status == 1, "\(some.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: some.stdout) as? [String: Any])
        #expect(report["total"] as? Int == 2 && report["succeeded"] as? Int == 1)
        let failures = try #require(report["failures"] as? [[String: String]])
        #expect(failures.count == 1 && failures[0]["input"]?.hasSuffix("bad.png") == true)
        let outputs = try #require(report["outputs"] as? [[String: String]])
        #expect(outputs.count == 1 && FileManager.default.fileExists(atPath: outputs[0]["output"] ?? ""))

        let none = try UpareProcess.run(["disorder", "encrypt", bad.path], environment: environment)
        #expect(none.status == 3)
        let usage = try UpareProcess.run(["disorder", "encrypt", "--threads", "0", good.path], environment: environment)
        #expect(usage.status == 2)
        let unknown = try UpareProcess.run(["convert", "--no-such-option"])
        #expect(unknown.status == 2)
        let help = try UpareProcess.run(["--help"])
        #expect(help.status == 0 && help.text.contains("Exit status"))
    }

    @Test("captcha --json and bench --json are JSON for machines")
    func json() throws {
        let folder = try UpareProcess.temporaryFolder("json")
        defer { try? FileManager.default.removeItem(at: folder) }
        let captcha = try UpareProcess.run(["captcha", "--count", "3", "--seed", "7", "--json", "--out", folder.path])
        #expect(captcha.status == 0, "\(captcha.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: captcha.stdout) as? [String: Any])
        let files = try #require(report["files"] as? [[String: String]])
        #expect(files.count == 3)
        for file in files {
            let name = ((file["path"] ?? "") as NSString).lastPathComponent
            #expect(name.hasPrefix((file["answer"] ?? "?") + "_") && FileManager.default.fileExists(atPath: file["path"] ?? ""))
        }
        let bench = try UpareProcess.run(["bench", "captcha", "--seconds", "0.2", "--threads", "1", "--json"])
        #expect(bench.status == 0, "\(bench.stderr)")
        let figures = try #require(try JSONSerialization.jsonObject(with: bench.stdout) as? [String: Any])
        #expect((figures["single_per_second"] as? Double ?? 0) > 0 && figures["peak_memory_mib"] != nil)
    }

    @Test("serve --config: a setting that does not fit stops the start with its name, exit 3")
    func badConfiguration() throws {
        let folder = try UpareProcess.temporaryFolder("config")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("upare.json")
        try Data(#"{"captcha": {"login": {"length": 99}}}"#.utf8).write(to: file)
        let result = try UpareProcess.run(["serve", "--config", file.path, "--port", "0"], in: folder)
        #expect(result.status == 3)
        #expect(result.stderr.contains("captcha.login.length") && result.stderr.contains("1...12"), "\(result.stderr)")
        var environment = ProcessInfo.processInfo.environment
        environment["UPARE_PORT"] = "not a port"
        let fromEnvironment = try UpareProcess.run(["serve"], environment: environment, in: folder)
        #expect(fromEnvironment.status == 3 && fromEnvironment.stderr.contains("UPARE_PORT"), "\(fromEnvironment.stderr)")
    }
}
