import ConstantTime
import Crypto
import Foundation
import Hummingbird
import HTTPTypes

/// Section 2.1 of the spec: an OAuth 2.0 provider (RFC 6749, RFC 7009 revocation,
/// RFC 7636 PKCE, the Security BCP RFC 9700), with the spec's envelope and codes.
struct OAuthRoutes: Sendable {
    let services: Services
    let authenticator: Authenticator
    let consentKey: SymmetricKey
    /// This server's issuer identifier, sent as `iss` with every authorization
    /// response (RFC 9207) so that clients can tell which server answered.
    let issuer: String

    /// Secrets a token request must carry in its body, never in the URL
    /// (RFC 6749 3.2, RFC 6750 2.3): URLs end up in logs and browser history.
    static let bodyOnly = ["client_secret", "code", "code_verifier", "refresh_token", "password", "token", "access_token"]

    init(services: Services, authenticator: Authenticator) {
        self.services = services
        self.authenticator = authenticator
        consentKey = SymmetricKey(data: services.secret.derive("oauth consent"))
        issuer = services.configuration.issuer
    }

    /// A token endpoint (`accessToken`, `delete`, `revoke`): no secrets in the
    /// URL, failures as RFC 6749 5.2 error replies inside the envelope, and
    /// never cached (RFC 6749 5.1).
    func tokenEndpoint(_ call: EndpointCall, _ action: (EndpointCall) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            try Self.refuseSecretsInQuery(call.request)
            response = try await action(call)
        } catch let error as APIError {
            response = Self.failure(error, request: call.request)
        } catch let wait as RetryAfter {
            response = Self.failure(wait.error, request: call.request, oauthError: "temporarily_unavailable", retryAfter: wait.seconds)
        } catch let refused as StoreError {
            response = Self.failure(refused.apiError.error, request: call.request)
        }
        response.headers[.cacheControl] = "no-store"
        response.headers[.pragma] = "no-cache"
        return response
    }

    static func refuseSecretsInQuery(_ request: Request) throws(APIError) {
        let query = (try? Parameters.formPairs(request.uri.query ?? "")) ?? []
        if let name = query.map(\.0).first(where: bodyOnly.contains) {
            throw ErrorCatalogue.validationFailed.because("\(name) belongs in the request body or the Authorization header, never in the URL")
        }
    }

    // MARK: 2.1.1 authorize

    /// `response_type=code` redirects to the client's registered `redirect_uri`
    /// with `code` and `state`; `json` answers `{"authorization_code": ...}` in
    /// the envelope. The user must be logged in; other than first-party clients
    /// need the user's consent once per client and scope (an HTML page for
    /// `code`, 201206 with a `consent_token` for `json`).
    func authorize(_ request: Request, _ user: User, _ parameters: Parameters) async throws -> Response {
        guard let clientID = parameters["client_id"], !clientID.isEmpty,
              let redirectURI = parameters["redirect_uri"], !redirectURI.isEmpty
        else { throw ErrorCatalogue.redirectAndClientRequired }
        guard let client = try await services.clients.client(clientID) else { throw ErrorCatalogue.invalidClientIDAuthorize }
        // Exact string matching: nothing is ever sent to an unregistered URI.
        guard client.redirectURIs.contains(redirectURI) else { throw ErrorCatalogue.redirectClientMismatch }
        let mode: String
        switch parameters["response_type"] {
        case "code": mode = "code"
        case "json": mode = "json"
        default: throw ErrorCatalogue.invalidResponseType
        }
        let state = parameters["state"]
        // From here errors of a `code` request go back to the client's redirect URI.
        func refuse(_ error: String, _ apiError: APIError) throws -> Response {
            if mode == "code" { return Self.redirect(redirectURI, ["error": error, "state": state, "iss": issuer]) }
            throw apiError
        }
        var scopes = OAuthScopes.parse(parameters["scope"])
        if scopes.isEmpty { scopes = client.scopes.intersection(OAuthScopes.fallback).isEmpty ? client.scopes : OAuthScopes.fallback }
        guard scopes.isSubset(of: client.scopes) else {
            return try refuse("invalid_scope", ErrorCatalogue.permissionDenied.because("scope not allowed for this client"))
        }
        // PKCE for every client, confidential ones too (RFC 9700 2.1.1).
        guard let challenge = parameters["code_challenge"], !challenge.isEmpty else {
            return try refuse("invalid_request", ErrorCatalogue.validationFailed.because("code_challenge (PKCE, S256) is required"))
        }
        guard parameters["code_challenge_method"] == "S256", PKCE.validChallenge(challenge) else {
            return try refuse("invalid_request", ErrorCatalogue.validationFailed.because("code_challenge_method must be S256"))
        }

        if !client.firstParty {
            let granted = try await services.clients.consent(user: user.id, client: client.id)
            if !scopes.isSubset(of: granted) {
                let token = consentToken(request, client: client.id, redirectURI: redirectURI, scopes: scopes)
                switch parameters["consent"] {
                case "allow" where request.method == .post && ConstantTime.equal(Array((parameters["consent_token"] ?? "").utf8), Array(token.utf8)):
                    try await services.clients.grant(user: user.id, client: client.id, scopes: scopes, at: services.now())
                case "deny" where request.method == .post:
                    return try refuse("access_denied", ErrorCatalogue.permissionDenied.because("the user denied access"))
                default:
                    if mode == "json" {
                        throw ConsentNeeded(token: token)
                    }
                    var fields: [String: String] = [:]
                    for name in ["response_type", "client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method"] {
                        if let value = parameters[name] { fields[name] = value }
                    }
                    fields["scope"] = OAuthScopes.text(scopes)
                    fields["consent_token"] = token
                    return Response(
                        status: .ok,
                        headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                                  .contentSecurityPolicy: "default-src 'none'; form-action 'self'; frame-ancestors 'none'"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: ConsentPage.html(client: client, scopes: scopes, fields: fields))))
                }
            }
        }
        let code = try await services.tokens.issueCode(
            .init(clientID: client.id, userID: user.id, redirectURI: redirectURI, scopes: scopes,
                  codeChallenge: challenge, family: OAuthTokens.newFamily()),
            at: services.now())
        if mode == "code" { return Self.redirect(redirectURI, ["code": code, "state": state, "iss": issuer]) }
        var payload: [String: any Sendable] = ["authorization_code": code, "iss": issuer]
        if let state { payload["state"] = state }
        return Envelope.success(Envelope.apiURI(request), payload)
    }

    /// An error of the token endpoints in the envelope, with RFC 6749 5.2's
    /// `error` and `error_description` beside it so that standard OAuth client
    /// libraries understand it; 401 for client authentication failures, with
    /// `WWW-Authenticate: Basic`.
    static func failure(_ error: APIError, request: Request, oauthError: String? = nil, retryAfter: Int? = nil) -> Response {
        var code: String
        switch error.code {
        case 201208, 201210, 201211, 201213: code = "invalid_client"
        case 201105, 201205, 201209, 201215, 202103: code = "invalid_grant"
        case 201206: code = error.detail?.contains("scope") == true ? "invalid_scope" : "unauthorized_client"
        case 201216: code = "unsupported_grant_type"
        case 201207: code = "server_error"
        default: code = "invalid_request"
        }
        if let oauthError { code = oauthError }
        var response = Envelope.failure(
            error, apiURI: Envelope.apiURI(request), retryAfter: retryAfter,
            payload: ["error": code, "error_description": error.detail ?? error.message])
        switch code {
        case "invalid_client":
            response.status = .unauthorized
            response.headers[.wwwAuthenticate] = "Basic realm=\"upare\""
        case "invalid_grant", "invalid_request", "invalid_scope", "unsupported_grant_type":
            // RFC 6749 5.2: these are 400, whatever status the spec's code travels with elsewhere.
            response.status = .badRequest
        default: break
        }
        return response
    }

    /// HMAC of the session and the request: only this session's page can post consent.
    func consentToken(_ request: Request, client: String, redirectURI: String, scopes: Set<String>) -> String {
        let session = ClientSession.existing(in: request) ?? ""
        let message = [session, client, redirectURI, OAuthScopes.text(scopes)].joined(separator: "\u{0}")
        return Data(HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: consentKey)).base64EncodedString()
    }

    /// 302 to `uri` with `fields` added to its query.
    static func redirect(_ uri: String, _ fields: [String: String?]) -> Response {
        var components = URLComponents(string: uri) ?? URLComponents()
        var items = components.queryItems ?? []
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            if let value { items.append(URLQueryItem(name: name, value: value)) }
        }
        components.queryItems = items
        return Response(
            status: .found, headers: [.location: components.string ?? uri, .cacheControl: "no-store"])
    }

    // MARK: 2.1.2 accessToken

    /// The client named by HTTP Basic (RFC 6749 2.3.1) or by `client_id` and
    /// `client_secret` in the body, authenticated; per-client rate limited.
    func authenticatedClient(_ request: Request, _ parameters: Parameters) throws -> (id: String, secret: String?) {
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("basic ") {
            guard parameters["client_secret"] == nil,
                  let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
                  let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":")
            else { throw ErrorCatalogue.validationFailed.because("malformed Basic credentials, or credentials sent twice") }
            let id = String(text[..<colon]).removingPercentEncoding ?? ""
            let secret = String(text[text.index(after: colon)...]).removingPercentEncoding ?? ""
            return (id, secret.isEmpty ? nil : secret)
        }
        guard let id = parameters["client_id"], !id.isEmpty else { throw ErrorCatalogue.clientIDRequired }
        let secret = parameters["client_secret"]
        return (id, secret?.isEmpty == false ? secret : nil)
    }

    func client(_ request: Request, _ parameters: Parameters) async throws -> OAuthClient {
        let credentials = try authenticatedClient(request, parameters)
        guard !credentials.id.isEmpty else { throw ErrorCatalogue.clientIDRequired }
        let client: OAuthClient
        switch try await services.clients.authenticate(credentials.id, secret: credentials.secret) {
        case .authenticated(let found): client = found
        case .unknownClient: throw ErrorCatalogue.invalidClientID
        case .secretRequired: throw ErrorCatalogue.clientSecretRequired
        case .wrongSecret: throw ErrorCatalogue.clientSecretMismatch
        }
        // Charged only once the client has proved who it is: bogus requests in
        // its name cannot use up its budget. Public clients cannot prove it, so
        // theirs is also kept per address by the middleware.
        if let clientLimit = services.perClientLimit,
           let wait = services.rateLimiter.take("oauth-client", client: client.id, limit: clientLimit) {
            throw RetryAfter(error: ErrorCatalogue.rateLimited, seconds: Int(wait.rounded(.up)))
        }
        return client
    }

    func accessToken(_ request: Request, _ context: ServerRequestContext, _ parameters: Parameters) async throws -> Response {
        let client = try await client(request, parameters)
        let issued: OAuthTokens.Issued
        switch parameters["grant_type"] {
        case "authorization_code":
            guard let code = parameters["code"], !code.isEmpty else { throw ErrorCatalogue.authorizationCodeRequired }
            let grant: OAuthTokens.CodeGrant
            switch try await services.tokens.redeem(code: code, clientID: client.id, at: services.now()) {
            case .granted(let found): grant = found
            case .invalid: throw ErrorCatalogue.invalidAuthorizationCode
            case .replayed: throw ErrorCatalogue.invalidAuthorizationCode.because("the code was used before; what it issued is revoked")
            }
            guard parameters["redirect_uri"] == grant.redirectURI else { throw ErrorCatalogue.tokenRequestMismatch }
            let verifier = parameters["code_verifier"]
            if let challenge = grant.codeChallenge {
                guard let verifier, PKCE.matches(verifier: verifier, challenge: challenge) else {
                    throw ErrorCatalogue.invalidAuthorizationCode.because("code_verifier does not match")
                }
            } else if verifier != nil {
                throw ErrorCatalogue.invalidAuthorizationCode.because("no code_challenge was sent for this code")
            }
            issued = try await issueTokens(
                clientID: client.id, userID: grant.userID, scopes: grant.scopes, family: grant.family, at: services.now())
        case "refresh_token":
            guard let refresh = parameters["refresh_token"], !refresh.isEmpty else { throw ErrorCatalogue.invalidRefreshToken }
            let info: OAuthTokens.TokenInfo
            switch try await services.tokens.rotate(refreshToken: refresh, clientID: client.id, at: services.now()) {
            case .rotated(let found): info = found
            case .invalid: throw ErrorCatalogue.invalidRefreshToken
            case .reused: throw ErrorCatalogue.invalidRefreshToken.because("the refresh token was used before; its tokens are revoked")
            }
            let asked = OAuthScopes.parse(parameters["scope"])
            guard asked.isSubset(of: info.scopes) else { throw ErrorCatalogue.permissionDenied.because("scope cannot be widened") }
            issued = try await issueTokens(
                clientID: client.id, userID: info.userID, scopes: asked.isEmpty ? info.scopes : asked, family: info.family,
                at: services.now())
        case "password":
            guard client.firstParty, !client.isPublic else {
                throw ErrorCatalogue.permissionDenied.because("the password grant is for first-party confidential clients")
            }
            guard let username = parameters["username"], !username.isEmpty, let password = parameters["password"], !password.isEmpty
            else { throw ErrorCatalogue.usernamePasswordRequiredForToken }
            let user = try await services.accounts.signIn(
                login: username, password: password, address: services.clientAddress(request, context))
            var scopes = OAuthScopes.parse(parameters["scope"])
            if scopes.isEmpty { scopes = client.scopes }
            guard scopes.isSubset(of: client.scopes) else { throw ErrorCatalogue.permissionDenied.because("scope not allowed for this client") }
            issued = try await issueTokens(
                clientID: client.id, userID: user.id, scopes: scopes, family: OAuthTokens.newFamily(), at: services.now())
        default:
            throw ErrorCatalogue.invalidGrantType
        }
        return Envelope.success(Envelope.apiURI(request), [
            "access_token": issued.accessToken, "refresh_token": issued.refreshToken, "token_type": "Bearer",
            "expires_in": issued.expiresIn, "remind_in": issued.expiresIn, "uid": issued.userID,
            "scope": OAuthScopes.text(issued.scopes),
        ])
    }

    /// New tokens; a database failure is the spec's 201207 ("Cache access_token failed").
    func issueTokens(clientID: String, userID: Int, scopes: Set<String>, family: String, at now: Date) async throws -> OAuthTokens.Issued {
        do {
            return try await services.tokens.issue(clientID: clientID, userID: userID, scopes: scopes, family: family, at: now)
        } catch {
            throw ErrorCatalogue.cacheTokenFailed
        }
    }

    // MARK: 2.1.3 delete, 2.1.4 revoke

    /// Ends the caller's own grant: the bearer token (header, or `access_token`
    /// in the body) and every token of its family.
    func deleteToken(_ request: Request, _ parameters: Parameters) async throws -> Response {
        // `access_token` in the URL was refused before this (RFC 6750 2.3).
        guard let token = Authenticator.bearer(request) ?? parameters["access_token"], !token.isEmpty else {
            throw ErrorCatalogue.accessTokenRequired
        }
        guard let info = try await services.tokens.lookup(token), info.kind == .access else { throw ErrorCatalogue.invalidAccessToken }
        guard !info.revoked, info.expiresAt > services.now().timeIntervalSince1970 else { throw ErrorCatalogue.deleteTokenFailed }
        try await services.tokens.revokeFamily(info.family)
        return Envelope.success(Envelope.apiURI(request))
    }

    /// RFC 7009: the client revokes one of its tokens; a refresh token takes its
    /// family with it. Unknown tokens answer success, as the RFC asks; another
    /// client's token is 201401.
    func revoke(_ request: Request, _ parameters: Parameters) async throws -> Response {
        let client = try await client(request, parameters)
        guard let token = parameters["token"], !token.isEmpty else {
            throw ErrorCatalogue.revokeTokenFailed.because("token is required")
        }
        if let info = try await services.tokens.lookup(token) {
            guard info.clientID == client.id else { throw ErrorCatalogue.revokeTokenFailed.because("not this client's token") }
            if info.kind == .refresh {
                try await services.tokens.revokeFamily(info.family)
            } else {
                try await services.tokens.revoke(token)
            }
        }
        return Envelope.success(Envelope.apiURI(request))
    }
}

/// A `json` authorization that needs the user's consent first: 201206 with
/// the token to post back with `consent=allow`.
struct ConsentNeeded: Error {
    let token: String
}
