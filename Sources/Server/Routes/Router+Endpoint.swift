import HTTPTypes
import Hummingbird

extension Router where Context == ServerRequestContext {
    /// Routes `/api/<name>` and `/apis/<name>` with the methods of `name`'s
    /// entry in `EndpointCatalogue`; a POST-only endpoint answers GET with
    /// 200001. The caller is authenticated under the entry's access policy
    /// before a byte of the body is read, and the body is read within the
    /// entry's limit (`uploadLimit` for uploads).
    func endpoint(
        _ name: String, authenticator: Authenticator, uploadLimit: Int = Parameters.formLimit,
        _ handler: @escaping @Sendable (Request, ServerRequestContext, User?, Parameters) async throws -> Response
    ) {
        let endpoint = EndpointCatalogue.endpoint(name)
        let methods = endpoint.methods.compactMap { HTTPRequest.Method($0.uppercased()) }
        let bodyLimit = endpoint.body == .upload ? uploadLimit : Parameters.formLimit
        for prefix in ["api", "apis"] {
            for method in methods {
                on("\(prefix)/\(name)", method: method) { request, context in
                    let user: User?
                    switch endpoint.access {
                    case .anonymous: user = nil
                    case .session, .sessionOrBearer: user = try await authenticator.requireUser(request, policy: endpoint.access)
                    }
                    let parameters = try await Parameters.read(request, context: context, maxBodySize: bodyLimit)
                    return try await handler(request, context, user, parameters)
                }
            }
            if !methods.contains(.get) {
                on("\(prefix)/\(name)", method: .get) { _, _ -> Response in throw ErrorCatalogue.postRequired }
            }
        }
    }

    /// `endpoint` for every case of `Action`, named "<section>/<action>"; the
    /// handler gets the action too.
    func endpoints<Action: RawRepresentable & CaseIterable & Sendable>(
        section: String, _: Action.Type, authenticator: Authenticator,
        _ handler: @escaping @Sendable (Action, Request, ServerRequestContext, User?, Parameters) async throws -> Response
    ) where Action.RawValue == String {
        for action in Action.allCases {
            endpoint("\(section)/\(action.rawValue)", authenticator: authenticator) { request, context, user, parameters in
                try await handler(action, request, context, user, parameters)
            }
        }
    }
}

extension User {
    /// The caller of an endpoint whose policy requires one.
    static func required(_ user: User?) throws(APIError) -> User {
        guard let user else { throw ErrorCatalogue.notLoggedIn }
        return user
    }
}
