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

@Suite("HTTP API: envelope and errors")
struct EnvelopeTests {
    @Test("every error code of the spec is in the catalogue with the spec's message")
    func catalogueMatchesSpec() throws {
        let spec = PackagePaths.spec
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
                let body = try TestServer.json(response)
                #expect(body["error_code"] as? Int == 404 && body["api_uri"] as? String == "apis/Nope/nothing")
            }
            try await client.execute(uri: "/api/Image/disorder", method: .get) { response in
                let code = try TestServer.json(response)["error_code"] as? Int
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
