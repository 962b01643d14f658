import Foundation
import Hummingbird
import HummingbirdTesting
import Raster
import Server
import Testing
import TestSupport

@Suite("HTTP API: user settings")
struct SettingsTests {
    static func upload(_ name: String, _ bytes: [UInt8], fields: [String: String] = [:]) -> ByteBuffer {
        let boundary = "upare-test-boundary"
        var buffer = ByteBuffer()
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            buffer.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(key)\"\r\n\r\n\(value)\r\n")
        }
        buffer.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n")
        buffer.writeBytes(bytes)
        buffer.writeString("\r\n--\(boundary)--\r\n")
        return buffer
    }

    @Test("setAvatar: centre square in three sizes at stable URLs with ETags; bad pictures are 202301")
    func avatar() async throws {
        let server = try await TestServer.make { $0.rateLimits.enabled = false }
        // 300 x 200: red, green and blue thirds; the centre square is green.
        let picture: Image = {
            var image = Image(width: 300, height: 200)
            for y in 0..<200 {
                for x in 0..<300 { image[x, y] = x < 100 ? RGBA(255, 0, 0) : x < 200 ? RGBA(0, 255, 0) : RGBA(0, 0, 255) }
            }
            return image
        }()
        let png = try PNG.encode(picture)
        try await server.test { http in
            try await server.register(http, "gia", email: "gia@example.com")
            let cookie = try await server.login(http, "gia")
            let headers: HTTPFields = [.contentType: "multipart/form-data; boundary=upare-test-boundary", .cookie: cookie]
            let reply = try await http.execute(uri: "/api/User/setAvatar", method: .post, headers: headers, body: Self.upload("avatar", png)) {
                try TestServer.json($0)
            }
            let urls = try #require(reply["avatar"] as? [String: String])
            #expect(urls == ["256": "/avatars/1/256.png", "128": "/avatars/1/128.png", "48": "/avatars/1/48.png"])
            let etag = try await http.execute(uri: "/avatars/1/128.png", method: .get) { response in
                #expect(response.status == .ok && response.headers[.contentType] == "image/png")
                let image = try Image.decode(Array(response.body.readableBytesView))
                #expect(image.width == 128 && image.height == 128)
                #expect(image[64, 64].g > 200 && image[64, 64].r < 40, "the centre square")
                #expect(image[2, 64].r > 150, "the centre square (x 50...249) starts in the red third")
                return response.headers[.eTag]
            }
            try await http.execute(uri: "/avatars/1/128.png", method: .get, headers: [.ifNoneMatch: etag ?? ""]) { response in
                #expect(response.status == .notModified)
            }
            try await http.execute(uri: "/avatars/1/64.png", method: .get) { #expect($0.status == .notFound) }
            try await http.execute(uri: "/avatars/2/48.png", method: .get) { #expect($0.status == .notFound) }

            let corrupt = try await http.execute(
                uri: "/api/User/setAvatar", method: .post, headers: headers, body: Self.upload("avatar", Array(png.prefix(60)))
            ) { try TestServer.json($0) }
            #expect(corrupt["error_code"] as? Int == 202301 && corrupt["detail"] is String)
            let code = try await http.execute(
                uri: "/api/User/setAvatar", method: .post, headers: headers,
                body: Self.upload("avatar", png, fields: ["response_type": "code"])
            ) { String(buffer: $0.body) }
            #expect(code == "0")
            let anonymous = try await http.execute(
                uri: "/api/User/setAvatar", method: .post, headers: [.contentType: "multipart/form-data; boundary=upare-test-boundary"],
                body: Self.upload("avatar", png)
            ) { try TestServer.json($0)["error_code"] as? Int }
            #expect(anonymous == 202101)
        }
    }

    @Test("modifyBasicInfo: captcha, confirm, 202304, uniqueness codes; a new password ends the other sessions")
    func basicInfo() async throws {
        let server = try await TestServer.make { $0.rateLimits.enabled = false }
        try await server.test { http in
            try await server.register(http, "hal", email: "hal@example.com")
            try await server.register(http, "ida", email: "ida@example.com")
            let other = try await server.login(http, "hal")
            let ida = try await server.login(http, "ida")
            // A captcha for this session, then the change.
            func change(_ cookie: String, _ fields: [String: String]) async throws -> [String: Any] {
                let session = try await server.captchaSession(http, cookie: cookie)
                return try await server.post(
                    http, "/api/User/modifyBasicInfo", fields.merging(["captcha": session.answer]) { $1 }, cookie: session.cookie).body
            }
            #expect(try await server.post(http, "/api/User/modifyBasicInfo", ["nickname": "x", "captcha": "nope"], cookie: ida)
                .body["error_code"] as? Int == 200002)
            #expect(try await change(ida, ["nickname": "Idaho", "phone": "+86 138 0000 0000"])["error_code"] as? Int == 0)
            let cookie = try await server.login(http, "hal")
            #expect(try await change(cookie, ["nickname": "IDAHO"])["error_code"] as? Int == 202005)
            #expect(try await change(cookie, ["email": "IDA@example.com", "password": "correct horse"])["error_code"] as? Int == 202003)
            #expect(try await change(cookie, ["phone": "+8613800000000"])["error_code"] as? Int == 202004)
            #expect(try await change(cookie, ["newpassword": "new horse 1", "confirm": "new horse 2", "password": "correct horse"])["error_code"] as? Int == 100004)
            #expect(try await change(cookie, ["newpassword": "correct horse", "confirm": "correct horse", "password": "correct horse"])["error_code"] as? Int == 202304)
            // ASVS 2.1.6: the current password, or no new password or e-mail.
            #expect(try await change(cookie, ["newpassword": "new horse 1", "confirm": "new horse 1"])["error_code"] as? Int == 202102)
            #expect(try await change(cookie, ["email": "hal3@example.com", "password": "wrong horse"])["error_code"] as? Int == 202103)
            #expect(try await change(cookie, [:])["error_code"] as? Int == 100004)

            let changed = try await change(
                cookie, ["newpassword": "new horse 1", "confirm": "new horse 1", "email": "hal2@example.com", "password": "correct horse"])
            #expect(changed["error_code"] as? Int == 0 && changed["email"] as? String == "hal2@example.com")
            #expect(changed["email_confirmed"] as? Bool == false && changed["code_sent"] as? Bool == true)
            #expect(try await server.lastCode(to: "hal2@example.com").count == 6)
            let notice = try await server.outbox.recent(limit: 10).first { $0.recipient == "hal@example.com" && $0.subject.contains("changed") }
            #expect(notice?.body.contains("password was changed") == true && notice?.body.contains("hal2@example.com") == true,
                    "the old address is told of the change")
            #expect(try await server.post(http, "/api/User/message", [:], cookie: other).body["error_code"] as? Int == 202101,
                    "the other session ended with the password change")
            #expect(try await server.post(http, "/api/User/message", [:], cookie: cookie).body["error_code"] as? Int == 0)
            _ = try await server.login(http, "hal", password: "new horse 1")
        }
    }

    @Test("modifyDetailInfo: each field checked, the ID number masked in replies")
    func detailInfo() async throws {
        let server = try await TestServer.make { $0.rateLimits.enabled = false }
        try await server.test { http in
            try await server.register(http, "jon", email: "jon@example.com")
            let cookie = try await server.login(http, "jon")
            for (fields, detail) in [
                (["idcard": "110105194912310021"], "idcard"),
                (["idcard": "11010519491331002X"], "idcard"),
                (["postalcode": "10001"], "postalcode"),
                (["gender": "unknown"], "gender"),
                (["majorcode": "CS 101"], "majorcode"),
                (["realname": String(repeating: "a", count: 65)], "realname"),
            ] {
                let reply = try await server.post(http, "/api/User/modifyDetailInfo", fields, cookie: cookie).body
                #expect(reply["error_code"] as? Int == 100004 && (reply["detail"] as? String)?.hasPrefix(detail) == true, "\(reply)")
            }
            let saved = try await server.post(http, "/api/User/modifyDetailInfo", [
                "realname": "张三", "idcard": "11010519491231002x", "gender": "女", "postalcode": "100000", "majorcode": "CS-101",
                "address": "Beijing",
            ], cookie: cookie).body
            let details = try #require(saved["details"] as? [String: Any])
            #expect(details["idcard"] as? String == "**************002X" && details["gender"] as? String == "female")
            let stored = try await server.database.sql.raw("SELECT idcard FROM user_details").first()
            let column = try #require(try stored?.decode(column: "idcard", as: String.self))
            #expect(column.hasPrefix("sealed:") && !column.contains("1949"), "the ID number is sealed at rest")
            let partial = try await server.post(http, "/api/User/modifyDetailInfo", ["address": ""], cookie: cookie).body
            let after = try #require(partial["details"] as? [String: Any])
            #expect(after["address"] == nil && after["realname"] as? String == "张三", "fields not sent are kept; empty clears")
        }
    }
}
