import Captcha
import Foundation
import Hummingbird
import HTTPTypes
import Logging

/// Section 2.2 of the spec (2.2.0 to 2.2.2, 2.2.5 to 2.2.9): accounts, login
/// sessions, verification codes and the inbox. Every action is POST; a GET is
/// answered with 200001.
struct UserRoutes: Sendable {
    let services: Services
    let authenticator: Authenticator

    init(services: Services, authenticator: Authenticator) {
        self.services = services
        self.authenticator = authenticator
    }

    // MARK: 2.2.2 register

    /// Creates the account, then mails a code that confirms the address. When
    /// the code cannot be sent the account is removed again and 202201 says
    /// so: the client may simply try again.
    func registerAccount(_ request: Request, _ parameters: Parameters) async throws -> Response {
        let user = try await services.accounts.create(
            username: parameters["username"], password: parameters["password"], email: parameters["email"])
        return Envelope.success(Envelope.apiURI(request), user.payload.merging(["code_sent": true]) { $1 })
    }

    // MARK: 2.2.1 login

    /// Username (or e-mail) and password behind a captcha, throttled per account
    /// and per address. Success issues a new session token in the cookie.
    func login(_ request: Request, _ context: ServerRequestContext, _ parameters: Parameters) async throws -> Response {
        guard let login = parameters["username"]?.trimmingCharacters(in: .whitespaces), !login.isEmpty,
              let password = parameters["password"], !password.isEmpty
        else { throw ErrorCatalogue.usernamePasswordRequired }
        let address = services.clientAddress(request, context)
        try await services.passwordLogin.checkThrottle(login: login, address: address)
        try await services.captchaSlot.require(request, context, parameters)

        // Unknown accounts get the same answer as wrong passwords.
        let user = try await services.accounts.signIn(login: login, password: password, address: address)
        let remember = parameters.flag("remember")
        let cookie = try await services.accounts.startSession(for: user, replacing: request, remember: remember)
        let lifetime = remember ? SessionStore.rememberedLifetime : SessionStore.sessionLifetime
        var response = Envelope.success(
            Envelope.apiURI(request), user.payload.merging(["session_expires_in": Int(lifetime)]) { $1 })
        response.setCookie(cookie)
        return response
    }

    /// Ends the caller's session (an addition to the spec: a session needs an end).
    func logout(_ request: Request) async throws -> Response {
        if let token = ClientSession.existing(in: request) { try await services.sessions.delete(token: token) }
        var response = Envelope.success(Envelope.apiURI(request))
        response.setCookie(services.accounts.endedSessionCookie)
        return response
    }

    // MARK: 2.2.5, 2.2.6 uniqueness

    func validateUniqueUsername(_ request: Request, _ parameters: Parameters) async throws -> Response {
        try await ResponseType.reply(request, parameters) {
            let username = try AccountRules.username(parameters["username"])
            if try await services.users.usernameTaken(username) { throw ErrorCatalogue.usernameRegistered }
            return [:]
        }
    }

    func validateUniqueEmail(_ request: Request, _ parameters: Parameters) async throws -> Response {
        try await ResponseType.reply(request, parameters) {
            let email = try AccountRules.email(parameters["email"])
            if try await services.users.emailTaken(email) { throw ErrorCatalogue.emailExists }
            return [:]
        }
    }

    // MARK: 2.2.7, 2.2.8 verification codes

    /// The medium named, or the caller's own e-mail address (202101 without a login).
    func medium(_ parameters: Parameters, caller: User?) throws -> Medium {
        if let raw = parameters["medium"]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            return try AccountRules.medium(raw)
        }
        guard let caller else { throw ErrorCatalogue.notLoggedIn }
        return .email(caller.email)
    }

    /// A code to `medium`, or to the signed-in caller's e-mail address. Without
    /// a session it is behind a captcha: an anonymous caller must not be able
    /// to make the server mail anyone, in bulk, for free.
    func sendCode(_ request: Request, _ context: ServerRequestContext, _ parameters: Parameters) async throws -> Response {
        let caller = try await authenticator.user(request, policy: .session)
        if caller == nil { try await services.captchaSlot.require(request, context, parameters) }
        let medium = try medium(parameters, caller: caller)
        do {
            try await services.accounts.deliverCode(to: medium)
        } catch is DeliveryError {
            throw ErrorCatalogue.mailSendingFailed
        }
        return Envelope.success(Envelope.apiURI(request), ["expires_in": Int(VerificationCodes.lifetime)])
    }

    func validateCode(_ request: Request, _ parameters: Parameters) async throws -> Response {
        let named = parameters["medium"]?.trimmingCharacters(in: .whitespaces).isEmpty == false
        let caller = named ? nil : try await authenticator.user(request, policy: .session)
        let medium = try medium(parameters, caller: caller)
        guard let code = parameters["code"]?.trimmingCharacters(in: .whitespaces), code.count == 6,
              code.allSatisfy({ $0.isASCII && $0.isNumber }),
              try await services.codes.check(code, for: medium, at: services.now())
        else { throw ErrorCatalogue.verificationCodeFailed }
        // Proof of reading the mailbox confirms the account registered with it.
        if case .email(let address) = medium { try await services.users.confirmEmail(address, at: services.now()) }
        return Envelope.success(Envelope.apiURI(request))
    }

    // MARK: 2.2.9 messages

    /// Without `id`, the caller's inbox (newest first; `limit` up to 1000 and
    /// `offset`); with `id`, that message, marked read. Only one's own messages.
    func message(_ request: Request, _ user: User, _ parameters: Parameters) async throws -> Response {
        if let raw = parameters["id"], !raw.isEmpty {
            guard let id = Int(raw) else { throw ErrorCatalogue.validationFailed.because("id must be a message number") }
            guard let message = try await services.messages.read(id, for: user.id, at: services.now()) else {
                throw ErrorCatalogue.notFound.because("no message \(id) in your inbox")
            }
            return Envelope.success(Envelope.apiURI(request), ["item": message.payload])
        }
        let limit = try parameters.integer("limit", default: 100, range: 1...1000)
        let offset = try parameters.integer("offset", default: 0, range: 0...Int(Int32.max))
        let messages = try await services.messages.list(for: user.id, limit: limit, offset: offset)
        let counts = try await services.messages.counts(for: user.id)
        return Envelope.success(Envelope.apiURI(request), [
            "messages": messages.map(\.payload), "total": counts.total, "unread": counts.unread,
        ])
    }

    // MARK: sessions (an addition, ASVS 3.3)

    /// The caller's live sessions (`current` marks this one) and OAuth grants.
    /// `end=<id>` ends one session, `end=grant:<family>` revokes one grant,
    /// `end=others` ends every session but this one and every grant.
    func sessions(_ request: Request, _ user: User, _ parameters: Parameters) async throws -> Response {
        let now = services.now()
        let current = ClientSession.existing(in: request).map(SessionStore.publicID(token:))
        var ended = 0
        if let target = parameters["end"]?.trimmingCharacters(in: .whitespaces), !target.isEmpty {
            if target == "others" {
                let others = try await services.sessions.sessions(of: user.id, at: now).filter { $0.id != current }
                try await services.sessions.deleteAll(of: user.id, except: ClientSession.existing(in: request))
                let grants = try await services.tokens.grants(of: user.id, at: now)
                try await services.tokens.revokeAll(of: user.id)
                ended = others.count + grants.count
            } else if target.hasPrefix("grant:") {
                let family = String(target.dropFirst("grant:".count))
                guard try await services.tokens.grants(of: user.id, at: now).contains(where: { $0.family == family }) else {
                    throw ErrorCatalogue.notFound.because("no such grant of yours")
                }
                try await services.tokens.revokeFamily(family)
                ended = 1
            } else {
                guard try await services.sessions.end(target, of: user.id, at: now) else {
                    throw ErrorCatalogue.notFound.because("no such session of yours")
                }
                ended = 1
            }
        }
        let sessions = try await services.sessions.sessions(of: user.id, at: now).map { session -> [String: any Sendable] in
            ["id": session.id, "persistent": session.persistent, "created_at": Int(session.createdAt),
             "expires_at": Int(session.expiresAt), "current": session.id == current]
        }
        var grants: [[String: any Sendable]] = []
        for grant in try await services.tokens.grants(of: user.id, at: now) {
            let name = try await services.clients.client(grant.clientID)?.name ?? grant.clientID
            grants.append(["id": "grant:" + grant.family, "client_id": grant.clientID, "client_name": name,
                           "scope": OAuthScopes.text(grant.scopes), "created_at": Int(grant.createdAt)])
        }
        return Envelope.success(Envelope.apiURI(request), ["sessions": sessions, "grants": grants, "ended": ended])
    }
}
