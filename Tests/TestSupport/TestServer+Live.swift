import Hummingbird
public import HummingbirdCore
public import HummingbirdTesting

extension TestServer {
    /// Like `test`, over real sockets: the router behind `server` on an
    /// ephemeral loopback port; `body` gets the client and the port.
    public func testLive<Value>(
        server builder: HTTPServerBuilder, _ body: @Sendable (any TestClientProtocol, Int) async throws -> Value
    ) async throws -> Value {
        let application = Application(
            responder: responder, server: builder, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        let result: Value
        do {
            result = try await application.test(.live) { client in
                guard let port = client.port else { throw CancellationError() }
                return try await body(client, port)
            }
        } catch {
            try? await dispose()
            throw error
        }
        try await dispose()
        return result
    }
}
