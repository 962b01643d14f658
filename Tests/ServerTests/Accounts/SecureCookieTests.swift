import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Raster
import Server
import SQLKit
import Testing
import TestSupport

@Suite("Session cookies over TLS")
struct SecureCookieTests {
    @Test("UPARE_SECURE_COOKIES marks the captcha and login cookies Secure; without it they are not")
    func secure() async throws {
        #expect(try ServerConfiguration.fromEnvironment(["UPARE_SECURE_COOKIES": "1"]).secureCookies)
        #expect(try !ServerConfiguration.fromEnvironment([:]).secureCookies)
        for secure in [true, false] {
            let server = try await TestServer.make { $0.secureCookies = secure }
            try await server.test { http in
                try await server.register(http, "ned", email: "ned@example.com")
                let captcha = try await http.execute(uri: "/api/Image/captcha", method: .get) { $0.headers[.setCookie] ?? "" }
                #expect(captcha.contains("; Secure") == secure)
                let session = try await server.captchaSession(http)
                let login = try await server.post(
                    http, "/api/User/login", ["username": "ned", "password": "correct horse", "captcha": session.answer],
                    cookie: session.cookie)
                #expect(login.setCookie?.contains("; Secure") == secure, "\(login.setCookie ?? "")")
            }
        }
    }
}
