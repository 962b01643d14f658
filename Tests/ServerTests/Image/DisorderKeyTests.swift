import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Raster
import Server
import SQLKit
import Testing
import TestSupport

@Suite("HTTP API: stored picture keys")
struct DisorderKeyTests {
    @Test("disorderKey makes a key for its owner; key_id scrambles, the returned key restores; nobody else may use it")
    func storedKeys() async throws {
        let server = try await TestServer.make { $0.rateLimits.enabled = false }
        let picture: Image = {
            var image = Image(width: 40, height: 30)
            for y in 0..<30 { for x in 0..<40 { image[x, y] = RGBA(UInt8(x * 6), UInt8(y * 8), 90) } }
            return image
        }()
        let png = try PNG.encode(picture)
        let multipart: HTTPFields = [.contentType: "multipart/form-data; boundary=upare-test-boundary"]
        try await server.test { client in
            try await server.register(client, "nina", email: "nina@example.com")
            try await server.register(client, "omar", email: "omar@example.com")
            let nina = try await server.login(client, "nina")
            let omar = try await server.login(client, "omar")

            let anonymous = try await server.post(client, "/api/Image/disorderKey", [:])
            #expect(anonymous.body["error_code"] as? Int == 202101)
            let created = try await server.post(client, "/api/Image/disorderKey", [:], cookie: nina)
            let id = try #require(created.body["key_id"] as? Int)
            let hex = try #require(created.body["key"] as? String)
            #expect(hex.count == 64)
            let stored = try await server.database.sql.raw("SELECT sealed FROM disorder_keys").first()
            let sealed = try #require(try stored?.decode(column: "sealed", as: Data.self))
            #expect(!String(decoding: sealed, as: UTF8.self).contains(hex), "kept sealed, not in clear")

            var headers = multipart
            headers[.cookie] = nina
            let scrambled = try await client.execute(
                uri: "/api/Image/disorder", method: .post, headers: headers,
                body: ImageEndpointTests.multipart(["key_id": String(id)], file: png)
            ) { response in
                #expect(response.status == .ok)
                return Array(response.body.readableBytesView)
            }
            #expect(try Image.decode(scrambled) != picture)
            try await client.execute(
                uri: "/api/Image/disorder", method: .post, headers: multipart,
                body: ImageEndpointTests.multipart(["key": hex, "action": "decrypt"], file: scrambled)
            ) { response in
                let restored = try Image.decode(Array(response.body.readableBytesView))
                #expect(restored == picture)
            }
            headers[.cookie] = omar
            try await client.execute(
                uri: "/api/Image/disorder", method: .post, headers: headers,
                body: ImageEndpointTests.multipart(["key_id": String(id), "action": "decrypt"], file: scrambled)
            ) { response in
                #expect(response.status == .notFound)
                let code = try TestServer.json(response)["error_code"] as? Int
                #expect(code == 404)
            }
            try await client.execute(
                uri: "/api/Image/disorder", method: .post, headers: multipart,
                body: ImageEndpointTests.multipart([:], file: png)
            ) { response in
                let detail = try TestServer.json(response)["detail"] as? String
                #expect(detail == "key or key_id is required")
            }
        }
    }
}
