import Foundation
import Hummingbird
import HummingbirdTesting
import Server
import Testing
import TestSupport

/// Two server instances on one database, as behind a load balancer: what one
/// issues, the other honours, and single use holds across them.
@Suite("Two instances on one database")
struct ClusterTests {
    @Test("a captcha from one verifies on the other, once; a session and an OAuth token work on both")
    func shared() async throws {
        let a = try await TestServer.make { $0.rateLimits.enabled = false }
        let b = try await a.secondInstance { $0.rateLimits.enabled = false }
        let (client, secret) = try await a.client(firstParty: true)
        try await a.test { httpA in
            try await b.test { httpB in
                let session = try await a.captchaSession(httpA)
                let verify = "/api/Image/captchaVerify?captcha=\(session.answer)"
                let onB = try await httpB.execute(uri: verify, method: .get, headers: [.cookie: session.cookie]) { $0.status }
                #expect(onB == .ok)
                let again = try await httpA.execute(uri: verify, method: .get, headers: [.cookie: session.cookie]) { $0.status }
                #expect(again == .badRequest, "used up on the other instance")

                try await a.register(httpA, "uma", email: "uma@example.com")
                let cookie = try await a.login(httpA, "uma")
                #expect(try await b.post(httpB, "/api/User/message", [:], cookie: cookie).body["error_code"] as? Int == 0)

                let token = try await b.post(httpB, "/api/Oauth/accessToken", [
                    "grant_type": "password", "username": "uma", "password": "correct horse",
                    "client_id": client.id, "client_secret": secret ?? "",
                ]).body
                let access = try #require(token["access_token"] as? String)
                let onA = try await httpA.execute(uri: "/api/User/message", method: .post, headers: [.authorization: "Bearer \(access)"]) {
                    try TestServer.json($0)["error_code"] as? Int
                }
                #expect(onA == 0)
            }
        }
    }

    @Test("one authorization code exchanged on both instances at once: exactly one wins", arguments: 0..<5)
    func codeRace(_ round: Int) async throws {
        let a = try await TestServer.make { $0.rateLimits.enabled = false }
        let b = try await a.secondInstance { $0.rateLimits.enabled = false }
        let (client, secret) = try await a.client(firstParty: true)
        try await a.test { httpA in
            try await b.test { httpB in
                try await a.register(httpA, "val", email: "val@example.com")
                let cookie = try await a.login(httpA, "val")
                let pkce = OAuthTests.pkce()
                let authorize = try await a.post(httpA, "/api/Oauth/authorize", [
                    "response_type": "json", "client_id": client.id, "redirect_uri": "https://app.example/cb",
                    "code_challenge": pkce.challenge, "code_challenge_method": "S256",
                ], cookie: cookie)
                let code = try #require(authorize.body["authorization_code"] as? String)
                let exchange = [
                    "grant_type": "authorization_code", "code": code, "redirect_uri": "https://app.example/cb", "code_verifier": pkce.verifier,
                    "client_id": client.id, "client_secret": secret ?? "",
                ]
                async let fromA = a.post(httpA, "/api/Oauth/accessToken", exchange)
                async let fromB = b.post(httpB, "/api/Oauth/accessToken", exchange)
                let codes = try await [fromA.body["error_code"] as? Int, fromB.body["error_code"] as? Int]
                #expect(codes.filter { $0 == 0 }.count == 1 && codes.contains(201215), "\(codes)")
            }
        }
    }
}
