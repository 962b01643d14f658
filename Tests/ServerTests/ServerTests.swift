import Captcha
import Disorder
import Foundation
import Hummingbird
import HummingbirdTesting
import Raster
import Server
import Synchronization
import Testing

enum ServerFixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fonts: FontLibrary = {
        do { return try FontLibrary(folder: packageRoot.appendingPathComponent("fonts").path) } catch {
            fatalError("fonts/ must load: \(error)")
        }
    }()

    static func answer(_ captcha: Captcha, seed: UInt64) -> String {
        var random = CaptchaRandom(seed: seed)
        return captcha.renderer.challenges.make(using: &random).answer
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    static func cookie(_ response: TestResponse) -> String? {
        response.headers[.setCookie]?.split(separator: ";").first.map(String.init)
    }
}

@Suite("HTTP API: envelope and errors")
struct EnvelopeTests {
    @Test("every error code of the spec is in the catalogue with the spec's message")
    func catalogueMatchesSpec() throws {
        let spec = ServerFixtures.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/spec/upare-api.txt")
        let text = try String(contentsOf: spec, encoding: .utf8)
        var checked = 0
        for line in text.split(separator: "\n") {
            // Columns are separated by spaces; lines end in a no-break space.
            let parts = line.split(whereSeparator: \.isWhitespace)
            guard parts.count >= 3, let code = Int(parts[0]), parts[0].count >= 3,
                  let uri = parts.last, uri.hasPrefix("system.") || uri.hasPrefix("api."), code != 0, code != 200
            else { continue }
            let message = parts.dropFirst().dropLast().joined(separator: " ")
            #expect(ErrorCatalogue.all.contains { $0.code == code && $0.message == message }, "\(code) \(message)")
            checked += 1
        }
        #expect(checked >= 60)
    }

    @Test("unknown routes, wrong methods and the /apis/ prefix")
    func routing() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            try await client.execute(uri: "/api/Nope/nothing", method: .get) { response in
                #expect(response.status == .notFound)
                let body = try ServerFixtures.json(response)
                #expect(body["error_code"] as? Int == 404 && body["api_uri"] as? String == "apis/Nope/nothing")
            }
            try await client.execute(uri: "/api/Image/disorder", method: .get) { response in
                let code = try ServerFixtures.json(response)["error_code"] as? Int
                #expect(code == 200001)
            }
            for path in ["/apis/Image/captcha", "/api/Image/captcha/", "/apis/Image/captcha/"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok, "\(path)")
                }
            }
        }
    }
}

@Suite("HTTP API: Image")
struct ImageEndpointTests {
    @Test("captcha: image bytes, content type, no-cache, a session cookie")
    func captcha() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            for (type, format) in [("png", ImageFormat.png), ("jpg", .jpeg), ("bmp", .bmp), ("", .png)] {
                try await client.execute(uri: "/api/Image/captcha?type=\(type)&id=login", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == format.mimeType)
                    #expect(response.headers[.cacheControl]?.contains("no-store") == true)
                    let cookie = try #require(response.headers[.setCookie])
                    #expect(cookie.contains("upare_session=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"))
                    let image = try Image.decode(Array(response.body.readableBytesView))
                    #expect(image.width == 160 && image.height == 60)
                }
            }
            try await client.execute(uri: "/api/Image/captcha?type=gif", method: .get) { response in
                #expect(response.status == .badRequest)
                let code = try ServerFixtures.json(response)["error_code"] as? Int
                #expect(code == 100004)
            }
        }
    }

    @Test("captcha then verify: right once, flush yes uses it up, flush no keeps it after a wrong answer")
    func verifyFlow() async throws {
        let server = try await TestServer.make()
        let captcha = server.captcha
        try await server.test { client in
            let cookie = try await client.execute(uri: "/api/Image/captcha?id=login", method: .get) { response in
                try #require(ServerFixtures.cookie(response))
            }
            let answer1 = ServerFixtures.answer(captcha, seed: 1)
            try await client.execute(
                uri: "/api/Image/captchaVerify?id=login&captcha=\(answer1.lowercased())", method: .get, headers: [.cookie: cookie]
            ) { response in
                #expect(response.status == .ok)
                let body = try ServerFixtures.json(response)
                #expect(body["error_code"] as? Int == 0 && body["message"] as? String == "Successful")
                #expect(!String(decoding: response.body.readableBytesView, as: UTF8.self).contains(answer1))
            }
            try await client.execute(
                uri: "/api/Image/captchaVerify?id=login&captcha=\(answer1)", method: .get, headers: [.cookie: cookie]
            ) { response in
                let code = try ServerFixtures.json(response)["error_code"] as? Int
                #expect(code == 200002, "single use")
            }
            // Seed 2, under another scenario id, answered with a form body after one wrong try.
            _ = try await client.execute(uri: "/api/Image/captcha?id=register", method: .get, headers: [.cookie: cookie])
            try await client.execute(
                uri: "/api/Image/captchaVerify", method: .post,
                headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "id=register&flush=no&captcha=WRONG")
            ) { response in
                let code = try ServerFixtures.json(response)["error_code"] as? Int
                #expect(code == 200002)
            }
            let answer2 = ServerFixtures.answer(captcha, seed: 2)
            try await client.execute(
                uri: "/apis/Image/captchaVerify", method: .post, headers: [.cookie: cookie, .contentType: "application/json"],
                body: ByteBuffer(string: #"{"id": "register", "captcha": "\#(answer2)"}"#)
            ) { response in
                let code = try ServerFixtures.json(response)["error_code"] as? Int
                #expect(code == 0)
            }
            // Without the session cookie nothing passes.
            _ = try await client.execute(uri: "/api/Image/captcha", method: .get, headers: [.cookie: cookie])
            try await client.execute(uri: "/api/Image/captchaVerify?captcha=\(ServerFixtures.answer(captcha, seed: 3))", method: .get) { response in
                let code = try ServerFixtures.json(response)["error_code"] as? Int
                #expect(code == 200002)
            }
        }
    }

    static func multipart(_ fields: [String: String], file: [UInt8], boundary: String = "upare-test-boundary") -> ByteBuffer {
        var body = ""
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
        }
        var buffer = ByteBuffer(string: body)
        buffer.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"image\"; filename=\"p.png\"\r\nContent-Type: application/octet-stream\r\n\r\n")
        buffer.writeBytes(file)
        buffer.writeString("\r\n--\(boundary)--\r\n")
        return buffer
    }

    @Test("disorder: upload, scramble, restore exactly; wrong key and oversized uploads refused")
    func disorder() async throws {
        let server = try await TestServer.make(maxBodySize: 200_000)
        let picture: Image = {
            var image = Image(width: 64, height: 48)
            for y in 0..<48 { for x in 0..<64 { image[x, y] = RGBA(UInt8(x * 4), UInt8(y * 5), UInt8((x + y) % 256)) } }
            return image
        }()
        let png = try PNG.encode(picture)
        let key = String(repeating: "ab", count: 32)
        let headers: HTTPFields = [.contentType: "multipart/form-data; boundary=upare-test-boundary"]
        try await server.test { client in
            let scrambled = try await client.execute(
                uri: "/api/Image/disorder", method: .post, headers: headers, body: Self.multipart(["key": key], file: png)
            ) { response in
                #expect(response.status == .ok && response.headers[.contentType] == "image/png")
                return Array(response.body.readableBytesView)
            }
            #expect(try Image.decode(scrambled) != picture)
            try await client.execute(
                uri: "/api/Image/disorder", method: .post, headers: headers,
                body: Self.multipart(["key": key, "action": "decrypt"], file: scrambled)
            ) { response in
                #expect(response.status == .ok)
                let restored = try Image.decode(Array(response.body.readableBytesView))
                #expect(restored == picture)
            }
            try await client.execute(
                uri: "/api/Image/disorder", method: .post, headers: headers,
                body: Self.multipart(["key": String(repeating: "cd", count: 32), "action": "decrypt"], file: scrambled)
            ) { response in
                let body = try ServerFixtures.json(response)
                #expect(body["error_code"] as? Int == 100004)
                #expect((body["detail"] as? String)?.contains("wrong key") == true)
            }
            try await client.execute(
                uri: "/api/Image/disorder", method: .post, headers: headers,
                body: Self.multipart(["key": key], file: [UInt8](repeating: 7, count: 300_000))
            ) { response in
                #expect(response.status == .contentTooLarge)
                let code = try ServerFixtures.json(response)["error_code"] as? Int
                #expect(code == 100004)
            }
            try await client.execute(
                uri: "/api/Image/disorder", method: .post, headers: headers, body: Self.multipart([:], file: png)
            ) { response in
                let code = try ServerFixtures.json(response)["error_code"] as? Int
                #expect(code == 100004, "no key")
            }
        }
    }
}
