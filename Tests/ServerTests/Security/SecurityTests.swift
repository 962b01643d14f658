import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Raster
import Server
import SQLKit
import Synchronization
import Testing
import TestSupport

/// Regression tests of the security review: each is a real request against
/// the real router, asserting the refusal.
@Suite("Security: access policies, account takeover, leaks, exhaustion, throttles")
struct SecurityTests {
    /// A third-party client and a bearer token of `user` holding `scopes`.
    static func token(
        _ server: TestServer, user: Int, scopes: Set<String>, clientName: String = "Third Party"
    ) async throws -> (token: String, client: OAuthClient) {
        let (client, _) = try await server.client(clientName, scopes: OAuthScopes.known)
        let issued = try await server.services.tokens.issue(
            clientID: client.id, userID: user, scopes: scopes, family: OAuthTokens.newFamily(), at: server.clock.now)
        return (issued.accessToken, client)
    }

    @Test("a bearer token cannot drive Oauth/authorize: no self-granted scopes, no stored consent, no code for another client")
    func bearerCannotAuthorize() async throws {
        let server = try await TestServer.make { $0.rateLimits.enabled = false }
        let (firstParty, _) = try await server.client("First Party", isPublic: true, firstParty: true, scopes: OAuthScopes.known)
        try await server.test { http in
            let uid = try #require(try await server.register(http, "victim", email: "victim@example.com")["uid"] as? Int)
            let (token, client) = try await Self.token(server, user: uid, scopes: ["basic"])
            let pkce = OAuthTests.pkce()
            for (target, consent) in [(client.id, ["consent": "allow", "consent_token": "x"]), (firstParty.id, [:])] {
                let fields = [
                    "response_type": "json", "client_id": target, "redirect_uri": "https://app.example/cb",
                    "scope": "basic messages calendar friends", "code_challenge": pkce.challenge, "code_challenge_method": "S256",
                ].merging(consent) { $1 }
                let reply = try await http.execute(
                    uri: "/api/Oauth/authorize", method: .post,
                    headers: [.authorization: "Bearer \(token)", .contentType: "application/x-www-form-urlencoded"],
                    body: TestServer.form(fields)) { try TestServer.json($0) }
                #expect(reply["error_code"] as? Int == 201206 && reply["authorization_code"] == nil, "\(reply)")
            }
            #expect(try await server.services.clients.consent(user: uid, client: client.id).isEmpty, "no consent was stored")
            #expect(try await server.count("oauth_codes") == 0)
        }
    }

    @Test("bodies: field caps, form size, text/plain refused; avatars over 16 MP refused before decoding")
    func bodyLimits() async throws {
        let server = try await TestServer.make(maxBodySize: 8 << 20) { $0.rateLimits.enabled = false }
        try await server.test { http in
            let many = (0..<300).map { "f\($0)=1" }.joined(separator: "&")
            let fields = try await http.execute(
                uri: "/api/User/validateUniqueUsername", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: many)) { try TestServer.json($0) }
            #expect(fields["error_code"] as? Int == 100004 && (fields["detail"] as? String)?.contains("256") == true)
            let large = try await http.execute(
                uri: "/api/User/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "username=" + String(repeating: "a", count: 70_000))) { $0.status }
            #expect(large == .contentTooLarge)
            let plain = try await http.execute(
                uri: "/api/User/validateUniqueUsername", method: .post, headers: [.contentType: "text/plain"],
                body: ByteBuffer(string: "username=x")) { $0.status }
            #expect(plain == .unsupportedMediaType)

            try await server.register(http, "big", email: "big@example.com")
            let cookie = try await server.login(http, "big")
            // A 105-byte-ish PNG declaring 6000x6000. Decoding it would fail on its
            // truncated data instead; "limit" says it was refused from the header.
            let huge = Self.pngDeclaring(width: 6000, height: 6000)
            let refused = try await http.execute(
                uri: "/api/User/setAvatar", method: .post,
                headers: [.cookie: cookie, .contentType: "multipart/form-data; boundary=upare-test-boundary"],
                body: SettingsTests.upload("avatar", huge)) { try TestServer.json($0) }
            #expect(refused["error_code"] as? Int == 202301 && (refused["detail"] as? String)?.contains("limit") == true, "\(refused)")
        }
    }

    /// A PNG whose IHDR declares `width` x `height`, with one tiny IDAT.
    static func pngDeclaring(width: Int, height: Int) -> [UInt8] {
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            return UInt32(data.count).bigEndianBytes + body + crc32(body).bigEndianBytes
        }
        let header = UInt32(width).bigEndianBytes + UInt32(height).bigEndianBytes + [8, 2, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header)
            + chunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]) + chunk("IEND", [])
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    @Test("multipart: the fuzzer's crash input (a non-ASCII header name) is refused; parts, empty parts and limits parse right")
    func multipart() async throws {
        let server = try await TestServer.make { $0.rateLimits.enabled = false }
        try await server.test { http in
            // scripts/fuzz found it: MultipartKit 4.7.1 trapped on the byte 0xF3 in a header name.
            let crash = Array("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b\r\nContent-Di".utf8) + [0xF3]
                + Array("position: form-data; name=\"f\"; filename=\"x.png\"\r\nContent-Type: image/png\r\n\r\nPNG\r\n--b--\r\n".utf8)
            let reply = try await http.execute(
                uri: "/api/Image/disorder", method: .post, headers: [.contentType: "multipart/form-data; boundary=b"],
                body: ByteBuffer(bytes: crash)) { try TestServer.json($0) }
            #expect(reply["error_code"] as? Int == 100004 && (reply["detail"] as? String)?.contains("multipart") == true)
        }
        let body = Array("preamble\r\n--xy\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\none\r\n--xy\r\n\r\n\r\n--xy  \r\n".utf8)
            + Array("Content-Disposition: form-data; name=\"f\"; filename=\"p.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
            + [0, 13, 10, 45, 45, 255] + Array("\r\n--xy--\r\nepilogue".utf8)
        let parsed = try Parameters.parse(query: "q=1", contentType: "multipart/form-data; boundary=xy", body: body)
        #expect(parsed["a"] == "one" && parsed["q"] == "1")
        #expect(parsed.files["f"]?.bytes == [0, 13, 10, 45, 45, 255] && parsed.files["f"]?.contentType == "application/octet-stream")
        for broken in ["--xy\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end", "no boundary at all", "--xy\r\n: empty name\r\n\r\nx\r\n--xy--"] {
            #expect(throws: APIError.self, "\(broken)") {
                try Parameters.parse(query: "", contentType: "multipart/form-data; boundary=xy", body: Array(broken.utf8))
            }
        }
        let many = (0..<40).map { "--xy\r\nContent-Disposition: form-data; name=\"f\($0)\"\r\n\r\n1\r\n" }.joined() + "--xy--"
        #expect(throws: APIError.self) { try Parameters.parse(query: "", contentType: "multipart/form-data; boundary=xy", body: Array(many.utf8)) }
    }

    @Test("heavy work is bounded: past the limit a job is refused with 201204 at once, not queued")
    func heavyWorkBound() async throws {
        let work = HeavyWork(limit: 1)
        let gate = Mutex(false)
        async let holding: Int = work.run {
            while !gate.withLock({ $0 }) { usleep(1_000) }
            return 1
        }
        while work.inFlight == 0 { try await Task.sleep(for: .milliseconds(1)) }
        await #expect(throws: RetryAfter.self) { try await work.run { 2 } }
        gate.withLock { $0 = true }
        #expect(try await holding == 1)
        #expect(try await work.run { 3 } == 3, "free again once the first job ended")
    }

    @Test("secrets at rest: outbox codes sealed, captcha slots keyed by a hash of the session, the database logger quiet")
    func secretsAtRest() async throws {
        let server = try await TestServer.make { $0.rateLimits.enabled = false }
        try await server.test { http in
            try await server.sendCode(http, ["medium": "sealed@example.com"])
            let code = try await server.lastCode(to: "sealed@example.com")
            struct Body: Decodable { var body: String }
            let raw = try await server.database.sql.select().column("body").from("outbox").all(decoding: Body.self)
            #expect(!raw.isEmpty && raw.allSatisfy { !$0.body.contains(code) && $0.body.hasPrefix("sealed:") })

            let session = try await server.captchaSession(http)
            let token = String(session.cookie.split(separator: "=", maxSplits: 1)[1])
            let rows = try await server.database.sql.raw("SELECT * FROM captcha_challenges").all()
            #expect(!rows.isEmpty)
            for row in rows {
                for column in row.allColumns {
                    let text = (try? row.decode(column: column, as: String.self)) ?? ""
                    #expect(!text.contains(token), "captcha_challenges.\(column) holds the session token")
                }
            }
        }

        // The drivers log every query with its bound values at debug: the database's logger never goes below info.
        let records = LogRecorder()
        var logger = Logger(label: "test") { _ in records }
        logger.logLevel = .trace
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("upare-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try await ServerDatabase.open(path: folder.appendingPathComponent("db.sqlite").path, logger: logger)
        try await database.sql.raw("SELECT \(bind: "secret-bound-value-4711") AS x").run()
        try await database.close()
        #expect(!records.text.contains("secret-bound-value-4711"))
    }

    @Test("throttles: the client bucket is charged after authentication; the login throttle counts the account, not the name typed")
    func throttles() async throws {
        let server = try await TestServer.make { configuration in
            configuration.rateLimits.perClient = RateLimiter.Limit(burst: 3, perSecond: 0.001)
        }
        let (client, secret) = try await server.client("Backend", firstParty: true)
        try await server.test { http in
            for _ in 0..<10 {
                let bogus = try await server.post(http, "/api/Oauth/revoke", ["client_id": client.id, "client_secret": "wrong", "token": "x"])
                #expect(bogus.body["error_code"] as? Int == 201208)
            }
            let real = try await server.post(http, "/api/Oauth/revoke", ["client_id": client.id, "client_secret": secret ?? "", "token": "x"])
            #expect(real.body["error_code"] as? Int == 0, "bogus calls in its name did not use up the client's budget")
            for _ in 0..<3 { try await server.post(http, "/api/Oauth/revoke", ["client_id": client.id, "client_secret": secret ?? "", "token": "x"]) }
            let over = try await server.post(http, "/api/Oauth/revoke", ["client_id": client.id, "client_secret": secret ?? "", "token": "x"])
            #expect(over.status == .tooManyRequests && over.body["error"] as? String == "temporarily_unavailable",
                    "throttle errors from the token endpoints carry RFC 6749's error")

            try await server.register(http, "bob", email: "bob@example.com")
            for _ in 0..<10 {
                let session = try await server.captchaSession(http)
                try await server.post(http, "/api/User/login", ["username": "bob", "password": "wrong horse", "captcha": session.answer], cookie: session.cookie)
            }
            let session = try await server.captchaSession(http)
            let byEmail = try await server.post(
                http, "/api/User/login", ["username": "BOB@example.com", "password": "correct horse", "captcha": session.answer], cookie: session.cookie)
            #expect(byEmail.body["error_code"] as? Int == 201204, "the account is locked whichever of its names is typed")
        }
    }

    @Test("CSRF: a cookie-authenticated POST from another origin is refused; the site's own and allowed origins pass")
    func crossSite() async throws {
        let server = try await TestServer.make { configuration in
            configuration.rateLimits.enabled = false
            configuration.allowedOrigins = ["https://front.example"]
        }
        try await server.test { http in
            try await server.register(http, "csrf", email: "csrf@example.com")
            let cookie = try await server.login(http, "csrf")
            func post(origin: String?, referer: String? = nil) async throws -> Int? {
                // The router test client's requests are for http://localhost.
                var headers: HTTPFields = [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"]
                if let origin { headers[.origin] = origin }
                if let referer { headers[.referer] = referer }
                return try await http.execute(uri: "/api/User/message", method: .post, headers: headers, body: ByteBuffer()) {
                    try TestServer.json($0)["error_code"] as? Int
                }
            }
            #expect(try await post(origin: "https://evil.example") == 403)
            #expect(try await post(origin: nil, referer: "https://evil.example/page") == 403)
            #expect(try await post(origin: "null") == 403)
            #expect(try await post(origin: "https://front.example") == 0)
            #expect(try await post(origin: "http://localhost") == 0)
            #expect(try await post(origin: "http://localhost:8443") == 403, "another port is another origin")
            #expect(try await post(origin: nil) == 0, "no Origin and no Referer: not a browser's cross-site request")
        }
    }

    @Test("OAuth: tokens never in the URL; invalid_grant is 400; codes issued before a password change get no tokens after it")
    func oauthDetails() async throws {
        let server = try await TestServer.make { $0.rateLimits.enabled = false }
        let (client, secret) = try await server.client(firstParty: true)
        try await server.test { http in
            let uid = try #require(try await server.register(http, "olga", email: "olga@example.com")["uid"] as? Int)
            let token = try await server.services.tokens.issue(
                clientID: client.id, userID: uid, scopes: ["basic"], family: OAuthTokens.newFamily(), at: server.clock.now).accessToken
            let inQuery = try await http.execute(uri: "/api/Oauth/delete?access_token=\(token)", method: .post) { try TestServer.json($0) }
            #expect(inQuery["error_code"] as? Int == 100004, "RFC 6750 2.3: not in the query")
            #expect(try await server.services.tokens.lookup(token)?.revoked == false)

            let bad = try await server.post(http, "/api/Oauth/accessToken", [
                "grant_type": "authorization_code", "code": "nope", "redirect_uri": "https://app.example/cb",
                "client_id": client.id, "client_secret": secret ?? "", "code_verifier": OAuthTests.pkce().verifier,
            ])
            #expect(bad.status == .badRequest && bad.body["error"] as? String == "invalid_grant")

            let cookie = try await server.login(http, "olga", password: "correct horse")
            let pkce = OAuthTests.pkce()
            let authorized = try await server.post(http, "/api/Oauth/authorize", [
                "response_type": "json", "client_id": client.id, "redirect_uri": "https://app.example/cb",
                "code_challenge": pkce.challenge, "code_challenge_method": "S256",
            ], cookie: cookie)
            let code = try #require(authorized.body["authorization_code"] as? String)
            #expect(authorized.body["iss"] as? String == "http://127.0.0.1:8080")
            let captcha = try await server.captchaSession(http, cookie: cookie)
            let changed = try await server.post(http, "/api/User/modifyBasicInfo", [
                "captcha": captcha.answer, "password": "correct horse", "newpassword": "brand new horse", "confirm": "brand new horse",
            ], cookie: captcha.cookie)
            #expect(changed.body["error_code"] as? Int == 0, "\(changed.body)")
            let late = try await server.post(http, "/api/Oauth/accessToken", [
                "grant_type": "authorization_code", "code": code, "redirect_uri": "https://app.example/cb",
                "client_id": client.id, "client_secret": secret ?? "", "code_verifier": pkce.verifier,
            ])
            #expect(late.body["error"] as? String == "invalid_grant" && late.body["access_token"] == nil)
        }
    }

    @Test("User/sessions lists sessions and grants and ends them; cookies behind TLS are __Host-")
    func sessions() async throws {
        let server = try await TestServer.make { $0.rateLimits.enabled = false }
        let (client, _) = try await server.client("Grant Holder")
        try await server.test { http in
            let uid = try #require(try await server.register(http, "sara", email: "sara@example.com")["uid"] as? Int)
            let first = try await server.login(http, "sara")
            let second = try await server.login(http, "sara")
            _ = try await server.services.tokens.issue(clientID: client.id, userID: uid, scopes: ["basic"], family: OAuthTokens.newFamily(), at: server.clock.now)
            let listed = try await server.post(http, "/api/User/sessions", [:], cookie: second).body
            let sessions = try #require(listed["sessions"] as? [[String: Any]])
            #expect(sessions.count == 2 && sessions.filter { $0["current"] as? Bool == true }.count == 1)
            let grants = try #require(listed["grants"] as? [[String: Any]])
            #expect(grants.count == 1 && grants.first?["client_name"] as? String == "Grant Holder")
            let other = try #require(sessions.first { $0["current"] as? Bool == false }?["id"] as? String)
            #expect(try await server.post(http, "/api/User/sessions", ["end": other], cookie: second).body["ended"] as? Int == 1)
            #expect(try await server.post(http, "/api/User/message", [:], cookie: first).body["error_code"] as? Int == 202101)
            #expect(try await server.post(http, "/api/User/sessions", ["end": "nope"], cookie: second).body["error_code"] as? Int == 404)
            let others = try await server.post(http, "/api/User/sessions", ["end": "others"], cookie: second).body
            #expect(others["ended"] as? Int == 1 && (others["grants"] as? [Any])?.isEmpty == true)
        }

        let secure = try await TestServer.make { $0.secureCookies = true }
        try await secure.test { http in
            let cookie = try await http.execute(uri: "/api/Image/captcha", method: .get) { $0.headers[.setCookie] ?? "" }
            #expect(cookie.hasPrefix("__Host-upare_session=") && cookie.contains("Secure") && cookie.contains("Path=/"))
            #expect(!cookie.lowercased().contains("domain="))
        }
    }

    @Test("passphrase keys are rate limited per address (each is a scrypt)")
    func passphraseLimit() async throws {
        let server = try await TestServer.make { configuration in
            configuration.rateLimits.passphrase = RateLimiter.Limit(burst: 2, perSecond: 0.001)
            configuration.rateLimits.disorder = RateLimiter.Limit(burst: 100, perSecond: 100)
        }
        let png = try PNG.encode(Image(width: 32, height: 32, fill: RGBA(10, 20, 30, 255)))
        try await server.test { http in
            var codes: [Int] = []
            for _ in 0..<3 {
                let code = try await http.execute(
                    uri: "/api/Image/disorder", method: .post,
                    headers: [.contentType: "multipart/form-data; boundary=upare-test-boundary"],
                    body: SettingsTests.upload("image", png, fields: ["key": "a passphrase of mine"])
                ) { response in response.status == .ok ? 0 : (try TestServer.json(response)["error_code"] as? Int ?? -1) }
                codes.append(code)
            }
            #expect(codes == [0, 0, 201204])
        }
    }

    @Test("IPv6 clients count by their /64; IPv4-mapped addresses as IPv4")
    func addressSubjects() {
        #expect(ClientAddress.subject("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64")
        #expect(ClientAddress.subject("2001:db8:1:2::1") == ClientAddress.subject("2001:db8:1:2:ffff::9"))
        #expect(ClientAddress.subject("2001:db8:1:3::1") != ClientAddress.subject("2001:db8:1:2::1"))
        #expect(ClientAddress.subject("::ffff:192.0.2.7") == "192.0.2.7")
        #expect(ClientAddress.subject("192.0.2.7") == "192.0.2.7")
        var limits = RateLimits()
        limits.instances = 4
        #expect(limits.perInstance(limits.captcha) == RateLimiter.Limit(burst: 8, perSecond: 1.25))
    }

    @Test("the sweeper removes what has expired and keeps what is live, by the manual clock")
    func sweeper() async throws {
        let server = try await TestServer.make { $0.rateLimits.enabled = false }
        let sweeper = Sweeper(database: server.database, loginWindow: 900, now: server.clock.function)
        try await server.test { http in
            try await server.register(http, "tom", email: "tom@example.com")
            _ = try await server.login(http, "tom")
            try await server.sendCode(http, ["medium": "tom2@example.com"])
            let session = try await server.captchaSession(http)
            try await server.post(http, "/api/User/login", ["username": "tom", "password": "wrong horse", "captcha": session.answer], cookie: session.cookie)
            let tables = ["sessions", "verification_codes", "outbox", "login_failures", "captcha_challenges"]
            var before: [String: Int] = [:]
            for table in tables { before[table] = try await server.count(table) }
            #expect(try await sweeper.sweep() == 0, "nothing has expired yet")
            server.clock.advance(2 * 86_400)
            #expect(try await sweeper.sweep() > 0)
            for table in tables {
                #expect(try await server.count(table) == 0, "\(table) was \(before[table] ?? -1) rows and should be swept")
            }
            #expect(try await server.count("users") == 1)
        }
    }
}

extension UInt32 {
    var bigEndianBytes: [UInt8] { [UInt8(self >> 24), UInt8(self >> 16 & 0xFF), UInt8(self >> 8 & 0xFF), UInt8(self & 0xFF)] }
}

/// A log handler that keeps every message and its metadata as text.
final class LogRecorder: LogHandler, Sendable {
    private let lines = Mutex<[String]>([])
    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }
    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }
    subscript(metadataKey _: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }

    func log(event: LogEvent) {
        lines.withLock { $0.append("\(event.message) \(event.metadata ?? [:])") }
    }
}
