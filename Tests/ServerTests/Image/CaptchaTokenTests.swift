import Foundation
import Hummingbird
import HummingbirdTesting
import Raster
import Server
import Testing
import TestSupport

/// The cookie-less JSON mode (`captcha_token`) and ThinkPHP's `flush=no`.
@Suite("Captcha tokens and pre-checks")
struct CaptchaTokenTests {
    /// `Image/captcha` in JSON mode: the token, the decoded picture, the lifetime.
    static func tokenCaptcha(
        _ http: some TestClientProtocol, scenario: String = "login", viaAccept: Bool = false
    ) async throws -> (token: String, picture: Image, expiresIn: Int?, setCookie: String?) {
        let uri = viaAccept ? "/api/Image/captcha?id=\(scenario)" : "/api/Image/captcha?id=\(scenario)&response_type=json"
        let headers: HTTPFields = viaAccept ? [.accept: "application/json"] : [:]
        return try await http.execute(uri: uri, method: .get, headers: headers) { response in
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "no-store")
            let body = try TestServer.json(response)
            #expect(body["error_code"] as? Int == 0)
            let token = try #require(body["captcha_token"] as? String)
            let uri = try #require(body["image"] as? String)
            #expect(uri.hasPrefix("data:image/png;base64,"))
            let bytes = try #require(Data(base64Encoded: String(uri.dropFirst("data:image/png;base64,".count))))
            return (token, try Image.decode([UInt8](bytes)), body["expires_in"] as? Int, response.headers[.setCookie])
        }
    }

    static func verify(
        _ server: TestServer, _ http: some TestClientProtocol, _ fields: [String: String], cookie: String? = nil
    ) async throws -> Int? {
        try await server.post(http, "/api/Image/captchaVerify", fields, cookie: cookie).body["error_code"] as? Int
    }

    @Test("JSON mode: a signed token, the picture as a data URI, its lifetime, no cookie; the token verifies once")
    func tokenFlow() async throws {
        let server = try await TestServer.make { $0.rateLimits.enabled = false }
        try await server.test { http in
            let issued = try await Self.tokenCaptcha(http)
            #expect(issued.picture.width == 160 && issued.picture.height == 60)
            #expect(issued.expiresIn == 1800 && issued.setCookie == nil)
            let answer = server.lastAnswer
            #expect(try await Self.verify(server, http, ["captcha_token": issued.token, "id": "other", "captcha": answer]) == 200002,
                    "a token is bound to its scenario")
            #expect(try await Self.verify(server, http, ["captcha_token": issued.token, "id": "login", "captcha": answer]) == 0)
            #expect(try await Self.verify(server, http, ["captcha_token": issued.token, "id": "login", "captcha": answer]) == 200002,
                    "used once")

            // Accept: application/json asks for the same; an altered token is refused.
            let second = try await Self.tokenCaptcha(http, viaAccept: true)
            var altered = Array(second.token)
            altered[10] = altered[10] == "A" ? "B" : "A"
            #expect(try await Self.verify(server, http, ["captcha_token": String(altered), "id": "login", "captcha": server.lastAnswer]) == 200002)
            #expect(try await Self.verify(server, http, ["captcha_token": "not a token", "id": "login", "captcha": server.lastAnswer]) == 200002)

            // Expired tokens are refused before the store is asked.
            let third = try await Self.tokenCaptcha(http)
            server.clock.advance(1801)
            #expect(try await Self.verify(server, http, ["captcha_token": third.token, "id": "login", "captcha": server.lastAnswer]) == 200002)
        }
    }

    @Test("every endpoint behind a captcha takes captcha_token: login without a captcha cookie")
    func loginWithToken() async throws {
        let server = try await TestServer.make { $0.rateLimits.enabled = false }
        try await server.test { http in
            try await server.register(http, "tess", email: "tess@example.com")
            let issued = try await Self.tokenCaptcha(http)
            let reply = try await server.post(http, "/api/User/login", [
                "username": "tess", "password": "correct horse", "captcha_token": issued.token, "id": "login",
                "captcha": server.lastAnswer,
            ])
            #expect(reply.body["error_code"] as? Int == 0, "\(reply.body)")
            #expect(reply.setCookie?.contains("upare_session=") == true, "the login itself still starts a session")
        }
    }

    @Test("flush=no: a right answer is kept for one later use (the pre-check, then the login); wrong answers stay capped")
    func preCheckThenLogin() async throws {
        let server = try await TestServer.make { $0.rateLimits.enabled = false }
        try await server.test { http in
            try await server.register(http, "pat", email: "pat@example.com")
            // The cookie flow.
            let session = try await server.captchaSession(http)
            let check = ["id": "", "captcha": session.answer, "flush": "no"]
            #expect(try await Self.verify(server, http, check, cookie: session.cookie) == 0, "the page's pre-check")
            let login = ["username": "pat", "password": "correct horse", "captcha": session.answer]
            #expect(try await server.post(http, "/api/User/login", login, cookie: session.cookie).body["error_code"] as? Int == 0,
                    "the form's submit with the same answer")
            #expect(try await server.post(http, "/api/User/login", login, cookie: session.cookie).body["error_code"] as? Int == 200002,
                    "then it is used up")

            // The token flow: two pre-checks are the two uses.
            let issued = try await Self.tokenCaptcha(http)
            let fields = ["captcha_token": issued.token, "id": "login", "captcha": server.lastAnswer, "flush": "no"]
            #expect(try await Self.verify(server, http, fields) == 0)
            #expect(try await Self.verify(server, http, fields) == 0)
            #expect(try await Self.verify(server, http, fields) == 200002)

            // Wrong answers with flush=no: kept up to the cap (5), then gone even for the right answer.
            let capped = try await Self.tokenCaptcha(http)
            let right = server.lastAnswer
            for _ in 0..<5 {
                #expect(try await Self.verify(server, http, ["captcha_token": capped.token, "id": "login", "captcha": "WRONG", "flush": "no"]) == 200002)
            }
            #expect(try await Self.verify(server, http, ["captcha_token": capped.token, "id": "login", "captcha": right]) == 200002)
        }
    }

    @Test("a token from one instance verifies on the other, once")
    func acrossInstances() async throws {
        let a = try await TestServer.make { $0.rateLimits.enabled = false }
        let b = try await a.secondInstance { $0.rateLimits.enabled = false }
        try await a.test { httpA in
            try await b.test { httpB in
                let issued = try await Self.tokenCaptcha(httpA)
                let fields = ["captcha_token": issued.token, "id": "login", "captcha": a.lastAnswer]
                #expect(try await Self.verify(b, httpB, fields) == 0)
                #expect(try await Self.verify(a, httpA, fields) == 200002, "used up on the other instance")
            }
        }
    }
}
