import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Server
import Testing
import TestSupport

/// `EndpointTable` is the one source of the routes: these hold the router,
/// the access checks, the rate buckets and `docs/api.md` to it.
@Suite("The endpoint table")
struct EndpointTableTests {
    static func call(
        _ http: some TestClientProtocol, _ endpoint: Endpoint, headers: HTTPFields = [:], body: ByteBuffer? = nil
    ) async throws -> (status: HTTPResponse.Status, code: Int?) {
        let method: HTTPRequest.Method = endpoint.methods.contains("post") ? .post : .get
        var headers = headers
        if body != nil, headers[.contentType] == nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        return try await http.execute(uri: endpoint.path, method: method, headers: headers, body: body) { response in
            let json = try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
            return (response.status, json?["error_code"] as? Int)
        }
    }

    @Test("every endpoint of the table is refused to callers its access policy does not admit")
    func accessTableWalk() async throws {
        let server = try await TestServer.make { $0.rateLimits.enabled = false }
        try await server.test { http in
            let uid = try #require(try await server.register(http, "walker", email: "walker@example.com")["uid"] as? Int)
            let everything = try await SecurityTests.token(server, user: uid, scopes: OAuthScopes.known).token
            let nothing = try await SecurityTests.token(server, user: uid, scopes: ["basic"], clientName: "Basic Only").token
            var walked = 0
            for endpoint in EndpointTable.all {
                switch endpoint.access {
                case .anonymous:
                    continue
                case .oauthClient:
                    let anonymous = try await Self.call(http, endpoint)
                    #expect(anonymous.code == 201210 && anonymous.status.code >= 400,
                            "\(endpoint.name) (OAuth client) answered a caller without client credentials with \(anonymous.code ?? 0)")
                    let unknown = try await Self.call(http, endpoint, headers: [.authorization: "Basic bm9ib2R5OnNlY3JldA=="])
                    #expect(unknown.code == 201213, "\(endpoint.name) took an unknown client: \(unknown.code ?? 0)")
                    walked += 1
                    continue
                case .tokenHolder:
                    let anonymous = try await Self.call(http, endpoint)
                    #expect(anonymous.code == 201202, "\(endpoint.name) (token holder) answered a caller without a token with \(anonymous.code ?? 0)")
                    let unknown = try await Self.call(http, endpoint, headers: [.authorization: "Bearer not-a-token"])
                    #expect(unknown.code == 201201, "\(endpoint.name) took an unknown token: \(unknown.code ?? 0)")
                    walked += 1
                    continue
                case .session:
                    let bearer = try await Self.call(http, endpoint, headers: [.authorization: "Bearer \(everything)"])
                    #expect(bearer.code == 201206, "\(endpoint.name) (session only) took a bearer token with every scope")
                case .sessionOrBearer(let scope):
                    let without = try await Self.call(http, endpoint, headers: [.authorization: "Bearer \(nothing)"])
                    #expect(without.code == 201206, "\(endpoint.name) took a token without \(scope)")
                    let with = try await Self.call(http, endpoint, headers: [.authorization: "Bearer \(everything)"])
                    #expect(with.code != 201206 && with.code != 202101, "\(endpoint.name) refused a token with \(scope)")
                }
                let anonymous = try await Self.call(http, endpoint)
                #expect(anonymous.code == 202101, "\(endpoint.name) answered an anonymous caller with \(anonymous.code ?? 0)")
                // Authenticated before the body is read: an oversized body still gets 202101, not 413.
                let oversized = try await Self.call(http, endpoint, body: ByteBuffer(repeating: UInt8(ascii: "a"), count: 3 << 20))
                #expect(oversized.code == 202101 && oversized.status == .unauthorized, "\(endpoint.name) read the body of an anonymous caller")
                walked += 1
            }
            #expect(walked >= 15, "the walk covered \(walked) endpoints")
            // Account control never goes to a client app, whatever scope it holds.
            for name in ["Oauth/authorize", "User/setAvatar", "User/modifyBasicInfo", "User/modifyDetailInfo", "User/unbind",
                         "Image/disorderKey", "User/sessions"] {
                #expect(EndpointTable.endpoint(named: name)?.access == .session, "\(name) must be session only")
            }
        }
    }

    @Test("every endpoint counts against the rate bucket the table names, and buckets are separate")
    func rateBucketWalk() async throws {
        let server = try await TestServer.make { configuration in
            let one = RateLimiter.Limit(burst: 1, perSecond: 0.0001)
            for path in [\RateLimits.captcha, \.verify, \.disorder, \.login, \.register, \.sendcode, \.token, \.general] {
                configuration.rateLimits[keyPath: path] = one
            }
        }
        try await server.test { http in
            let groups = Dictionary(grouping: EndpointTable.all, by: \.rate)
            #expect(Set(groups.keys) == Set(RateBucket.allCases), "every bucket is used by some endpoint")
            for bucket in RateBucket.allCases {
                let endpoints = try #require(groups[bucket])
                let first = try await Self.call(http, endpoints[0])
                #expect(first.code != 201204, "\(bucket): a fresh bucket, whatever the others have used")
                for endpoint in endpoints {
                    let again = try await Self.call(http, endpoint)
                    #expect(again.code == 201204 && again.status == .tooManyRequests, "\(endpoint.name) is not limited in \(bucket)")
                }
            }
        }
    }

    @Test("every route is in the table and every entry of the table is routed, under /api and /apis")
    func routedExactly() async throws {
        let server = try await TestServer.make()
        var expected = Set<String>()
        for endpoint in EndpointTable.all {
            for prefix in ["api", "apis"] {
                let methods = endpoint.methods.map { $0.uppercased() } + (endpoint.isPostOnly ? ["GET"] : [])
                for method in methods { expected.insert("\(method) /\(prefix)/\(endpoint.name)") }
            }
        }
        // The router describes captures as {name}.
        for plain in EndpointTable.plain { expected.insert("GET \(plain.openAPIPath)") }
        let routed = Set(server.routes.map { route in
            // The router may write paths without their leading slash.
            let parts = route.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return route }
            return parts[0] + " " + (parts[1].hasPrefix("/") ? parts[1] : "/" + parts[1])
        })
        try await server.test { _ in }
        #expect(routed.subtracting(expected).isEmpty, "routed but not in the table: \(routed.subtracting(expected).sorted())")
        #expect(expected.subtracting(routed).isEmpty, "in the table but not routed: \(expected.subtracting(routed).sorted())")
        #expect(Set(EndpointTable.all.map(\.name)).count == EndpointTable.all.count, "no endpoint is in the table twice")
    }

    @Test("every POST-only endpoint answers a GET with 200001, under /api and /apis, with or without a trailing slash")
    func postOnly() async throws {
        let server = try await TestServer.make { $0.rateLimits.enabled = false }
        try await server.test { http in
            var walked = 0
            for endpoint in EndpointTable.all where endpoint.isPostOnly {
                for path in ["/api/\(endpoint.name)", "/apis/\(endpoint.name)/"] {
                    try await http.execute(uri: path, method: .get) { response in
                        let code = try TestServer.json(response)["error_code"] as? Int
                        #expect(code == 200001 && response.status == .methodNotAllowed, "GET \(path): \(code ?? -1) \(response.status)")
                    }
                }
                walked += 1
            }
            #expect(walked >= 25)
        }
    }

    @Test("docs/api.md is the table's reference as `upare endpoints --markdown` writes it, and the README links it")
    func reference() throws {
        let committed = try String(contentsOf: PackagePaths.root.appendingPathComponent("docs/api.md"), encoding: .utf8)
        let generated = EndpointReference.markdown()
        #expect(committed == generated, "docs/api.md is stale: run `swift run upare endpoints --markdown > docs/api.md`")
        for endpoint in EndpointTable.all {
            #expect(generated.contains("### \(endpoint.name)\n"), "\(endpoint.name) has a section")
        }
        for plain in EndpointTable.plain { #expect(generated.contains("`\(plain.path)`")) }
        let readme = try String(contentsOf: PackagePaths.root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("(docs/api.md)"), "the README links docs/api.md")
    }
}
