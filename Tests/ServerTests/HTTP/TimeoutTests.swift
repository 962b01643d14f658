import Dispatch
import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore
import Server
import Testing
import TestSupport

@Suite("HTTP server: slow and silent clients are cut off")
struct TimeoutTests {
    static var short: ConnectionTimeouts {
        var timeouts = ConnectionTimeouts()
        timeouts.header = .milliseconds(600)
        timeouts.body = .milliseconds(900)
        timeouts.idle = .milliseconds(700)
        return timeouts
    }

    /// Runs blocking socket work on a Dispatch thread: the server's handlers
    /// need the cooperative pool that a blocked test thread would hold.
    static func blocking<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }

    @Test("partial headers, headers trickled a byte at a time, a trickled body and an idle keep-alive are each closed in time")
    func timeouts() async throws {
        let server = try await TestServer.make()
        try await server.testLive(server: .http1(timeouts: Self.short)) { _, port in
            // Half a request, then silence: the header timeout.
            let partial = try await Self.blocking {
                let socket = try RawSocket(port: port)
                socket.send("GET /api/Image/captcha HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                return socket.secondsUntilClosed(limit: 5)
            }
            #expect(try #require(partial, "partial headers held the connection open") < 2)

            // Headers a byte every 100 ms: each byte is progress, but the deadline does not move.
            let trickled = try await Self.blocking { () -> Double? in
                let socket = try RawSocket(port: port)
                let start = Date()
                let request = "GET /api/Image/captcha HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: \(String(repeating: "a", count: 200))\r\n\r\n"
                for byte in request {
                    if !socket.send(String(byte)) || socket.secondsUntilClosed(limit: 0.1) != nil { return Date().timeIntervalSince(start) }
                }
                return nil
            }
            #expect(try #require(trickled, "trickled headers were never cut off") < 2)

            // A body trickled after complete headers: the body timeout.
            let slowBody = try await Self.blocking { () -> Double? in
                let socket = try RawSocket(port: port)
                socket.send("POST /api/User/validateUniqueUsername HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 4000\r\n\r\nusername=")
                let start = Date()
                while Date().timeIntervalSince(start) < 5 {
                    if !socket.send("a") || socket.secondsUntilClosed(limit: 0.1) != nil { return Date().timeIntervalSince(start) }
                }
                return nil
            }
            #expect(try #require(slowBody, "a trickled body was never cut off") < 2)

            // A complete request is answered; the connection kept alive is closed once idle.
            let idle = try await Self.blocking { () -> (String, Double?) in
                let socket = try RawSocket(port: port)
                socket.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                return (socket.receiveResponse(), socket.secondsUntilClosed(limit: 5))
            }
            #expect(idle.0.hasPrefix("HTTP/1.1 200"), "\(idle.0.prefix(80))")
            #expect(try #require(idle.1, "an idle keep-alive connection stayed open") < 2)
        }
    }

    @Test("a client that keeps its requests coming is not cut off")
    func activeClient() async throws {
        let server = try await TestServer.make()
        try await server.testLive(server: .http1(timeouts: Self.short)) { _, port in
            // 6 requests 0.4 s apart: 2.4 s in all, past every timeout, yet each in time.
            let replies = try await Self.blocking { () -> [String] in
                let socket = try RawSocket(port: port)
                return (0..<6).map { _ in
                    socket.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    let reply = socket.receiveResponse()
                    Thread.sleep(forTimeInterval: 0.4)
                    return reply
                }
            }
            for (index, reply) in replies.enumerated() {
                #expect(reply.hasPrefix("HTTP/1.1 200"), "request \(index): \(reply.prefix(60))")
            }
        }
    }
}
