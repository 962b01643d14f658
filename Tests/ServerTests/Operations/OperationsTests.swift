import Foundation
import Hummingbird
import HummingbirdTesting
import Server
import Testing
import TestSupport

@Suite("Operations: health, readiness, metrics")
struct OperationsTests {
    @Test("/health and /ready answer; /ready is 503 once the database is gone")
    func health() async throws {
        let server = try await TestServer.make()
        try await server.test { http in
            #expect(try await server.get(http, "/health").status == .ok)
            let ready = try await server.get(http, "/ready")
            #expect(ready.status == .ok && ready.text.contains("ready"))
            try await server.database.close()
            let gone = try await server.get(http, "/ready")
            #expect(gone.status == .serviceUnavailable && gone.text.contains("database unreachable"))
            #expect(try await server.get(http, "/health").status == .ok, "liveness does not depend on the database")
        }
    }

    @Test("/metrics: requests by route and status, captchas generated and verified, rate-limit refusals")
    func metrics() async throws {
        let server = try await TestServer.make { $0.rateLimits.verify = RateLimiter.Limit(burst: 1, perSecond: 0.001) }
        try await server.test { http in
            let session = try await server.captchaSession(http)
            try await http.execute(
                uri: "/api/Image/captchaVerify?captcha=\(session.answer)", method: .get, headers: [.cookie: session.cookie]) { _ in }
            try await http.execute(uri: "/api/Image/captchaVerify?captcha=x", method: .get) { #expect($0.status == .tooManyRequests) }
            let text = try await server.get(http, "/metrics").text
            for expected in [
                #"upare_captchas_generated_total{format="png"}"#,
                #"upare_captchas_verified_total{result="passed"}"#,
                #"upare_rate_limit_refusals_total{bucket="verify"}"#,
                "http_server_request_duration",
                #"/api/Image/captcha""#,
            ] {
                #expect(text.contains(expected), "\(expected)")
            }
        }
    }
}
