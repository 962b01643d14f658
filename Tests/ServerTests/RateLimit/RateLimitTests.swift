import Foundation
import Hummingbird
import HummingbirdTesting
import Server
import Synchronization
import Testing
import TestSupport

@Suite("Rate limits")
struct RateLimitTests {
    @Test("a bucket allows its burst, then refills at its rate, per client")
    func bucket() {
        let clock = ManualClock()
        let limiter = RateLimiter(now: clock.function)
        let limit = RateLimiter.Limit(burst: 3, perSecond: 2)
        for _ in 0..<3 { #expect(limiter.take("captcha", client: "a", limit: limit) == nil) }
        let wait = limiter.take("captcha", client: "a", limit: limit)
        #expect(wait != nil && abs((wait ?? 0) - 0.5) < 1e-9)
        #expect(limiter.take("captcha", client: "b", limit: limit) == nil, "another client has its own bucket")
        #expect(limiter.take("verify", client: "a", limit: limit) == nil, "another bucket too")
        clock.advance(0.5)
        #expect(limiter.take("captcha", client: "a", limit: limit) == nil)
        #expect(limiter.take("captcha", client: "a", limit: limit) != nil)
    }

    @Test("the table stays bounded")
    func bounded() {
        let clock = ManualClock()
        let limiter = RateLimiter(capacity: 100, now: clock.function)
        let limit = RateLimiter.Limit(burst: 1, perSecond: 100)
        for i in 0..<1000 {
            _ = limiter.take("api", client: "c\(i)", limit: limit)
            clock.advance(0.1)
        }
        // Refilled buckets were dropped; a client seen long ago starts full again.
        #expect(limiter.take("api", client: "c0", limit: limit) == nil)
    }

    @Test("X-Forwarded-For counts only from trusted proxies")
    func forwardedFor() {
        let proxies: Set<String> = ["10.0.0.1"]
        #expect(ClientAddress.resolve(peer: "203.0.113.9", forwardedFor: "1.2.3.4", trustedProxies: proxies) == "203.0.113.9")
        #expect(ClientAddress.resolve(peer: "10.0.0.1", forwardedFor: "1.2.3.4", trustedProxies: proxies) == "1.2.3.4")
        #expect(ClientAddress.resolve(peer: "10.0.0.1", forwardedFor: "6.6.6.6, 1.2.3.4, 10.0.0.1", trustedProxies: proxies) == "1.2.3.4")
        #expect(ClientAddress.resolve(peer: "10.0.0.1", forwardedFor: nil, trustedProxies: proxies) == "10.0.0.1")
    }

    @Test("over the limit: 429, code 201204 and Retry-After")
    func endpoint() async throws {
        let server = try await TestServer.make { $0.rateLimits.captcha = RateLimiter.Limit(burst: 2, perSecond: 0.5) }
        let clock = server.clock
        try await server.test { client in
            for _ in 0..<2 {
                try await client.execute(uri: "/api/Image/captcha", method: .get) { #expect($0.status == .ok) }
            }
            try await client.execute(uri: "/api/Image/captcha", method: .get) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] == "2")
                let code = try TestServer.json(response)["error_code"] as? Int
                #expect(code == 201204)
            }
            clock.advance(2)
            try await client.execute(uri: "/api/Image/captcha", method: .get) { #expect($0.status == .ok) }
        }
    }
}
