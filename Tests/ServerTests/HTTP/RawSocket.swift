import Foundation

/// A blocking TCP client on loopback for tests that must misbehave as no
/// HTTP client library will: half-sent headers, trickled bodies, idling.
final class RawSocket {
    private let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw POSIXError(.ECONNREFUSED)
        }
        var noSignal: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_KEEPALIVE, &noSignal, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(descriptor) }

    /// Sends `text`; false once the server has closed the connection.
    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Foundation.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    /// Whatever arrives within `seconds` (until the server stops sending).
    func receive(for seconds: Double) -> String {
        var received: [UInt8] = []
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            guard let chunk = read(timeout: min(0.1, deadline.timeIntervalSinceNow)) else { break }
            received += chunk
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// One HTTP response (head and a Content-Length body), or what arrived
    /// of it within `limit` seconds.
    func receiveResponse(limit: Double = 5) -> String {
        var received: [UInt8] = []
        let deadline = Date().addingTimeInterval(limit)
        while Date() < deadline {
            let text = String(decoding: received, as: UTF8.self)
            if let end = text.range(of: "\r\n\r\n") {
                let length = text[..<end.lowerBound].split(separator: "\r\n")
                    .first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                if text.utf8.count - text.utf8.distance(from: text.startIndex, to: end.upperBound) >= length { return text }
            }
            guard let chunk = read(timeout: 0.05) else { break }
            received += chunk
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Seconds until the server closed the connection (reading and dropping
    /// what it sends), or nil if it is still open after `limit`.
    func secondsUntilClosed(limit: Double) -> Double? {
        let start = Date()
        while Date().timeIntervalSince(start) < limit {
            if read(timeout: 0.05) == nil { return Date().timeIntervalSince(start) }
        }
        return nil
    }

    /// nil at end of stream or error; [] when nothing came within `timeout`.
    private func read(timeout: Double) -> [UInt8]? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&poller, 1, Int32(max(1, timeout * 1000)))
        guard ready > 0 else { return ready == 0 ? [] : nil }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Array(buffer.prefix(count))
    }
}
