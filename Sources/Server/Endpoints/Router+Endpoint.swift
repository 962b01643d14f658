import HTTPTypes
import Hummingbird

extension Router where Context == ServerRequestContext {
    /// Routes every entry of `EndpointTable`: the API under `/api/` and
    /// `/apis/`, the plain routes at their paths.
    func routeEndpointTable(_ handlers: RouteHandlers, uploadLimit: Int, authenticator: Authenticator) {
        for endpoint in EndpointTable.all {
            route(endpoint, handlers, uploadLimit: uploadLimit, authenticator: authenticator)
        }
        for plain in EndpointTable.plain {
            let handler = plain.handler
            get(RouterPath(plain.path)) { request, context in try await handler(handlers, request, context) }
        }
    }

    /// Routes `/api/<name>` and `/apis/<name>` with the entry's methods; a
    /// POST-only endpoint answers GET with 200001. The caller is authenticated
    /// under the entry's access policy before a byte of the body is read, and
    /// the body is read within the entry's limit (`uploadLimit` for uploads).
    private func route(_ endpoint: Endpoint, _ handlers: RouteHandlers, uploadLimit: Int, authenticator: Authenticator) {
        let methods = endpoint.methods.compactMap { HTTPRequest.Method($0.uppercased()) }
        let bodyLimit = endpoint.body == .upload ? uploadLimit : Parameters.formLimit
        let access = endpoint.access, handler = endpoint.handler
        for prefix in ["api", "apis"] {
            let path = RouterPath("\(prefix)/\(endpoint.name)")
            for method in methods {
                on(path, method: method) { request, context in
                    let user: User?
                    switch access {
                    // The OAuth token endpoints authenticate their caller themselves.
                    case .anonymous, .oauthClient, .tokenHolder: user = nil
                    case .session, .sessionOrBearer: user = try await authenticator.requireUser(request, policy: access)
                    }
                    let parameters = try await Parameters.read(request, context: context, maxBodySize: bodyLimit)
                    return try await handler(handlers, EndpointCall(request: request, context: context, user: user, parameters: parameters))
                }
            }
            if endpoint.isPostOnly {
                on(path, method: .get) { _, _ -> Response in throw ErrorCatalogue.postRequired }
            }
        }
    }
}
