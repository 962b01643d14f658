public import Hummingbird
import HTTPTypes

/// CORS for the origins an operator lists (`UPARE_CORS_ORIGINS`), and for
/// nobody else: a listed origin's preflight is answered (204) and its
/// requests carry `Access-Control-Allow-Origin` with that origin and
/// `Allow-Credentials`; any other origin gets no CORS header at all, so its
/// pages cannot read a reply. (Hummingbird's own CORSMiddleware takes its
/// origin list only as variadic arguments and sends `Allow-Credentials` to
/// every origin, listed or not.)
public struct AllowListCORSMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Origins as `scheme://host[:port]`, lower-case.
    let origins: Set<String>

    /// The request headers a page may send.
    static var allowedHeaders: String { "Accept, Authorization, Content-Type" }
    /// The reply headers a page may read besides the CORS-safelisted ones.
    static var exposedHeaders: String { "Retry-After" }

    public init(origins: Set<String>) {
        self.origins = Set(origins.map { $0.lowercased() })
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], origins.contains(origin.lowercased()) else {
            return try await next(request, context)
        }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var headers = Self.headers(origin: origin)
            headers[.accessControlAllowMethods] = "GET, POST"
            headers[.accessControlAllowHeaders] = Self.allowedHeaders
            headers[.accessControlMaxAge] = "600"
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        for field in Self.headers(origin: origin) { response.headers.append(field) }
        response.headers[.accessControlExposeHeaders] = Self.exposedHeaders
        return response
    }

    /// The headers every reply to a listed origin carries.
    static func headers(origin: String) -> HTTPFields {
        [.accessControlAllowOrigin: origin, .accessControlAllowCredentials: "true", .vary: "Origin"]
    }
}
