public import Hummingbird

/// One entry of `EndpointTable`: an endpoint of the API as data. The router
/// routes it (under `/api/` and `/apis/`, with its methods), authenticates the
/// caller under `access` before a byte of the body is read, reads at most
/// `body`, counts it in `rate`, and calls `handler`; the OpenAPI document and
/// `docs/api.md` describe it from the same fields.
public struct Endpoint: Sendable {
    /// How much body an endpoint reads.
    public enum Body: Sendable, Equatable {
        /// Fields only: `Parameters.formLimit`.
        case form
        /// A picture upload: the server's `maxBodySize` (multipart).
        case upload
    }

    enum Reply: Sendable {
        /// The envelope with these payload keys.
        case envelope([String])
        /// Picture bytes.
        case picture
        /// A WAV recording.
        case audio
        /// Picture bytes; asked for JSON, the envelope with these payload keys.
        case pictureOrEnvelope([String])
        /// A 302 to the client's redirect URI, or an HTML page.
        case redirectOrPage
    }

    struct Parameter: Sendable {
        var name: String
        var type: String = "string"
        var required = false
        var description: String
        /// A multipart file rather than a field.
        var isFile = false
    }

    /// What a handler does with a call, given the feature route types.
    typealias Handler = @Sendable (RouteHandlers, EndpointCall) async throws -> Response

    public var path: String
    public var methods: [String]
    /// The section (the spec's, e.g. "Intercourse" for friends), the OpenAPI tag.
    var tag: String
    var summary: String
    var parameters: [Parameter] = []
    var reply: Reply = .envelope([])
    var errors: [Int] = []
    public var access: AccessPolicy = .anonymous
    public var body: Body = .form
    /// The rate bucket (`RateLimits` gives each its rate, `RateBucket.keys` what it counts by).
    public var rate: RateBucket = .api
    var handler: Handler

    /// "Section/action", as the router and the rate limiter name it.
    public var name: String { String(path.dropFirst("/api/".count)) }

    /// No GET: the router answers one with 200001 (the spec's "POST only").
    public var isPostOnly: Bool { !methods.contains("get") }
}

/// A request to an endpoint, authenticated and read.
public struct EndpointCall: Sendable {
    public var request: Request
    public var context: ServerRequestContext
    /// The caller under the endpoint's access policy: set for `session` and
    /// `sessionOrBearer`, nil for the others (a handler that cares who is
    /// signed in asks the authenticator).
    public var user: User?
    public var parameters: Parameters

    /// The caller of an endpoint whose policy requires one.
    public var requiredUser: User {
        get throws(APIError) {
            guard let user else { throw ErrorCatalogue.notLoggedIn }
            return user
        }
    }
}

/// A route outside the API's envelope: operations probes, the OpenAPI
/// document, the avatars' pictures. Anyone may fetch them, with GET.
public struct PlainRoute: Sendable {
    typealias Handler = @Sendable (RouteHandlers, Request, ServerRequestContext) async throws -> Response

    /// The router's path, captures as `:name`.
    public var path: String
    var tag: String
    var summary: String
    /// The media type of a successful reply.
    var contentType: String
    var handler: Handler

    /// The path as OpenAPI writes it, captures as `{name}`.
    public var openAPIPath: String {
        "/" + path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
    }

    /// The names of the path's captures.
    var captures: [String] { path.split(separator: "/").filter { $0.hasPrefix(":") }.map { String($0.dropFirst()) } }
}
