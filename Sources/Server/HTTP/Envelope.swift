import Foundation
public import Hummingbird

/// The spec's reply: `{"error_code": 0, "api_uri": "apis/User/login", "message": "Successful", ...payload}`.
public enum Envelope {
    /// A successful reply with `payload`'s keys beside the envelope's.
    public static func success(_ apiURI: String, _ payload: [String: any Sendable] = [:]) -> Response {
        response(status: .ok, apiURI: apiURI, code: 0, message: "Successful", payload: payload)
    }

    /// An error reply with the catalogue's code and message, and its HTTP status.
    /// With `retryAfter`, the seconds to wait go in `Retry-After` and `retry_after`.
    public static func failure(
        _ error: APIError, apiURI: String, retryAfter: Int? = nil, payload extra: [String: any Sendable] = [:]
    ) -> Response {
        var payload = extra
        if let detail = error.detail { payload["detail"] = detail }
        if let retryAfter { payload["retry_after"] = retryAfter }
        var reply = response(status: error.status, apiURI: apiURI, code: error.code, message: error.message, payload: payload)
        if let retryAfter { reply.headers[.retryAfter] = String(retryAfter) }
        return reply
    }

    /// `apis/<Section>/<action>` of the request path, as the spec writes it.
    public static func apiURI(_ request: Request) -> String {
        let parts = request.uri.path.split(separator: "/")
        guard parts.count >= 3, parts[0] == "api" || parts[0] == "apis" else { return String(request.uri.path.drop { $0 == "/" }) }
        return (["apis"] + parts.dropFirst().prefix(2)).joined(separator: "/")
    }

    static func response(
        status: HTTPResponse.Status, apiURI: String, code: Int, message: String, payload: [String: any Sendable]
    ) -> Response {
        var object: [String: Any] = payload
        object["error_code"] = code
        object["api_uri"] = apiURI
        object["message"] = message
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
