import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Server
import Testing
import TestSupport

/// Real preflight and cross-origin requests against the real router.
@Suite("CORS: listed origins only")
struct CORSTests {
    static let listed = "https://app.example"
    static let other = "https://evil.example"
    static let preflightMethod = HTTPField.Name("Access-Control-Request-Method") ?? .allow

    @Test("a listed origin's preflight is answered with credentials; replies carry its origin, errors too")
    func listedOrigin() async throws {
        let server = try await TestServer.make { $0.allowedOrigins = [Self.listed] }
        try await server.test { http in
            try await http.execute(
                uri: "/api/Image/captchaVerify", method: .options,
                headers: [.origin: Self.listed, Self.preflightMethod: "POST", .accessControlRequestHeaders: "content-type"]
            ) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == Self.listed)
                #expect(response.headers[.accessControlAllowCredentials] == "true")
                #expect(response.headers[.accessControlAllowMethods]?.contains("POST") == true)
                #expect(response.headers[.accessControlAllowHeaders]?.lowercased().contains("content-type") == true)
                #expect(response.headers[.vary] == "Origin")
            }
            try await http.execute(uri: "/api/Image/captcha?response_type=json", method: .get, headers: [.origin: Self.listed]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.accessControlAllowOrigin] == Self.listed)
                #expect(response.headers[.accessControlAllowCredentials] == "true")
                #expect(response.headers[.accessControlExposeHeaders] == "Retry-After")
            }
            // A refusal is readable by the page too, so that it can say why.
            try await http.execute(uri: "/api/Image/captchaVerify?captcha=x", method: .get, headers: [.origin: Self.listed]) { response in
                let code = try TestServer.json(response)["error_code"] as? Int
                #expect(code == 200002)
                #expect(response.headers[.accessControlAllowOrigin] == Self.listed)
            }
        }
    }

    @Test("any other origin gets no CORS header at all, preflight or not; without a list nobody does")
    func otherOrigins() async throws {
        for configured in [[Self.listed], []] as [Set<String>] {
            let server = try await TestServer.make { $0.allowedOrigins = configured }
            try await server.test { http in
                let origin = configured.isEmpty ? Self.listed : Self.other
                try await http.execute(
                    uri: "/api/Image/captchaVerify", method: .options, headers: [.origin: origin, Self.preflightMethod: "POST"]
                ) { response in
                    #expect(response.status != .noContent)
                    #expect(response.headers[.accessControlAllowOrigin] == nil && response.headers[.accessControlAllowCredentials] == nil)
                    #expect(response.headers[.accessControlAllowMethods] == nil)
                }
                try await http.execute(uri: "/api/Image/captcha?response_type=json", method: .get, headers: [.origin: origin]) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.accessControlAllowOrigin] == nil && response.headers[.accessControlAllowCredentials] == nil)
                }
            }
        }
    }
}
