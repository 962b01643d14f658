import Foundation
import Raster
import Testing

/// `upare convert`, run as a real process.
@Suite("upare convert")
struct ConvertCommandTests {
    /// The `upare` binary that `swift build` put beside the test bundle.
    static let binary: URL? = {
        var folder = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = folder.appendingPathComponent("upare")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder.deleteLastPathComponent()
        }
        return nil
    }()

    static func run(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        guard let binary else {
            Issue.record("the upare binary was not built next to the tests")
            return (-1, "")
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = Pipe()
        try process.run()
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("upare-convert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("converts between every pair of formats")
    func converts() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = makeTestImage(width: 30, height: 20)
        let input = folder.appendingPathComponent("in.png")
        try source.write(to: input.path)
        for ext in ["bmp", "jpg", "png", "jpeg"] {
            // A misleading name: the content decides the input format.
            let output = folder.appendingPathComponent("out.\(ext)")
            let result = try Self.run(["convert", input.path, output.path, "--quality", "95"])
            #expect(result.status == 0, "\(result.stderr)")
            let bytes = try [UInt8](Data(contentsOf: output))
            #expect(ImageFormat.sniff(bytes) == ImageFormat(fileExtension: ext))
            let decoded = try Image.decode(bytes)
            if ext.hasPrefix("jp") {
                // 4:2:0 by default: compare luma, which JPEG keeps at full resolution.
                #expect(meanDifference(decoded.grayscale().rgba(), source.grayscale().rgba()) < 4)
            } else {
                #expect(decoded == source)
            }
        }
    }

    @Test("errors are one line and a non-zero status")
    func errors() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let broken = folder.appendingPathComponent("broken.png")
        var bytes = try PNG.encode(makeTestImage(width: 8, height: 8))
        bytes.removeLast(30)
        try Data(bytes).write(to: broken)
        let cases: [([String], String)] = [
            (["convert", broken.path, folder.appendingPathComponent("x.jpg").path], "corrupt PNG data"),
            (["convert", "/nonexistent.png", folder.appendingPathComponent("x.jpg").path], "cannot open"),
            (["convert", broken.path, folder.appendingPathComponent("x.gif").path], "corrupt PNG data"),
        ]
        for (arguments, message) in cases {
            let result = try Self.run(arguments)
            #expect(result.status != 0)
            #expect(result.stderr.contains(message), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
        let badQuality = try Self.run(["convert", broken.path, "x.jpg", "--quality", "0"])
        #expect(badQuality.status != 0)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("x.jpg").path))
    }
}

/// `upare captcha`, run as a real process.
@Suite("upare captcha")
struct CaptchaCommandTests {
    @Test("writes labelled files of the asked type and count")
    func labelledFiles() throws {
        let folder = try ConvertCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for type in ["png", "jpg", "bmp"] {
            let out = folder.appendingPathComponent(type)
            let result = try ConvertCommandTests.run(["captcha", "--count", "5", "--out", out.path, "--type", type, "--seed", "3"])
            #expect(result.status == 0, "\(result.stderr)")
            let names = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
            #expect(names.count == 5)
            for name in names {
                // <answer>_<n>.<ext>, the answer from the default code set.
                let parts = name.split(separator: "_")
                #expect(parts.count == 2 && parts[0].count == 4)
                #expect(parts[0].allSatisfy { "2346789ACEFHJKMNPRTWXY".contains($0) })
                #expect(name.hasSuffix("." + type))
                let image = try Image.decode([UInt8](Data(contentsOf: out.appendingPathComponent(name))))
                #expect(image.width == 160 && image.height == 60)
            }
        }
    }

    @Test("bad options are one clear line and a non-zero status")
    func badOptions() throws {
        let result = try ConvertCommandTests.run(["captcha", "--count", "1", "--out", "/tmp/upare-x", "--width", "1000000"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("imageW must be between"))
    }
}
