import Foundation
import Raster
import Testing
import TestSupport

/// `upare convert`, run as a real process.
@Suite("upare convert")
struct ConvertCommandTests {
    static func run(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let result = try UpareProcess.run(arguments)
        return (result.status, result.stderr)
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

    @Test("--png-compression: each level writes the same pixels, best is the smallest, a bad level is a usage error")
    func pngCompression() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = Image.photoLike(width: 300, height: 200)
        let input = folder.appendingPathComponent("in.bmp")
        try source.write(to: input.path)
        var sizes: [String: Int] = [:]
        for level in ["fast", "default", "best"] {
            let output = folder.appendingPathComponent("\(level).png")
            let result = try Self.run(["convert", input.path, output.path, "--png-compression", level])
            #expect(result.status == 0, "\(result.stderr)")
            let bytes = try [UInt8](Data(contentsOf: output))
            #expect(try PNG.decode(bytes) == source, "\(level)")
            sizes[level] = bytes.count
        }
        #expect(sizes["best"]! <= sizes["default"]!, "\(sizes)")
        let bad = try Self.run(["convert", input.path, folder.appendingPathComponent("x.png").path, "--png-compression", "max"])
        #expect(bad.status == 2, "\(bad.stderr)")
        #expect(bad.stderr.contains("png-compression"), "\(bad.stderr)")
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

/// `upare captcha --difficulty` and `--style-secret`: presets and keyed styles.
@Suite("upare captcha styles")
struct CaptchaStyleCommandTests {
    /// The bytes of the files one seeded run writes, by name.
    static func render(_ extra: [String], in folder: URL, named name: String) throws -> [String: Data] {
        let out = folder.appendingPathComponent(name)
        let result = try ConvertCommandTests.run(["captcha", "--count", "4", "--out", out.path, "--seed", "9"] + extra)
        #expect(result.status == 0, "\(result.stderr)")
        var files: [String: Data] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: out.path) {
            files[file] = try Data(contentsOf: out.appendingPathComponent(file))
        }
        return files
    }

    @Test("a style secret draws the same keyed style each time, another secret another, none the public one")
    func keyed() throws {
        let folder = try ConvertCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = folder.appendingPathComponent("first.secret"), second = folder.appendingPathComponent("second.secret")
        try Data("the first deployment's secret, long enough to use\n".utf8).write(to: first)
        try Data("the second deployment's secret, also long enough\n".utf8).write(to: second)
        let publicStyle = try Self.render([], in: folder, named: "public")
        let keyedOnce = try Self.render(["--style-secret", first.path], in: folder, named: "a")
        let keyedAgain = try Self.render(["--style-secret", first.path], in: folder, named: "b")
        let otherKey = try Self.render(["--style-secret", second.path], in: folder, named: "c")
        #expect(keyedOnce.count == 4 && keyedOnce == keyedAgain)
        // The same answers (the seed picks them), drawn differently.
        #expect(Set(keyedOnce.keys) == Set(publicStyle.keys))
        #expect(keyedOnce != publicStyle && keyedOnce != otherKey)
        let short = folder.appendingPathComponent("short.secret")
        try Data("too short".utf8).write(to: short)
        let refused = try ConvertCommandTests.run(["captcha", "--count", "1", "--out", folder.path, "--style-secret", short.path])
        #expect(refused.status != 0 && refused.stderr.contains("at least 32 characters"))
    }

    @Test("difficulty presets: hard codes run to five glyphs, an unknown preset is refused")
    func difficulty() throws {
        let folder = try ConvertCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("hard")
        let result = try ConvertCommandTests.run(["captcha", "--count", "40", "--out", out.path, "--seed", "1", "--difficulty", "hard"])
        #expect(result.status == 0, "\(result.stderr)")
        let lengths = Set(try FileManager.default.contentsOfDirectory(atPath: out.path).map { $0.split(separator: "_")[0].count })
        #expect(lengths == [4, 5])
        let refused = try ConvertCommandTests.run(["captcha", "--count", "1", "--out", out.path, "--difficulty", "medium"])
        #expect(refused.status != 0 && refused.stderr.contains("easy, normal, hard"))
        let badStyle = try ConvertCommandTests.run(["captcha", "--count", "1", "--out", out.path, "--style", "cuts=99x"])
        #expect(badStyle.status != 0 && badStyle.stderr.contains("cuts"))
    }
}

/// `upare disorder`, run as a real process on a folder of good and bad files.
@Suite("upare disorder")
struct DisorderCommandTests {
    @Test("a folder round trip: good files restored exactly, bad ones reported, status 1")
    func folder() throws {
        let root = try ConvertCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let input = root.appendingPathComponent("pictures")
        try FileManager.default.createDirectory(at: input.appendingPathComponent("nested"), withIntermediateDirectories: true)
        let picture = makeTestImage(width: 70, height: 45, alpha: true)
        try picture.write(to: input.appendingPathComponent("a.png").path)
        try picture.flattened().write(to: input.appendingPathComponent("nested/b.bmp").path)
        let jpeg = try JPEG.encode(picture, options: JPEG.EncodeOptions(quality: 90))
        try Data(jpeg).write(to: input.appendingPathComponent("nested/c.jpg"))
        try Data("not a picture".utf8).write(to: input.appendingPathComponent("nested/broken.png"))
        let keyFile = root.appendingPathComponent("key")
        try Data((String(repeating: "7e", count: 32) + "\n").utf8).write(to: keyFile)

        let encrypted = root.appendingPathComponent("encrypted")
        let encrypt = try ConvertCommandTests.run(
            ["disorder", "encrypt", "--key-file", keyFile.path, "--out", encrypted.path, input.path])
        #expect(encrypt.status == 1)
        #expect(encrypt.stderr.contains("broken.png: unsupported format"))
        #expect(encrypt.stderr.contains("3 of 4 files scrambled"))

        let restored = root.appendingPathComponent("restored")
        let decrypt = try ConvertCommandTests.run(
            ["disorder", "decrypt", "--key-file", keyFile.path, "--out", restored.path, encrypted.appendingPathComponent("pictures").path])
        #expect(decrypt.status == 0, "\(decrypt.stderr)")
        let back = restored.appendingPathComponent("pictures")
        #expect(try Image.read(contentsOf: back.appendingPathComponent("a.png").path) == picture)
        #expect(try Image.read(contentsOf: back.appendingPathComponent("nested/b.bmp").path) == picture.flattened())
        #expect(try Image.read(contentsOf: back.appendingPathComponent("nested/c.jpg").path) == JPEG.decode(jpeg))
        // Nothing half-written or temporary is left behind.
        let leftovers = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String }.filter { $0.contains(".tmp") } ?? []
        #expect(leftovers.isEmpty)

        // A wrong key is named per file; inputs are never overwritten without --in-place.
        let wrongKey = root.appendingPathComponent("wrong")
        try Data(String(repeating: "11", count: 32).utf8).write(to: wrongKey)
        let wrong = try ConvertCommandTests.run(
            ["disorder", "decrypt", "--key-file", wrongKey.path, "--out", root.appendingPathComponent("x").path,
             encrypted.appendingPathComponent("pictures/a.png").path])
        #expect(wrong.status == 3 && wrong.stderr.contains("wrong key"), "one file, and it failed: nothing done")
        let again = try ConvertCommandTests.run(
            ["disorder", "encrypt", "--key-file", keyFile.path, "--out", encrypted.path, input.appendingPathComponent("a.png").path])
        #expect(again.status == 0)  // a single file goes straight under --out
        let clash = try ConvertCommandTests.run(
            ["disorder", "encrypt", "--key-file", keyFile.path, "--out", encrypted.path, input.appendingPathComponent("a.png").path])
        #expect(clash.status == 3 && clash.stderr.contains("exists"))
    }

    @Test("in place: the file is replaced atomically and restored exactly")
    func inPlace() throws {
        let root = try ConvertCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("p.png")
        let picture = makeTestImage(width: 48, height: 48)
        try picture.write(to: file.path)
        let keyFile = root.appendingPathComponent("key")
        try Data("a long enough passphrase".utf8).write(to: keyFile)
        #expect(try ConvertCommandTests.run(["disorder", "encrypt", "--key-file", keyFile.path, "--in-place", file.path]).status == 0)
        #expect(try Image.read(contentsOf: file.path) != picture)
        #expect(try ConvertCommandTests.run(["disorder", "decrypt", "--key-file", keyFile.path, "--in-place", file.path]).status == 0)
        #expect(try Image.read(contentsOf: file.path) == picture)
        // Beside the input by default.
        #expect(try ConvertCommandTests.run(["disorder", "encrypt", "--key-file", keyFile.path, file.path]).status == 0)
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("p.disorder.png").path))
    }
}
