import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Raster
import Testing
import TestSupport

/// An installed upare works anywhere: the tree `scripts/install` (what `make
/// install` runs) makes is moved to another prefix and run from another folder
/// with no environment, so it cannot lean on the source tree.
@Suite("Packaging: install, version, systemd unit")
struct PackagingTests {
    @Test("the installed tree, moved elsewhere, draws captchas and serves them with its own fonts")
    func installedTreeRunsAnywhere() async throws {
        let binary = try #require(UpareProcess.binary)
        let scratch = try UpareProcess.temporaryFolder("install")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let staged = scratch.appendingPathComponent("staged")
        let install = Process()
        install.executableURL = PackagePaths.root.appendingPathComponent("scripts/install")
        install.arguments = ["--prefix", staged.path, "--build", binary.deletingLastPathComponent().path]
        install.standardOutput = FileHandle.nullDevice
        try install.run()
        install.waitUntilExit()
        #expect(install.terminationStatus == 0)
        for file in ["bin/upare", "share/upare/fonts/DejaVuSans-Bold.ttf", "share/upare/fonts/LICENSE-DejaVu.txt",
                     "share/upare/voices/en/A.wav", "share/upare/voices/zh/question.wav",
                     "share/upare/web/index.html", "share/upare/web/static/upare-captcha.js", "share/upare/web/static/upare-disorder.js",
                     "share/bash-completion/completions/upare", "share/zsh/site-functions/_upare",
                     "share/fish/vendor_completions.d/upare.fish", "share/doc/upare/LICENSE", "share/doc/upare/NOTICE"] {
            let size = (try? FileManager.default.attributesOfItem(atPath: staged.appendingPathComponent(file).path)[.size] as? Int) ?? 0
            #expect(size > 0, "\(file) is installed")
        }
        // Moved: nothing in it may point back at where it was made.
        let prefix = scratch.appendingPathComponent("elsewhere/opt/upare")
        try FileManager.default.createDirectory(at: prefix.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: staged, to: prefix)
        let installed = prefix.appendingPathComponent("bin/upare")
        let work = scratch.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let bare = ["PATH": "/usr/bin:/bin"]
        let fonts = prefix.appendingPathComponent("share/upare/fonts").path

        let captcha = try UpareProcess.run(
            ["captcha", "--count", "2", "--json", "--out", "pictures"], environment: bare, in: work, executable: installed)
        #expect(captcha.status == 0, "\(captcha.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: captcha.stdout) as? [String: Any])
        #expect(report["fonts"] as? String == fonts, "the installed fonts, not the source tree's")
        let files = try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("pictures").path)
        #expect(files.count == 2)
        for name in files {
            let image = try Image.read(contentsOf: work.appendingPathComponent("pictures/\(name)").path)
            #expect(image.width == 160 && image.height == 60)
        }

        // The server, on a free port, from the same folder.
        let port = Int.random(in: 20_000...40_000)
        let server = Process()
        server.executableURL = installed
        server.arguments = ["serve", "--port", "\(port)", "--database", "upare.sqlite"]
        server.currentDirectoryURL = work
        server.environment = bare.merging(["UPARE_SECRET": String(repeating: "s", count: 40)]) { $1 }
        let log = work.appendingPathComponent("serve.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)
        server.standardOutput = logHandle
        server.standardError = logHandle
        try server.run()
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        var picture: Data?
        for _ in 0..<100 where picture == nil {
            try await Task.sleep(for: .milliseconds(100))
            let url = try #require(URL(string: "http://127.0.0.1:\(port)/api/Image/captcha"))
            if let (data, response) = try? await URLSession.shared.data(from: url),
               (response as? HTTPURLResponse)?.statusCode == 200 {
                picture = data
            }
        }
        let bytes = try #require(picture, "the installed server answered Image/captcha")
        #expect(ImageFormat.sniff([UInt8](bytes)) == .png)
        let widgetURL = try #require(URL(string: "http://127.0.0.1:\(port)/static/upare-captcha.js"))
        let (widget, _) = try await URLSession.shared.data(from: widgetURL)
        #expect(widget == (try Data(contentsOf: prefix.appendingPathComponent("share/upare/web/static/upare-captcha.js"))))
        server.terminate()
        server.waitUntilExit()
        let logged = String(decoding: try Data(contentsOf: log), as: UTF8.self)
        #expect(logged.contains(fonts), "the server says which fonts it drew with: \(logged)")
    }

    @Test("--version is the tree's git describe (or the package version outside git)")
    func version() throws {
        let result = try UpareProcess.run(["--version"])
        #expect(result.status == 0)
        let version = result.text.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!version.isEmpty && version != "0.1.0")
        let git = Process()
        git.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        git.arguments = ["-C", PackagePaths.root.path, "rev-parse", "--short", "HEAD"]
        let pipe = Pipe()
        git.standardOutput = pipe
        git.standardError = FileHandle.nullDevice
        guard (try? git.run()) != nil else { return }
        git.waitUntilExit()
        let head = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard git.terminationStatus == 0, !head.isEmpty else { return }
        // A build from this checkout names its commit (untagged) or its tag.
        #expect(version.contains(head) || version.first?.isNumber == true, "\(version) vs HEAD \(head)")
    }

    static let systemdAnalyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first(where: FileManager.default.isExecutableFile)

    @Test("deploy/upare.service passes systemd-analyze verify",
          .enabled(if: systemdAnalyze != nil, "systemd-analyze is not installed: the unit is not verified"))
    func systemdUnit() throws {
        let analyze = try #require(Self.systemdAnalyze)
        let binary = try #require(UpareProcess.binary)
        let scratch = try UpareProcess.temporaryFolder("unit")
        defer { try? FileManager.default.removeItem(at: scratch) }
        // The unit names the installed binary; verify it against the built one.
        let unit = try String(contentsOf: PackagePaths.root.appendingPathComponent("deploy/upare.service"), encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/local/bin/upare serve"))
        for setting in ["DynamicUser=yes", "StateDirectory=upare", "NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes",
                        "LoadCredential=upare-secret:", "UPARE_SECRET_FILE=%d/upare-secret"] {
            #expect(unit.contains(setting), "the unit sets \(setting)")
        }
        let copy = scratch.appendingPathComponent("upare.service")
        try unit.replacingOccurrences(of: "/usr/local/bin/upare", with: binary.path).write(to: copy, atomically: true, encoding: .utf8)
        let result = try UpareProcess.run(["verify", copy.path], executable: URL(fileURLWithPath: analyze))
        // Warnings about the host (no systemd running, e.g. in a container) are not the unit's.
        let complaints = result.stderr.split(separator: "\n").filter { $0.contains("upare.service") }
        #expect(complaints.isEmpty, "\(complaints.joined(separator: "\n"))")
    }
}
