import Foundation
import Hummingbird

/// The spec's `response_type` (json OR code) on the validation endpoints.
/// `json` (the default) is the envelope. `code` is the bare `error_code` as
/// `text/plain`: `0` when the check passes, else the error's number (for
/// example `202002`), with the same HTTP status as the JSON reply. That suits
/// form-validation widgets that only need a yes or no.
enum ResponseType {
    static func reply(
        _ request: Request, _ parameters: Parameters, _ check: () async throws -> [String: any Sendable]
    ) async throws -> Response {
        switch parameters["response_type"]?.lowercased() {
        case nil, "", "json":
            return Envelope.success(Envelope.apiURI(request), try await check())
        case "code":
            do {
                _ = try await check()
                return plain("0", status: .ok)
            } catch let error as APIError {
                return plain(String(error.code), status: error.status)
            }
        default:
            throw ErrorCatalogue.validationFailed.because("response_type must be json or code")
        }
    }

    static func plain(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
