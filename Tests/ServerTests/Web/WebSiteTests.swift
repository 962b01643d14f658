import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Server
import Testing
import TestSupport

/// The browser side over real HTTP: pages with their security policy, files
/// with ETags, and the demoSite switch. (Behaviour in a browser:
/// scripts/browser-test.)
@Suite("Web site")
struct WebSiteTests {
    @Test("the demo pages are HTML under a policy of the site's own scripts, to anonymous callers")
    func pages() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            for path in ["/", "/presets", "/disorder"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok, "\(path)")
                    #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                    let policy = response.headers[.contentSecurityPolicy] ?? ""
                    #expect(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"))
                    #expect(response.headers[.xContentTypeOptions] == "nosniff")
                    #expect(String(buffer: response.body).contains("<title>upare demo"))
                }
            }
            try await client.execute(uri: "/nowhere.html", method: .get) { #expect($0.status == .notFound) }
        }
    }

    @Test("static files carry an ETag and answer If-None-Match with 304; unknown names are 404")
    func files() async throws {
        let server = try await TestServer.make()
        let committed = try Data(contentsOf: PackagePaths.root.appendingPathComponent("web/site/static/upare-captcha.js"))
        try await server.test { client in
            let etag = try await client.execute(uri: "/static/upare-captcha.js", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/javascript; charset=utf-8")
                #expect(Data(response.body.readableBytesView) == committed)
                return try #require(response.headers[.eTag])
            }
            try await client.execute(uri: "/static/upare-captcha.js", method: .get, headers: [.ifNoneMatch: "\"other\", \(etag)"]) {
                #expect($0.status == .notModified)
                #expect($0.body.readableBytes == 0)
            }
            try await client.execute(uri: "/static/upare-disorder.js", method: .get) { #expect($0.status == .ok) }
            for name in ["nope.js", "..%2F..%2FPackage.swift", "upare-captcha.js.map"] {
                try await client.execute(uri: "/static/\(name)", method: .get) { #expect($0.status == .notFound, "\(name)") }
            }
        }
    }

    @Test("demoSite=false: no demo pages, but the widget and the unscrambler are still served")
    func demoOff() async throws {
        let server = try await TestServer.make(configure: { $0.demoSite = false })
        try await server.test { client in
            try await client.execute(uri: "/", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/disorder", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/static/upare-captcha.js", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test("Image/captchaSample: a PNG per difficulty that answers nothing; a bad difficulty is 100004")
    func samples() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            for difficulty in ["easy", "normal", "hard"] {
                try await client.execute(uri: "/api/Image/captchaSample?difficulty=\(difficulty)", method: .get) { response in
                    #expect(response.status == .ok && response.headers[.contentType] == "image/png")
                    #expect(response.headers[.setCookie] == nil, "no session, no challenge")
                }
            }
            try await client.execute(uri: "/api/Image/captchaSample?difficulty=trivial", method: .get) { response in
                let body = try TestServer.json(response)
                #expect(body["error_code"] as? Int == 100004)
            }
        }
    }
}
