import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Server
import Testing
import TestSupport

/// `Image/pow` and `Image/powVerify` (the ALTCHA protocol), and scenarios that need a proof of work.
@Suite("Proof of work")
struct ProofOfWorkTests {
    static func hex(_ bytes: some Sequence<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// A challenge of the server, solved as a client would: the payload to send as `altcha`.
    static func solve(_ server: TestServer, _ http: some TestClientProtocol) async throws -> (payload: String, fields: [String: Any]) {
        let challenge = try await http.execute(uri: "/api/Image/pow", method: .get) { response in
            #expect(response.headers[.cacheControl] == "no-store")
            return try TestServer.json(response)
        }
        #expect(challenge["algorithm"] as? String == "SHA-256")
        let salt = try #require(challenge["salt"] as? String)
        let target = try #require(challenge["challenge"] as? String)
        let maximum = try #require(challenge["maxnumber"] as? Int)
        #expect(salt.contains("?expires=") && challenge["signature"] is String)
        let number = try #require((0...maximum).first { hex(SHA256.hash(data: Data((salt + String($0)).utf8))) == target })
        var fields = challenge.filter { ["algorithm", "challenge", "salt", "signature"].contains($0.key) }
        fields["number"] = number
        return (try encode(fields), fields)
    }

    static func encode(_ fields: [String: Any]) throws -> String {
        try JSONSerialization.data(withJSONObject: fields).base64EncodedString()
    }

    static func verify(_ server: TestServer, _ http: some TestClientProtocol, _ payload: String) async throws -> (Int?, String?) {
        let body = try await server.post(http, "/api/Image/powVerify", ["altcha": payload]).body
        return (body["error_code"] as? Int, body["detail"] as? String)
    }

    @Test("a solved challenge passes once; forged, altered, wrong, expired and malformed payloads are refused with the reason")
    func powFlow() async throws {
        let server = try await TestServer.make { $0.powMaxNumber = 2000; $0.rateLimits.enabled = false }
        try await server.test { http in
            let solved = try await Self.solve(server, http)
            #expect(try await Self.verify(server, http, solved.payload).0 == 0)
            let replay = try await Self.verify(server, http, solved.payload)
            #expect(replay.0 == 200002 && replay.1?.contains("solved before") == true)

            var wrong = try await Self.solve(server, http).fields
            wrong["number"] = (wrong["number"] as? Int ?? 0) + 1
            #expect(try await Self.verify(server, http, Self.encode(wrong)).1?.contains("does not solve") == true)

            var forged = try await Self.solve(server, http).fields
            forged["signature"] = Self.hex(HMAC<SHA256>.authenticationCode(
                for: Data((forged["challenge"] as? String ?? "").utf8), using: SymmetricKey(data: Data("another key".utf8))))
            #expect(try await Self.verify(server, http, Self.encode(forged)).1?.contains("not issued by this server") == true)

            var otherAlgorithm = try await Self.solve(server, http).fields
            otherAlgorithm["algorithm"] = "SHA-1"
            #expect(try await Self.verify(server, http, Self.encode(otherAlgorithm)).1?.contains("SHA-256") == true)

            #expect(try await Self.verify(server, http, "bm90IGpzb24=").1?.contains("base64 JSON") == true)
            #expect(try await server.post(http, "/api/Image/powVerify", [:]).body["detail"] as? String != nil)

            let late = try await Self.solve(server, http)
            server.clock.advance(301)
            #expect(try await Self.verify(server, http, late.payload).1?.contains("expired") == true)
        }
    }

    @Test("a scenario that needs a proof of work refuses its captcha without one, and takes it with one")
    func requiredByScenario() async throws {
        let server = try await TestServer.make { $0.powMaxNumber = 2000; $0.powScenarios = ["login"]; $0.rateLimits.enabled = false }
        try await server.test { http in
            try await server.register(http, "poe", email: "poe@example.com")
            var session = try await server.captchaSession(http, scenario: "login")
            let without = try await server.post(http, "/api/User/login", [
                "username": "poe", "password": "correct horse", "id": "login", "captcha": session.answer,
            ], cookie: session.cookie)
            #expect(without.body["error_code"] as? Int == 200002 && (without.body["detail"] as? String)?.contains("Image/pow") == true)
            session = try await server.captchaSession(http, scenario: "login")
            let solved = try await Self.solve(server, http)
            let with = try await server.post(http, "/api/User/login", [
                "username": "poe", "password": "correct horse", "id": "login", "captcha": session.answer, "altcha": solved.payload,
            ], cookie: session.cookie)
            #expect(with.body["error_code"] as? Int == 0, "\(with.body)")
            // Other scenarios are not asked for one.
            let comment = try await server.captchaSession(http, scenario: "comment")
            #expect(try await server.post(http, "/api/Image/captchaVerify", ["id": "comment", "captcha": comment.answer], cookie: comment.cookie)
                .body["error_code"] as? Int == 0)
        }
    }

    @Test("a solution passes once across instances")
    func acrossInstances() async throws {
        let a = try await TestServer.make { $0.powMaxNumber = 2000 }
        let b = try await a.secondInstance { $0.powMaxNumber = 2000 }
        try await a.test { httpA in
            try await b.test { httpB in
                let solved = try await Self.solve(a, httpA)
                #expect(try await Self.verify(b, httpB, solved.payload).0 == 0)
                #expect(try await Self.verify(a, httpA, solved.payload).0 == 200002)
            }
        }
    }

    @Test("adaptive: after N wrong answers from an address its captchas need a proof of work, harder as it goes on")
    func adaptive() async throws {
        let server = try await TestServer.make { $0.powMaxNumber = 1000; $0.powAfterFailures = 2; $0.rateLimits.enabled = false }
        try await server.test { http in
            func maxNumber() async throws -> Int? {
                try await http.execute(uri: "/api/Image/pow", method: .get) { try TestServer.json($0)["maxnumber"] as? Int }
            }
            let session = try await server.captchaSession(http)
            let right = session.answer
            for _ in 0..<2 {
                let wrong = try await server.post(http, "/api/Image/captchaVerify", ["captcha": "WRONG", "flush": "no"], cookie: session.cookie)
                #expect(wrong.body["error_code"] as? Int == 200002 && wrong.body["detail"] == nil)
            }
            let asked = try await server.post(http, "/api/Image/captchaVerify", ["captcha": right, "flush": "no"], cookie: session.cookie)
            #expect(asked.body["error_code"] as? Int == 200002 && (asked.body["detail"] as? String)?.contains("Image/pow") == true,
                    "after 2 wrong answers a proof of work is due: \(asked.body)")
            #expect(try await maxNumber() == 1000)
            let solved = try await Self.solve(server, http)
            let passed = try await server.post(http, "/api/Image/captchaVerify", ["captcha": right, "altcha": solved.payload], cookie: session.cookie)
            #expect(passed.body["error_code"] as? Int == 0, "\(passed.body)")
            // Two more wrong answers (each with its proof) double the work.
            for _ in 0..<2 {
                let proof = try await Self.solve(server, http)
                _ = try await server.post(http, "/api/Image/captchaVerify", ["captcha": "WRONG", "altcha": proof.payload], cookie: session.cookie)
            }
            #expect(try await maxNumber() == 2000)
            // It fades: after an hour the address is trusted again.
            server.clock.advance(3600)
            let fresh = try await server.captchaSession(http, cookie: session.cookie)
            #expect(try await server.post(http, "/api/Image/captchaVerify", ["captcha": fresh.answer], cookie: fresh.cookie)
                .body["error_code"] as? Int == 0)
        }
    }

    @Test("the failure counter counts per address and halves every half-life")
    func counter() {
        let clock = ManualClock()
        let counter = FailureCounter(halfLife: 100, now: clock.function)
        for _ in 0..<4 { counter.record("a") }
        counter.record("b")
        #expect(counter.count("a") == 4 && counter.count("b") == 1 && counter.count("c") == 0)
        clock.advance(100)
        #expect(abs(counter.count("a") - 2) < 1e-9)
        counter.record("a")
        #expect(abs(counter.count("a") - 3) < 1e-9)
    }
}
