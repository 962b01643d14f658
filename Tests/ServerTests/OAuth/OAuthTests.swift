import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Server
import Testing
import TestSupport

@Suite("HTTP API: OAuth 2.0")
struct OAuthTests {
    static func pkce() -> (verifier: String, challenge: String) {
        let verifier = String(repeating: "v", count: 20) + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let challenge = Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return (verifier, challenge)
    }

    @Test("authorize: its errors, the consent page once, then a redirect with code and state; code for tokens; replay revokes")
    func authorizationCodeFlow() async throws {
        let server = try await TestServer.make { $0.rateLimits.enabled = false }
        let (client, secret) = try await server.client()
        try await server.test { http in
            try await server.register(http, "pat", email: "pat@example.com")
            let cookie = try await server.login(http, "pat")
            let pkce = Self.pkce()
            let base = [
                "client_id": client.id, "redirect_uri": "https://app.example/cb", "response_type": "code", "state": "xyz 1",
                "code_challenge": pkce.challenge, "code_challenge_method": "S256",
            ]

            for (fields, code) in [
                (["client_id": client.id], 201101),
                (base.merging(["client_id": "nope"]) { $1 }, 201103),
                (base.merging(["redirect_uri": "https://app.example/cb/"]) { $1 }, 201104),
                (base.merging(["response_type": "token"]) { $1 }, 201102),
            ] {
                let reply = try await server.get(http, "/api/Oauth/authorize?" + TestServer.query(fields), cookie: cookie)
                #expect(reply.text.contains("\"error_code\":\(code)"), "\(fields): \(reply.text)")
                #expect(reply.headers[.location] == nil, "never a redirect to an unverified URI")
            }
            let anonymous = try await server.get(http, "/api/Oauth/authorize?" + TestServer.query(base))
            #expect(anonymous.text.contains("\"error_code\":202101"))
            let badScope = try await server.get(http, "/api/Oauth/authorize?" + TestServer.query(base.merging(["scope": "friends"]) { $1 }), cookie: cookie)
            #expect(TestServer.parameters(of: badScope.headers[.location]) == ["error": "invalid_scope", "state": "xyz 1", "iss": "http://127.0.0.1:8080"])
            // PKCE for every client, this confidential one too (RFC 9700).
            var withoutPKCE = base
            withoutPKCE["code_challenge"] = nil
            let noPKCE = try await server.get(http, "/api/Oauth/authorize?" + TestServer.query(withoutPKCE), cookie: cookie)
            #expect(TestServer.parameters(of: noPKCE.headers[.location])["error"] == "invalid_request")

            // The consent page, then allowing on it.
            let page = try await server.get(http, "/api/Oauth/authorize?" + TestServer.query(base), cookie: cookie)
            #expect(page.status == .ok && page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(page.text.contains("Example App asks to use your upare account"))
            let token = try #require(page.text.firstMatch(of: /name="consent_token" value="([^"]+)"/)?.1).description
            let forged = try await http.execute(
                uri: "/api/Oauth/authorize", method: .post, headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                body: TestServer.form(base.merging(["consent": "allow", "consent_token": "forged"]) { $1 })
            ) { String(buffer: $0.body) }
            #expect(forged.contains("consent_token"), "a forged consent shows the page again")
            let allowed = try await http.execute(
                uri: "/api/Oauth/authorize", method: .post, headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                body: TestServer.form(base.merging(["consent": "allow", "consent_token": token.replacingOccurrences(of: "&#39;", with: "'")]) { $1 })
            ) { ($0.status, $0.headers[.location]) }
            #expect(allowed.0 == .found)
            let redirect = TestServer.parameters(of: allowed.1)
            #expect(redirect["state"] == "xyz 1" && allowed.1?.hasPrefix("https://app.example/cb?") == true)
            #expect(redirect["iss"] == "http://127.0.0.1:8080", "RFC 9207: the issuer on the authorization response")
            let code = try #require(redirect["code"])
            #expect(code.count == 43)
            // A form-encoded query: "+" is a space, so this asks for two scopes, of
            // which one is new: the consent page again.
            let wider = try await server.get(
                http, "/api/Oauth/authorize?" + TestServer.query(base) + "&scope=basic+messages", cookie: cookie)
            #expect(wider.status == .ok && wider.text.contains("read your messages"))
            // Consent is remembered: the next authorization redirects at once.
            let again = try await server.get(http, "/api/Oauth/authorize?" + TestServer.query(base), cookie: cookie)
            #expect(again.status == .found && TestServer.parameters(of: again.headers[.location])["code"] != nil)

            // Client authentication errors.
            let exchange = ["grant_type": "authorization_code", "code": code, "redirect_uri": "https://app.example/cb", "code_verifier": pkce.verifier]
            for (fields, expected) in [
                (exchange, 201210),
                (exchange.merging(["client_id": "nope", "client_secret": "x"]) { $1 }, 201213),
                (exchange.merging(["client_id": client.id]) { $1 }, 201211),
                (exchange.merging(["client_id": client.id, "client_secret": "wrong"]) { $1 }, 201208),
            ] {
                #expect(try await server.post(http, "/api/Oauth/accessToken", fields).body["error_code"] as? Int == expected)
            }
            let authenticated = exchange.merging(["client_id": client.id, "client_secret": secret ?? ""]) { $1 }
            let mismatch = try await server.post(
                http, "/api/Oauth/accessToken", authenticated.merging(["redirect_uri": "https://app.example/other"]) { $1 })
            #expect(mismatch.body["error_code"] as? Int == 201205)
            // That attempt used the code up; a fresh one is exchanged properly.
            let fresh = try await server.get(http, "/api/Oauth/authorize?" + TestServer.query(base), cookie: cookie)
            let freshCode = try #require(TestServer.parameters(of: fresh.headers[.location])["code"])
            let tokens = try await http.execute(
                uri: "/api/Oauth/accessToken", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: TestServer.form(authenticated.merging(["code": freshCode]) { $1 })
            ) { response in
                #expect(response.headers[.cacheControl] == "no-store")
                return try TestServer.json(response)
            }
            #expect(tokens["error_code"] as? Int == 0 && tokens["uid"] as? Int == 1 && tokens["expires_in"] as? Int == 3600)
            #expect(tokens["remind_in"] as? Int == 3600 && tokens["token_type"] as? String == "Bearer" && tokens["scope"] as? String == "basic")
            let access = try #require(tokens["access_token"] as? String)
            #expect(access.count == 43)

            // The bearer token stands for the user, within its scope.
            let key = try await http.execute(uri: "/api/Image/disorderKey", method: .post, headers: [.authorization: "Bearer \(access)"]) {
                try TestServer.json($0)
            }
            #expect(key["error_code"] as? Int == 201206, "stored keys are account control: the session only, never a client app")
            let inbox = try await http.execute(uri: "/api/User/message", method: .post, headers: [.authorization: "Bearer \(access)"]) {
                try TestServer.json($0)
            }
            #expect(inbox["error_code"] as? Int == 201206, "scope basic does not read messages")
            let bogus = try await http.execute(uri: "/api/User/message", method: .post, headers: [.authorization: "Bearer nope"]) {
                try TestServer.json($0)
            }
            #expect(bogus["error_code"] as? Int == 201201)

            // A replayed code fails, and what it issued is revoked.
            let replay = try await server.post(http, "/api/Oauth/accessToken", authenticated.merging(["code": freshCode]) { $1 })
            #expect(replay.body["error_code"] as? Int == 201215)
            #expect(try await server.services.tokens.lookup(access)?.revoked == true)
            let magic = try await server.post(http, "/api/Oauth/accessToken", authenticated.merging(["grant_type": "magic"]) { $1 })
            #expect(magic.body["error_code"] as? Int == 201216 && magic.body["error"] as? String == "unsupported_grant_type")
            // RFC 6749 5.2 beside the envelope, for standard clients.
            #expect(replay.body["error"] as? String == "invalid_grant")
            try await http.execute(
                uri: "/api/Oauth/accessToken", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: TestServer.form(exchange.merging(["client_id": client.id, "client_secret": "wrong"]) { $1 })
            ) { response in
                #expect(response.status == .unauthorized && response.headers[.wwwAuthenticate]?.hasPrefix("Basic") == true)
                let error = try TestServer.json(response)["error"] as? String
                #expect(error == "invalid_client")
            }
        }
    }

    @Test("PKCE: public clients must send S256; the verifier must match; json mode with consent")
    func pkceAndJSON() async throws {
        let server = try await TestServer.make { $0.rateLimits.enabled = false }
        let (client, secret) = try await server.client("Phone App", redirect: "http://127.0.0.1:9/cb", isPublic: true)
        #expect(secret == nil)
        try await server.test { http in
            try await server.register(http, "quinn", email: "quinn@example.com")
            let cookie = try await server.login(http, "quinn")
            let base = ["client_id": client.id, "redirect_uri": "http://127.0.0.1:9/cb", "response_type": "json", "state": "s"]
            let noPKCE = try await server.get(http, "/api/Oauth/authorize?" + TestServer.query(base), cookie: cookie)
            #expect(noPKCE.text.contains("\"error_code\":100004"))
            #expect(noPKCE.text.contains("\"iss\"") == false)
            let pkce = Self.pkce()
            let plain = try await server.get(
                http, "/api/Oauth/authorize?" + TestServer.query(base.merging(["code_challenge": pkce.challenge, "code_challenge_method": "plain"]) { $1 }),
                cookie: cookie)
            #expect(plain.text.contains("S256"))
            let request = base.merging(["code_challenge": pkce.challenge, "code_challenge_method": "S256"]) { $1 }
            let needsConsent = try await server.post(http, "/api/Oauth/authorize", request, cookie: cookie)
            #expect(needsConsent.body["error_code"] as? Int == 201206)
            let consentToken = try #require(needsConsent.body["consent_token"] as? String)
            let granted = try await server.post(
                http, "/api/Oauth/authorize", request.merging(["consent": "allow", "consent_token": consentToken]) { $1 }, cookie: cookie)
            let code = try #require(granted.body["authorization_code"] as? String)
            #expect(granted.body["state"] as? String == "s")

            let exchange = ["grant_type": "authorization_code", "code": code, "redirect_uri": "http://127.0.0.1:9/cb", "client_id": client.id]
            let wrong = try await server.post(http, "/api/Oauth/accessToken", exchange.merging(["code_verifier": Self.pkce().verifier]) { $1 })
            #expect(wrong.body["error_code"] as? Int == 201215)
            // The failed exchange used the code; run the flow again with the right verifier.
            let again = try await server.post(http, "/api/Oauth/authorize", request, cookie: cookie)
            let code2 = try #require(again.body["authorization_code"] as? String)
            let right = try await server.post(
                http, "/api/Oauth/accessToken", exchange.merging(["code": code2, "code_verifier": pkce.verifier]) { $1 })
            #expect(right.body["error_code"] as? Int == 0 && right.body["access_token"] is String)
        }
    }

    @Test("refresh rotation with reuse detection, scope never widened, RFC 7009 revoke, delete")
    func refreshRevokeDelete() async throws {
        let server = try await TestServer.make { $0.rateLimits.enabled = false }
        let (client, secret) = try await server.client(firstParty: true, scopes: ["basic", "messages"])
        let (other, otherSecret) = try await server.client("Other", redirect: "https://other.example/cb")
        try await server.test { http in
            try await server.register(http, "remy", email: "remy@example.com")
            let basic = "Basic " + Data("\(client.id):\(secret ?? "")".utf8).base64EncodedString()
            func token(_ fields: [String: String], auth: String? = basic) async throws -> [String: Any] {
                var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
                if let auth { headers[.authorization] = auth }
                return try await http.execute(uri: "/api/Oauth/accessToken", method: .post, headers: headers, body: TestServer.form(fields)) {
                    try TestServer.json($0)
                }
            }
            func inbox(_ access: Any?) async throws -> Int? {
                try await http.execute(uri: "/api/User/message", method: .post, headers: [.authorization: "Bearer \(access ?? "")"]) {
                    try TestServer.json($0)["error_code"] as? Int
                }
            }
            #expect(try await token(["grant_type": "password", "username": "remy"])["error_code"] as? Int == 201212)
            #expect(try await token(["grant_type": "password", "username": "remy", "password": "wrong horse"])["error_code"] as? Int == 202103)
            let first = try await token(["grant_type": "password", "username": "remy", "password": "correct horse", "scope": "basic"])
            #expect(first["error_code"] as? Int == 0 && first["scope"] as? String == "basic")
            let otherBasic = "Basic " + Data("\(other.id):\(otherSecret ?? "")".utf8).base64EncodedString()
            #expect(try await token(["grant_type": "password", "username": "remy", "password": "correct horse"], auth: otherBasic)["error_code"] as? Int == 201206,
                    "only first-party clients may use the password grant")

            let refresh1 = try #require(first["refresh_token"] as? String)
            let widened = try await token(["grant_type": "refresh_token", "refresh_token": refresh1, "scope": "basic messages"])
            #expect(widened["error_code"] as? Int == 201206)
            // The refused widening still used refresh1: reuse is detected and the family revoked.
            let reused = try await token(["grant_type": "refresh_token", "refresh_token": refresh1])
            #expect(reused["error_code"] as? Int == 201209)
            #expect(try await inbox(first["access_token"]) == 201203)

            let second = try await token(["grant_type": "password", "username": "remy", "password": "correct horse"])
            let refresh2 = try #require(second["refresh_token"] as? String)
            let rotated = try await token(["grant_type": "refresh_token", "refresh_token": refresh2])
            #expect(rotated["error_code"] as? Int == 0 && rotated["refresh_token"] as? String != refresh2)
            #expect(try await inbox(rotated["access_token"]) == 0)
            #expect(try await token(["grant_type": "refresh_token", "refresh_token": refresh2])["error_code"] as? Int == 201209)
            #expect(try await inbox(rotated["access_token"]) == 201203, "reuse of a rotated token revokes the family")

            // RFC 7009 revoke.
            let third = try await token(["grant_type": "password", "username": "remy", "password": "correct horse"])
            let revokeHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            let foreign = try await http.execute(
                uri: "/api/Oauth/revoke", method: .post, headers: revokeHeaders.merging([.authorization: otherBasic]),
                body: TestServer.form(["token": third["refresh_token"] as? String ?? ""])
            ) { try TestServer.json($0)["error_code"] as? Int }
            #expect(foreign == 201401)
            let unknown = try await http.execute(
                uri: "/api/Oauth/revoke", method: .post, headers: revokeHeaders.merging([.authorization: basic]),
                body: TestServer.form(["token": "never-issued"])
            ) { try TestServer.json($0)["error_code"] as? Int }
            #expect(unknown == 0)
            let revoked = try await http.execute(
                uri: "/api/Oauth/revoke", method: .post, headers: revokeHeaders.merging([.authorization: basic]),
                body: TestServer.form(["token": third["refresh_token"] as? String ?? "", "token_type_hint": "refresh_token"])
            ) { try TestServer.json($0)["error_code"] as? Int }
            #expect(revoked == 0)
            #expect(try await inbox(third["access_token"]) == 201203)

            // delete: the caller's own token.
            let fourth = try await token(["grant_type": "password", "username": "remy", "password": "correct horse"])
            let missing = try await server.post(http, "/api/Oauth/delete", [:])
            #expect(missing.body["error_code"] as? Int == 201202)
            let deleted = try await http.execute(
                uri: "/api/Oauth/delete", method: .post, headers: [.authorization: "Bearer \(fourth["access_token"] ?? "")"]
            ) { try TestServer.json($0)["error_code"] as? Int }
            #expect(deleted == 0)
            #expect(try await inbox(fourth["access_token"]) == 201203)
            #expect(try await token(["grant_type": "refresh_token", "refresh_token": fourth["refresh_token"] as? String ?? ""])["error_code"] as? Int == 201209)
        }
    }

    @Test("client registration refuses unsafe redirect URIs and unknown scopes")
    func registration() async throws {
        let server = try await TestServer.make()
        for uri in ["http://app.example/cb", "https://app.example/cb#frag", "javascript:alert(1)", "/relative"] {
            await #expect(throws: OAuthRegistrationError.self) { try await server.client(redirect: uri) }
        }
        await #expect(throws: OAuthRegistrationError.self) { try await server.client(scopes: ["admin"]) }
        _ = try await server.test { _ in }
    }
}
