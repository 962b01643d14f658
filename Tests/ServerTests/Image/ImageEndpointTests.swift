import Captcha
import Disorder
import Foundation
import Hummingbird
import HummingbirdTesting
import Raster
import Server
import Synchronization
import Testing
import TestSupport

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
                let code = try TestServer.json(response)["error_code"] as? Int
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
                try #require(TestServer.cookie(response))
            }
            let answer1 = captchaAnswer(captcha, seed: 1)
            try await client.execute(
                uri: "/api/Image/captchaVerify?id=login&captcha=\(answer1.lowercased())", method: .get, headers: [.cookie: cookie]
            ) { response in
                #expect(response.status == .ok)
                let body = try TestServer.json(response)
                #expect(body["error_code"] as? Int == 0 && body["message"] as? String == "Successful")
                #expect(!String(decoding: response.body.readableBytesView, as: UTF8.self).contains(answer1))
            }
            try await client.execute(
                uri: "/api/Image/captchaVerify?id=login&captcha=\(answer1)", method: .get, headers: [.cookie: cookie]
            ) { response in
                let code = try TestServer.json(response)["error_code"] as? Int
                #expect(code == 200002, "single use")
            }
            // Seed 2, under another scenario id, answered with a form body after one wrong try.
            _ = try await client.execute(uri: "/api/Image/captcha?id=register", method: .get, headers: [.cookie: cookie])
            try await client.execute(
                uri: "/api/Image/captchaVerify", method: .post,
                headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "id=register&flush=no&captcha=WRONG")
            ) { response in
                let code = try TestServer.json(response)["error_code"] as? Int
                #expect(code == 200002)
            }
            let answer2 = captchaAnswer(captcha, seed: 2)
            try await client.execute(
                uri: "/apis/Image/captchaVerify", method: .post, headers: [.cookie: cookie, .contentType: "application/json"],
                body: ByteBuffer(string: #"{"id": "register", "captcha": "\#(answer2)"}"#)
            ) { response in
                let code = try TestServer.json(response)["error_code"] as? Int
                #expect(code == 0)
            }
            // Without the session cookie nothing passes.
            _ = try await client.execute(uri: "/api/Image/captcha", method: .get, headers: [.cookie: cookie])
            try await client.execute(uri: "/api/Image/captchaVerify?captcha=\(captchaAnswer(captcha, seed: 3))", method: .get) { response in
                let code = try TestServer.json(response)["error_code"] as? Int
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

    @Test("disorder: a browser's multipart boundary, capitals and all, is matched exactly (RFC 2046 5.1.1)")
    func browserBoundary() async throws {
        let server = try await TestServer.make()
        let png = try PNG.encode(Image(width: 32, height: 16))
        let boundary = "----WebKitFormBoundaryKO0LJtOG3iKABWNL"
        let headers: HTTPFields = [.contentType: "Multipart/Form-Data; boundary=\(boundary)"]
        try await server.test { client in
            try await client.execute(
                uri: "/api/Image/disorder", method: .post, headers: headers,
                body: Self.multipart(["key": String(repeating: "ab", count: 32)], file: png, boundary: boundary)
            ) { response in
                #expect(response.status == .ok && response.headers[.contentType] == "image/png")
            }
        }
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
                let body = try TestServer.json(response)
                #expect(body["error_code"] as? Int == 100004)
                #expect((body["detail"] as? String)?.contains("wrong key") == true)
            }
            try await client.execute(
                uri: "/api/Image/disorder", method: .post, headers: headers,
                body: Self.multipart(["key": key], file: [UInt8](repeating: 7, count: 300_000))
            ) { response in
                #expect(response.status == .contentTooLarge)
                let code = try TestServer.json(response)["error_code"] as? Int
                #expect(code == 100004)
            }
            try await client.execute(
                uri: "/api/Image/disorder", method: .post, headers: headers, body: Self.multipart([:], file: png)
            ) { response in
                let code = try TestServer.json(response)["error_code"] as? Int
                #expect(code == 100004, "no key")
            }
        }
    }
}
