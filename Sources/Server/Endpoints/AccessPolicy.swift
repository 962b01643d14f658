/// Who may call an endpoint. Each endpoint declares one in `EndpointTable`,
/// and the caller is authenticated by it before the request body is read.
public enum AccessPolicy: Sendable, Hashable, CustomStringConvertible {
    /// Anyone; the handler may still look for a signed-in caller.
    case anonymous
    /// A signed-in browser: the session cookie only. An OAuth bearer token is
    /// refused (201206), whatever its scopes: account control (passwords,
    /// e-mail, consent to third parties, stored keys) never goes to a client app.
    case session
    /// The session cookie, or a bearer token granted `scope`.
    case sessionOrBearer(scope: String)
    /// An OAuth client, by HTTP Basic or `client_id` and `client_secret`
    /// (RFC 6749 2.3). The handler authenticates it, so that failures come
    /// back as OAuth error replies (`invalid_client`); no body is read twice.
    case oauthClient
    /// The holder of the access token the request ends (`Authorization:
    /// Bearer`, or `access_token` in the body), checked by the handler.
    case tokenHolder

    public var description: String {
        switch self {
        case .anonymous: "anonymous"
        case .session: "session"
        case .sessionOrBearer(let scope): "session or bearer(\(scope))"
        case .oauthClient: "OAuth client"
        case .tokenHolder: "token holder"
        }
    }
}
