import Captcha
import Foundation
import Hummingbird
import HummingbirdTesting
import Server
import Testing
import TestSupport

@Suite("HTTP API: Image/captchaAudio")
struct CaptchaAudioTests {
    @Test("the session's or the token's challenge as WAV, English and Mandarin; none without a captcha; plays count as attempts")
    func audio() async throws {
        let server = try await TestServer.make { $0.rateLimits.enabled = false }
        try await server.test { http in
            let none = try await http.execute(uri: "/api/Image/captchaAudio", method: .get) { try TestServer.json($0)["error_code"] as? Int }
            #expect(none == 404)
            let session = try await server.captchaSession(http, scenario: "login")
            for lang in ["en", "zh"] {
                try await http.execute(uri: "/api/Image/captchaAudio?id=login&lang=\(lang)", method: .get, headers: [.cookie: session.cookie]) { response in
                    #expect(response.status == .ok && response.headers[.contentType] == "audio/wav")
                    #expect(response.headers[.cacheControl] == "no-store")
                    #expect(WAV.decode([UInt8](response.body.readableBytesView)) != nil)
                }
            }
            let bad = try await http.execute(uri: "/api/Image/captchaAudio?id=login&lang=fr", method: .get, headers: [.cookie: session.cookie]) {
                try TestServer.json($0)["error_code"] as? Int
            }
            #expect(bad == 100004)
            // The picture's answer still passes after two plays (5 attempts).
            #expect(try await server.post(http, "/api/Image/captchaVerify", ["id": "login", "captcha": session.answer], cookie: session.cookie)
                .body["error_code"] as? Int == 0)

            // The token flow, and the cap: five plays use the challenge up.
            let issued = try await CaptchaTokenTests.tokenCaptcha(http)
            let answer = server.lastAnswer
            for _ in 0..<5 {
                try await http.execute(uri: "/api/Image/captchaAudio?id=login&captcha_token=\(issued.token)", method: .get) { response in
                    #expect(response.status == .ok)
                }
            }
            let gone = try await http.execute(uri: "/api/Image/captchaAudio?id=login&captcha_token=\(issued.token)", method: .get) {
                try TestServer.json($0)["error_code"] as? Int
            }
            #expect(gone == 404)
            #expect(try await server.post(http, "/api/Image/captchaVerify", ["id": "login", "captcha_token": issued.token, "captcha": answer])
                .body["error_code"] as? Int == 200002)
        }
    }
}
