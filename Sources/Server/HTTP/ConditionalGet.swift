import HTTPTypes
import Hummingbird

/// A reply with an ETag that answers 304 Not Modified when the request's
/// `If-None-Match` names that tag (one of a list, or `*`; RFC 9110 13.1.2).
/// Shared by the avatars and the web site's files.
enum ConditionalGet {
    static func reply(_ body: ByteBuffer, etag: String, headers given: HTTPFields, to request: Request) -> Response {
        var headers = given
        headers[.eTag] = etag
        let tags = request.headers[values: .ifNoneMatch].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        if tags.contains(etag) || tags.contains("*") {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: body))
    }
}
