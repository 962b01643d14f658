import Foundation
import Hummingbird

/// Social accounts (2.2.3.4 `unbind`, 2.2.4 `snsreg`) and the sign-in that
/// finds them (additions to the spec): `User/snsLogin?channel=` redirects to
/// the provider; `User/snsCallback` comes back with a code. A bound account
/// is logged in; a logged-in user gets the social account bound; otherwise
/// the sign-in waits in the session for `snsreg`: `type=reg` makes a new
/// account for it, `type=log` binds it to an existing one (password checked).
struct SNSRoutes: Sendable {
    let services: Services
    let authenticator: Authenticator
    let client = SNSClient()

    var store: SNSStore { services.sns }
    var providers: [String: SNSProvider] { services.configuration.snsProviders }

    func provider(_ parameters: Parameters) throws -> (String, SNSProvider) {
        let channel = parameters["channel"]?.lowercased() ?? ""
        guard let provider = providers[channel] else {
            throw ErrorCatalogue.notFound.because("no social sign-in provider \"\(channel)\" is configured")
        }
        return (channel, provider)
    }

    /// 302 to the provider, with state and a PKCE challenge kept for this session.
    func login(_ request: Request, _ parameters: Parameters) async throws -> Response {
        let (channel, provider) = try provider(parameters)
        let session = ClientSession.identify(request)
        let state = SecureToken.random(bytes: 32), verifier = SecureToken.random(bytes: 48)
        try await store.saveState(state, session: session.id, channel: channel, verifier: verifier, at: services.now())
        var components = URLComponents(string: provider.authorizeURL) ?? URLComponents()
        var items = components.queryItems ?? []
        items += [
            URLQueryItem(name: "response_type", value: "code"), URLQueryItem(name: "client_id", value: provider.clientID),
            URLQueryItem(name: "redirect_uri", value: provider.redirectURI), URLQueryItem(name: "state", value: state),
            URLQueryItem(name: "code_challenge", value: PKCE.challenge(for: verifier)),
            URLQueryItem(name: "code_challenge_method", value: "S256"),
        ]
        if let scope = provider.scope, !scope.isEmpty { items.append(URLQueryItem(name: "scope", value: scope)) }
        components.queryItems = items
        var response = Response(status: .found, headers: [.location: components.string ?? provider.authorizeURL, .cacheControl: "no-store"])
        if session.isNew { response.setCookie(ClientSession.cookie(session.id, secure: services.configuration.secureCookies)) }
        return response
    }

    func callback(_ request: Request, _ parameters: Parameters) async throws -> Response {
        let (channel, provider) = try provider(parameters)
        let uri = Envelope.apiURI(request)
        if let error = parameters["error"] {
            throw ErrorCatalogue.permissionDenied.because("the provider answered \(error.prefix(64))")
        }
        guard let session = ClientSession.existing(in: request), let state = parameters["state"], let code = parameters["code"],
              let verifier = try await store.takeState(state, session: session, channel: channel, at: services.now())
        else { throw ErrorCatalogue.validationFailed.because("unknown or expired sign-in; start again at snsLogin") }
        let identity: SNSClient.Identity
        do {
            identity = try await client.identity(provider: provider, code: code, verifier: verifier)
        } catch {
            throw APIError(ErrorCatalogue.unknownError.code, ErrorCatalogue.unknownError.message, status: .badGateway,
                           detail: "the \(channel) sign-in failed: \(error)")
        }
        if let id = try await store.boundUser(channel: channel, externalID: identity.externalID),
           let user = try await services.users.user(id: id) {
            let cookie = try await services.accounts.startSession(for: user, replacing: request, remember: false)
            var response = Envelope.success(uri, user.payload.merging(["channel": channel, "logged_in": true]) { $1 })
            response.setCookie(cookie)
            return response
        }
        if let user = try await authenticator.user(request, policy: .session) {
            guard try await store.bind(userID: user.id, channel: channel, identity: identity, at: services.now()) else {
                throw ErrorCatalogue.validationFailed.because("your account has a \(channel) account bound already")
            }
            return Envelope.success(uri, user.payload.merging(["channel": channel, "bound": true]) { $1 })
        }
        try await store.savePending(session: session, channel: channel, identity: identity, at: services.now())
        return Envelope.success(uri, ["channel": channel, "sns_pending": true, "display_name": identity.displayName])
    }

    /// 2.2.4: binds the session's waiting social account to a new account
    /// (`type=reg`: username, password, confirm, email) or to an existing one
    /// (`type=log`: username, password), then logs it in.
    func snsreg(_ request: Request, _ context: ServerRequestContext, _ parameters: Parameters) async throws -> Response {
        guard let session = ClientSession.existing(in: request),
              let pending = try await store.pending(session: session, at: services.now())
        else { throw ErrorCatalogue.validationFailed.because("no social account is waiting; sign in with it first (snsLogin)") }
        let user: User
        switch parameters["type"] {
        case "reg":
            guard parameters["confirm"] == parameters["password"] else {
                throw ErrorCatalogue.validationFailed.because("confirm must repeat password")
            }
            user = try await services.accounts.create(
                username: parameters["username"], password: parameters["password"], email: parameters["email"])
        case "log":
            guard let login = parameters["username"], !login.isEmpty, let password = parameters["password"], !password.isEmpty else {
                throw ErrorCatalogue.usernamePasswordRequired
            }
            // A password check behind a captcha, as at User/login: otherwise ten
            // free guesses lock the account for its owner.
            try await services.captchaSlot.require(request, context, parameters)
            user = try await services.accounts.signIn(
                login: login, password: password, address: services.clientAddress(request, context))
        default:
            throw ErrorCatalogue.validationFailed.because("type must be reg or log")
        }
        guard try await store.bind(userID: user.id, channel: pending.channel, identity: pending.identity, at: services.now()) else {
            throw ErrorCatalogue.validationFailed.because("that \(pending.channel) account, or this account's \(pending.channel), is bound already")
        }
        try await store.clearPending(session: session)
        let cookie = try await services.accounts.startSession(for: user, replacing: request, remember: false)
        var response = Envelope.success(Envelope.apiURI(request), user.payload.merging(["channel": pending.channel]) { $1 })
        response.setCookie(cookie)
        return response
    }

    /// 2.2.3.4: unbinds the caller's account of `channel`; 202302 when none is bound.
    func unbind(_ request: Request, _ user: User, _ parameters: Parameters) async throws -> Response {
        guard let channel = parameters["channel"]?.lowercased(), !channel.isEmpty else {
            throw ErrorCatalogue.unbindFailed.because("channel is required")
        }
        guard try await store.unbind(userID: user.id, channel: channel) else {
            throw ErrorCatalogue.unbindFailed.because("no \(channel) account is bound")
        }
        return Envelope.success(Envelope.apiURI(request), ["channels": try await store.channels(of: user.id)])
    }
}
