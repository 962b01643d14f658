import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Server
import Synchronization
import Testing
import TestSupport

/// A stand-in social provider on a real loopback port: it issues access tokens
/// for codes "good-<uid>" whose PKCE verifier matches the challenge the test
/// saw in the authorization redirect, and answers user info for them.
final class FakeProvider: Sendable {
    let challenges = Mutex<[String: String]>([:])

    var router: Router<BasicRequestContext> {
        let router = Router()
        router.post("token") { request, context -> Response in
            let body = try await request.body.collect(upTo: 1 << 16)
            var form: [String: String] = [:]
            for pair in String(buffer: body).split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? "" }
                if parts.count == 2 { form[parts[0]] = parts[1] }
            }
            let code = form["code"] ?? ""
            // Two misbehaving providers: one that redirects, one that answers
            // more than the client reads.
            if code == "moved" { return Response(status: .temporaryRedirect, headers: [.location: "/token"]) }
            if code == "huge" {
                let padding = String(repeating: " ", count: 2 << 20)
                return Response(status: .ok, headers: [.contentType: "application/json"],
                                body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"access_token":"at-1",\#(padding)"uid":1}"#)))
            }
            let expected = self.challenges.withLock { $0[code] }
            let verifier = form["code_verifier"] ?? ""
            let challenge = Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            guard code.hasPrefix("good-"), form["client_secret"] == "s3cret", form["grant_type"] == "authorization_code",
                  challenge == expected
            else { return Response(status: .badRequest, body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"error":"invalid_grant"}"#))) }
            let uid = code.dropFirst(5)
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"access_token":"at-\#(uid)","uid":\#(uid)}"#)))
        }
        router.get("me") { request, _ -> Response in
            guard let token = request.headers[.authorization], token.hasPrefix("Bearer at-") else { return Response(status: .unauthorized) }
            let uid = token.dropFirst("Bearer at-".count)
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"screen_name":"Weibo User \#(uid)"}"#)))
        }
        return router
    }
}

@Suite("HTTP API: social accounts")
struct SNSTests {
    @Test("snsLogin, callback, snsreg reg and log, login by a bound account, binding while logged in, unbind")
    func flow() async throws {
        let fake = FakeProvider()
        let provider = Application(router: fake.router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await provider.test(.live) { providerClient in
            let port = try #require(providerClient.port)
            let server = try await TestServer.make { configuration in
                configuration.rateLimits.enabled = false
                configuration.snsProviders = ["weibo": SNSProvider(
                    authorizeURL: "http://127.0.0.1:\(port)/authorize", tokenURL: "http://127.0.0.1:\(port)/token",
                    userinfoURL: "http://127.0.0.1:\(port)/me", clientID: "upare", clientSecret: "s3cret",
                    redirectURI: "https://upare.example/api/User/snsCallback?channel=weibo", idField: "uid", nameField: "screen_name")]
            }
            try await server.test { http in
                /// A browser signing in at the provider as `uid`: the callback's reply and the cookie it holds.
                func signIn(_ uid: Int, cookie: String? = nil) async throws -> (body: [String: Any], cookie: String) {
                    let start = try await server.get(http, "/api/User/snsLogin?channel=weibo", cookie: cookie)
                    #expect(start.status == .found)
                    let query = TestServer.parameters(of: start.headers[.location])
                    #expect(query["client_id"] == "upare" && query["code_challenge_method"] == "S256")
                    let browser = try #require(cookie ?? start.headers[.setCookie]?.split(separator: ";").first.map(String.init))
                    fake.challenges.withLock { $0["good-\(uid)"] = query["code_challenge"] }
                    let state = query["state"] ?? ""
                    let reply = try await http.execute(
                        uri: "/api/User/snsCallback?channel=weibo&code=good-\(uid)&state=\(state)", method: .get, headers: [.cookie: browser]
                    ) { ($0.headers[.setCookie], try TestServer.json($0)) }
                    #expect(try await http.execute(
                        uri: "/api/User/snsCallback?channel=weibo&code=good-\(uid)&state=\(state)", method: .get, headers: [.cookie: browser]
                    ) { try TestServer.json($0)["error_code"] as? Int } == 100004, "a state is used once")
                    return (reply.1, reply.0?.split(separator: ";").first.map(String.init) ?? browser)
                }
                #expect(try await server.get(http, "/api/User/snsLogin?channel=qq").status == .notFound)

                // A new social account: waits, then gets a new upare account.
                let first = try await signIn(42)
                #expect(first.body["sns_pending"] as? Bool == true && first.body["display_name"] as? String == "Weibo User 42")
                let mismatch = try await server.post(http, "/api/User/snsreg", [
                    "type": "reg", "username": "kim", "password": "correct horse", "confirm": "other", "email": "kim@example.com",
                ], cookie: first.cookie)
                #expect(mismatch.body["error_code"] as? Int == 100004)
                let registered = try await server.post(http, "/api/User/snsreg", [
                    "type": "reg", "username": "kim", "password": "correct horse", "confirm": "correct horse", "email": "kim@example.com",
                ], cookie: first.cookie)
                #expect(registered.body["error_code"] as? Int == 0 && registered.body["channel"] as? String == "weibo")
                let kim = try #require(registered.setCookie?.split(separator: ";").first.map(String.init))
                #expect(try await server.post(http, "/api/User/message", [:], cookie: kim).body["error_code"] as? Int == 0)

                // Signing in again with it logs the account in.
                let again = try await signIn(42)
                #expect(again.body["logged_in"] as? Bool == true && again.body["username"] as? String == "kim")
                #expect(try await server.post(http, "/api/User/message", [:], cookie: again.cookie).body["error_code"] as? Int == 0)

                // A logged-in user binding a social account directly.
                try await server.register(http, "lee", email: "lee@example.com")
                let lee = try await server.login(http, "lee")
                let bound = try await signIn(77, cookie: lee)
                #expect(bound.body["bound"] as? Bool == true && bound.body["username"] as? String == "lee")

                // type=log binds a waiting social account to an existing account.
                let waiting = try await signIn(99)
                // type=log checks a password: behind a captcha, as at login.
                func snsLog(_ fields: [String: String]) async throws -> [String: Any] {
                    let session = try await server.captchaSession(http, cookie: waiting.cookie)
                    return try await server.post(
                        http, "/api/User/snsreg", fields.merging(["type": "log", "captcha": session.answer]) { $1 }, cookie: session.cookie).body
                }
                let guess = try await server.post(
                    http, "/api/User/snsreg", ["type": "log", "username": "lee", "password": "correct horse"], cookie: waiting.cookie)
                #expect(guess.body["error_code"] as? Int == 200002, "no password check without a captcha")
                let taken = (status: 0, body: try await snsLog(["username": "lee", "password": "correct horse"]))
                #expect(taken.body["error_code"] as? Int == 100004, "lee has a weibo account bound already")
                let wrong = (status: 0, body: try await snsLog(["username": "kim", "password": "wrong horse"]))
                #expect(wrong.body["error_code"] as? Int == 202103)
                try await server.register(http, "max", email: "max@example.com")
                let linked = (status: 0, body: try await snsLog(["username": "max", "password": "correct horse"]))
                #expect(linked.body["error_code"] as? Int == 0 && linked.body["username"] as? String == "max")
                #expect(try await server.post(http, "/api/User/snsreg", ["type": "log"], cookie: waiting.cookie)
                    .body["error_code"] as? Int == 100004, "nothing waits any more")

                // unbind.
                #expect(try await server.post(http, "/api/User/unbind", ["channel": "weibo"]).body["error_code"] as? Int == 202101)
                #expect(try await server.post(http, "/api/User/unbind", [:], cookie: lee).body["error_code"] as? Int == 202302)
                let unbound = try await server.post(http, "/api/User/unbind", ["channel": "weibo"], cookie: lee)
                #expect(unbound.body["error_code"] as? Int == 0 && (unbound.body["channels"] as? [String]) == [])
                #expect(try await server.post(http, "/api/User/unbind", ["channel": "weibo"], cookie: lee).body["error_code"] as? Int == 202302)

                // The provider refusing the code, redirecting (not followed) and
                // answering more than the client reads.
                let failures: [(code: String, reason: String?)] = [
                    ("bad", nil), ("moved", "answered 307"), ("huge", "longer than 1048576 bytes"),
                ]
                for (code, reason) in failures {
                    let start = try await server.get(http, "/api/User/snsLogin?channel=weibo")
                    let browser = try #require(start.headers[.setCookie]?.split(separator: ";").first.map(String.init))
                    let state = TestServer.parameters(of: start.headers[.location])["state"] ?? ""
                    let failed = try await http.execute(
                        uri: "/api/User/snsCallback?channel=weibo&code=\(code)&state=\(state)", method: .get, headers: [.cookie: browser]
                    ) { ($0.status, try TestServer.json($0)) }
                    #expect(failed.0 == .badGateway && failed.1["error_code"] as? Int == 100002, "\(code)")
                    if let reason {
                        #expect((failed.1["detail"] as? String)?.contains(reason) == true, "\(code): \(failed.1)")
                    }
                }
            }
        }
    }
}
