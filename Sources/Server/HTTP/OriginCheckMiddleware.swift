import Foundation
public import Hummingbird
import HTTPTypes

/// Cross-site request forgery defence for cookie-authenticated requests
/// (OWASP's "verifying origin with standard headers"): a state-changing
/// request (any method but GET, HEAD, OPTIONS) that carries the session cookie
/// and names an `Origin` (or, without one, a `Referer`) other than this site's
/// own or an allowed origin is refused with 403. Requests without either
/// header (curl, server-side clients) pass: browsers always send `Origin` on
/// cross-site POSTs. SameSite=Lax cookies and the refusal of `text/plain`
/// bodies are the other layers.
public struct OriginCheckMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Origins besides the site's own, as `scheme://host[:port]`.
    let allowed: Set<String>

    public init(allowed: Set<String>) {
        self.allowed = Set(allowed.map { $0.lowercased() })
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard ![.get, .head, .options].contains(request.method), ClientSession.existing(in: request) != nil else {
            return try await next(request, context)
        }
        let named = request.headers[.origin] ?? request.headers[.referer].flatMap(Self.origin(ofURL:))
        guard let named else { return try await next(request, context) }
        let origin = named.lowercased()
        if allowed.contains(origin) || Self.isSameSite(origin, host: request.head.authority ?? request.headers[.hostField]) {
            return try await next(request, context)
        }
        throw ErrorCatalogue.unauthorized.because("cross-site request refused: \(origin.prefix(100)) may not act with this site's session")
    }

    /// `scheme://host[:port]` of a URL.
    static func origin(ofURL text: String) -> String? {
        guard let components = URLComponents(string: text), let scheme = components.scheme, let host = components.host else { return nil }
        return "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
    }

    /// Whether `origin`'s host and port are the request's own `Host`.
    static func isSameSite(_ origin: String, host: String?) -> Bool {
        guard let host, origin != "null", let components = URLComponents(string: origin), let originHost = components.host else {
            return false
        }
        let defaultPort = components.scheme == "https" ? 443 : 80
        let originAuthority = originHost + ":" + String(components.port ?? defaultPort)
        let requestHost = host.lowercased()
        let requestAuthority = requestHost.contains(":") && !requestHost.hasSuffix("]") ? requestHost : requestHost + ":" + String(defaultPort)
        return originAuthority == requestAuthority
    }
}

extension HTTPField.Name {
    /// A `Host` field kept as a field (HTTP/1 requests carry it as the authority).
    static let hostField = HTTPField.Name("Host") ?? .via
}
