import Foundation
import Hummingbird
import SQLKit

/// `/health` (the process answers), `/ready` (and its database does) and
/// `/metrics` (Prometheus). Not part of the API envelope: load balancers and
/// scrapers read them. Keep `/metrics` to the operators' network.
struct OperationsRoutes: Sendable {
    let database: ServerDatabase

    init(database: ServerDatabase) {
        self.database = database
    }

    func health() -> Response {
        Self.json(.ok, #"{"status":"ok"}"#)
    }

    func ready() async -> Response {
        do {
            _ = try await database.sql.raw("SELECT 1 AS one").first()
            return Self.json(.ok, #"{"status":"ready"}"#)
        } catch {
            return Self.json(.serviceUnavailable, #"{"status":"database unreachable"}"#)
        }
    }

    func metrics() -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: ServerMetrics.exposition())))
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
