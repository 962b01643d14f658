import Foundation
import Hummingbird
import HummingbirdTesting
import Server
import Testing
import TestSupport

/// `upare serve --config FILE` and the `UPARE_` variables: one table of settings.
@Suite("Configuration: the file, the environment, scenarios, test mode")
struct ConfigurationTests {
    static func file(_ json: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("upare-config-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: url)
        return url.path
    }

    static func refusal(_ json: String?, environment: [String: String] = [:]) throws -> String? {
        let path = try json.map(file)
        defer { if let path { try? FileManager.default.removeItem(atPath: path) } }
        do {
            _ = try ServerConfiguration.load(file: path, environment: environment)
            return nil
        } catch let error as ConfigurationError {
            return error.description
        }
    }

    @Test("the file sets, the environment wins; captcha options by their ThinkPHP names; scenario sections on top")
    func fileAndEnvironment() throws {
        let path = try Self.file("""
            {"port": 9090, "secureCookies": true, "trustedProxies": ["10.0.0.5"], "headerTimeout": 2.5,
             "captcha": {"length": 5, "difficulty": "easy", "useCurve": false, "bg": "#ffffff", "expire": 600,
                         "login": {"length": 6, "math": true}}}
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let configuration = try ServerConfiguration.load(
            file: path, environment: ["UPARE_PORT": "7070", "UPARE_CAPTCHA_LENGTH": "3", "UPARE_CORS_ORIGINS": "https://a.example, https://b.example"])
        #expect(configuration.port == 7070, "the environment wins")
        #expect(configuration.secureCookies && configuration.trustedProxies == ["10.0.0.5"])
        #expect(configuration.timeouts.header == .milliseconds(2500))
        #expect(configuration.allowedOrigins == ["https://a.example", "https://b.example"])
        #expect(configuration.captcha.length == 3 && configuration.captcha.difficulty == .easy && !configuration.captcha.useCurve)
        #expect(configuration.captcha.expire == 600)
        let login = try #require(configuration.captchaScenarios["login"])
        #expect(login.length == 6 && login.math && login.difficulty == .easy && login.expire == 600, "the default's options under the section's")
        #expect(configuration.captchaScenarios.count == 1)
    }

    @Test("a value that does not fit stops the start, naming the setting and what it must be")
    func refusals() throws {
        let cases: [(String?, [String: String], [String])] = [
            (#"{"port": 70000}"#, [:], ["port", "1...65535", "70000"]),
            (nil, ["UPARE_PORT": "eighty"], ["UPARE_PORT", "1...65535"]),
            (#"{"captcha": {"length": 40}}"#, [:], ["captcha.length", "1...12"]),
            (#"{"captcha": {"login": {"fontSize": 2}}}"#, [:], ["captcha.login.fontSize", "10...120"]),
            (#"{"captcha": {"login": {"colour": "red"}}}"#, [:], ["unknown captcha option captcha.login.colour"]),
            (#"{"prot": 80}"#, [:], ["unknown setting prot"]),
            (#"{"secureCookies": 1}"#, [:], ["secureCookies", "true or false"]),
            (#"{"captcha": {"difficulty": "impossible"}}"#, [:], ["captcha.difficulty", "easy, normal, hard"]),
            (##"{"captcha": {"bg": "#808080"}}"##, [:], ["captcha", "7:1"]),
            (nil, ["UPARE_SECRET": "short"], ["UPARE_SECRET", "32 characters"]),
            (nil, ["UPARE_BCRYPT_COST": "3"], ["UPARE_BCRYPT_COST", "4...31"]),
            ("[1, 2]", [:], ["JSON object"]),
            ("{not json", [:], ["not valid JSON"]),
        ]
        for (json, environment, words) in cases {
            let message = try #require(try Self.refusal(json, environment: environment), "\(json ?? "") \(environment) was accepted")
            for word in words { #expect(message.contains(word), "\(message) names \(word)") }
        }
        #expect(try Self.refusal(#"{"captcha": {"login": {"length": 6}}, "logLevel": "debug"}"#) == nil)
    }

    @Test("docs/configuration.md is `upare settings --markdown`, and names every setting by its key and its variable")
    func documented() throws {
        let text = try String(contentsOf: PackagePaths.root.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        #expect(text == SettingsReference.markdown(), "docs/configuration.md is stale: run `swift run upare settings --markdown > docs/configuration.md`")
        for setting in ServerConfiguration.settings {
            #expect(text.contains("`\(setting.environment)`"), "\(setting.environment) is documented")
            #expect(text.contains("`\(setting.key)`"), "\(setting.key) is documented")
        }
    }

    @Test("a scenario section's options draw and check that scenario's captchas")
    func scenarioOptions() async throws {
        let server = try await TestServer.make { configuration in
            var login = configuration.captcha
            login.length = 6
            configuration.captchaScenarios["login"] = login
        }
        try await server.test { http in
            let login = try await http.execute(uri: "/api/Image/captcha?id=login", method: .get) { try #require(TestServer.cookie($0)) }
            let answer = server.lastAnswer(for: "login")
            #expect(answer.count == 6)
            #expect(try await server.post(http, "/api/Image/captchaVerify", ["id": "login", "captcha": answer], cookie: login)
                .body["error_code"] as? Int == 0)
            _ = try await http.execute(uri: "/api/Image/captcha?id=comment", method: .get, headers: [.cookie: login]) { _ in }
            #expect(server.lastAnswer(for: "comment").count == 4, "other scenarios keep the default")
        }
    }

    @Test("test mode: the documented answers pass and fail without a challenge; refused off loopback unless allowed")
    func testMode() async throws {
        var configuration = ServerConfiguration()
        configuration.captchaTestMode = true
        configuration.host = "0.0.0.0"
        #expect(throws: ConfigurationError.self) { try configuration.validateForStart() }
        configuration.captchaTestModeAnywhere = true
        try configuration.validateForStart()
        configuration.captchaTestModeAnywhere = false
        configuration.host = "127.0.0.1"
        try configuration.validateForStart()

        let server = try await TestServer.make { $0.captchaTestMode = true }
        try await server.test { http in
            #expect(try await server.post(http, "/api/Image/captchaVerify", ["captcha": CaptchaSlot.TestAnswer.pass]).body["error_code"] as? Int == 0)
            #expect(try await server.post(http, "/api/Image/captchaVerify", ["captcha": CaptchaSlot.TestAnswer.fail]).body["error_code"] as? Int == 200002)
            try await server.register(http, "tim", email: "tim@example.com")
            let login = try await server.post(http, "/api/User/login", [
                "username": "tim", "password": "correct horse", "captcha": CaptchaSlot.TestAnswer.pass,
            ])
            #expect(login.body["error_code"] as? Int == 0)
            // Real answers still work as usual.
            let session = try await server.captchaSession(http)
            #expect(try await server.post(http, "/api/Image/captchaVerify", ["captcha": session.answer], cookie: session.cookie)
                .body["error_code"] as? Int == 0)
        }
        let normal = try await TestServer.make()
        try await normal.test { http in
            let code = try await normal.post(http, "/api/Image/captchaVerify", ["captcha": CaptchaSlot.TestAnswer.pass]).body["error_code"] as? Int
            #expect(code == 200002, "without the test mode the test answer is just a wrong answer")
        }
    }
}
