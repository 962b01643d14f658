import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Server
import Testing
import TestSupport

@Suite("HTTP API: OAuth client rate limits")
struct OAuthClientLimitTests {
    @Test("bearer requests count against their client's bucket: 201204 with Retry-After")
    func perClient() async throws {
        let server = try await TestServer.make { configuration in
            configuration.rateLimits.perClient = RateLimiter.Limit(burst: 3, perSecond: 1)
            configuration.rateLimits.general = RateLimiter.Limit(burst: 1_000, perSecond: 1_000)
        }
        let (client, secret) = try await server.client(firstParty: true)
        try await server.test { http in
            try await server.register(http, "sam", email: "sam@example.com")
            let issued = try await server.post(http, "/api/Oauth/accessToken", [
                "grant_type": "password", "username": "sam", "password": "correct horse", "client_id": client.id, "client_secret": secret ?? "",
            ])
            let access = try #require(issued.body["access_token"] as? String)
            // The token request took one of the three.
            for expected in [0, 0, 201204] {
                let code = try await http.execute(uri: "/api/User/message", method: .post, headers: [.authorization: "Bearer \(access)"]) {
                    if expected == 201204 { #expect($0.headers[.retryAfter] == "1") }
                    return try TestServer.json($0)["error_code"] as? Int
                }
                #expect(code == expected)
            }
            server.clock.advance(1)
            let code = try await http.execute(uri: "/api/User/message", method: .post, headers: [.authorization: "Bearer \(access)"]) {
                try TestServer.json($0)["error_code"] as? Int
            }
            #expect(code == 0)
        }
    }
}
