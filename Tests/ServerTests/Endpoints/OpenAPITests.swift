import Foundation
import Hummingbird
import HummingbirdTesting
import Server
import Testing
import TestSupport

@Suite("OpenAPI document")
struct OpenAPITests {
    @Test("served at /openapi.json; every route is documented and every documented operation is routed")
    func document() async throws {
        let server = try await TestServer.make()
        let body = try await server.test { http in
            try await http.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                return try TestServer.json(response)
            }
        }
        #expect(body["openapi"] as? String == "3.1.0")
        let paths = try #require(body["paths"] as? [String: [String: Any]])
        // Documented operations as the router describes routes: "POST /api/User/login", captures as "{name}".
        var documented = Set<String>()
        for (path, item) in paths {
            for method in item.keys { documented.insert("\(method.uppercased()) \(path)") }
        }
        let routed = Set(server.routes.map { route -> String in
            // "/apis/..." is the same endpoint as "/api/...".
            let parts = route.split(separator: " ", maxSplits: 1)
            let path = parts.count == 2 ? String(parts[1]) : ""
            let normal = (path.hasPrefix("/") ? path : "/" + path).replacingOccurrences(of: "/apis/", with: "/api/")
            return "\(parts.first ?? "") \(normal)"
        })
        #expect(routed.count >= 40)
        for route in routed where !documented.contains(route) {
            // The only undocumented routes are the GETs that refuse with 200001 on POST-only paths.
            let path = route.split(separator: " ", maxSplits: 1).last.map(String.init) ?? ""
            #expect(route.hasPrefix("GET ") && documented.contains("POST \(path)"), "\(route) is not documented")
        }
        for operation in documented {
            #expect(routed.contains(operation), "\(operation) is documented but not routed")
        }
        // Every documented error code is in the catalogue.
        let known = Set(ErrorCatalogue.all.map(\.code))
        for item in paths.values {
            for case let operation as [String: Any] in item.values {
                for code in operation["x-error-codes"] as? [Int] ?? [] { #expect(known.contains(code), "\(code)") }
            }
        }
    }

    @Test("every payload key of every envelope reply has a real schema, typed")
    func typedReplies() throws {
        #expect(PayloadSchemas.undescribed.isEmpty, "no schema for \(PayloadSchemas.undescribed)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var described = 0
        for (path, item) in paths {
            for case let operation as [String: Any] in item.values {
                let json = ((operation["responses"] as? [String: Any])?["200"] as? [String: Any])?["content"] as? [String: Any]
                let parts = (((json?["application/json"] as? [String: Any])?["schema"] as? [String: Any])?["allOf"] as? [[String: Any]]) ?? []
                for part in parts {
                    for case let (key, schema as [String: Any]) in (part["properties"] as? [String: Any]) ?? [:] {
                        #expect(schema["type"] is String, "\(path) \(key) has a type")
                        described += 1
                    }
                }
            }
        }
        #expect(described >= 60)
    }
}
