import Captcha
import Foundation
public import Hummingbird
import HTTPTypes

/// Section 2.2.3 of the spec: `User/setAvatar`, `User/modifyBasicInfo`,
/// `User/modifyDetailInfo`, for the logged-in user; and the avatars at
/// `/avatars/<uid>/<size>.png`.
public struct SettingsRoutes: Sendable {
    let services: UserRoutes.Services
    let authenticator: Authenticator
    let avatars: AvatarStore
    let details: UserDetailStore
    let maxBodySize: Int

    public init(userRoutes: UserRoutes, database: ServerDatabase, maxBodySize: Int) {
        services = userRoutes.services
        authenticator = userRoutes.authenticator
        avatars = AvatarStore(database: database)
        details = UserDetailStore(database: database, secret: userRoutes.services.secret)
        self.maxBodySize = maxBodySize
    }

    public func register(on router: Router<ServerRequestContext>) {
        for prefix in ["api", "apis"] {
            for action in ["setAvatar", "modifyBasicInfo", "modifyDetailInfo"] {
                router.on("\(prefix)/User/\(action)", method: .post) { request, context in
                    let limit = action == "setAvatar" ? maxBodySize : UserRoutes.maxBodySize
                    let parameters = try await Parameters.read(request, context: context, maxBodySize: limit)
                    switch action {
                    case "setAvatar":
                        return try await ResponseType.reply(request, parameters) { try await setAvatar(request, parameters) }
                    case "modifyBasicInfo": return try await modifyBasicInfo(request, parameters)
                    default: return try await modifyDetailInfo(request, parameters)
                    }
                }
                router.on("\(prefix)/User/\(action)", method: .get) { _, _ -> Response in throw ErrorCatalogue.postRequired }
            }
        }
        router.get("avatars/:uid/:file") { request, context in
            try await avatar(request, context)
        }
    }

    // MARK: 2.2.3.1 avatar

    func setAvatar(_ request: Request, _ parameters: Parameters) async throws -> [String: any Sendable] {
        let user = try await authenticator.requireUser(request)
        guard let upload = parameters.files["avatar"], !upload.bytes.isEmpty else {
            throw ErrorCatalogue.avatarUploadFailed.because("the picture is required as the multipart file 'avatar'")
        }
        let renditions: [(size: Int, png: [UInt8])]
        do {
            renditions = try await AvatarStore.render(upload.bytes)
        } catch {
            throw ErrorCatalogue.avatarUploadFailed.because("\(error)")
        }
        try await avatars.save(renditions, for: user.id, at: services.now())
        var urls: [String: any Sendable] = [:]
        for size in AvatarStore.sizes { urls[String(size)] = AvatarStore.url(of: user.id, size: size) }
        return ["avatar": urls]
    }

    func avatar(_ request: Request, _ context: some RequestContext) async throws -> Response {
        guard let uid = context.parameters.get("uid").flatMap(Int.init), let file = context.parameters.get("file"),
              file.hasSuffix(".png"), let size = Int(file.dropLast(4)), AvatarStore.sizes.contains(size),
              let stored = try await avatars.avatar(of: uid, size: size)
        else { throw ErrorCatalogue.notFound }
        var headers: HTTPFields = [.contentType: "image/png", .eTag: stored.etag, .cacheControl: "public, max-age=300"]
        if request.headers[.ifNoneMatch] == stored.etag {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: stored.png)))
    }

    // MARK: 2.2.3.2 basic information

    /// Behind a captcha: a new password (with `confirm`; 202304 when it is the
    /// current one; every other session and OAuth token ends), `nickname`
    /// (202005), `email` (202003; unconfirmed until its code is entered, which
    /// is sent), `phone` (202004).
    func modifyBasicInfo(_ request: Request, _ parameters: Parameters) async throws -> Response {
        let user = try await authenticator.requireUser(request)
        guard let client = ClientSession.existing(in: request),
              let key = try? CaptchaKey(client: client, scenario: parameters["id"] ?? ""),
              try await services.captcha.verify(parameters["captcha"], for: key, flush: true)
        else { throw ErrorCatalogue.invalidCaptcha }

        var changes = UserStore.BasicChanges()
        if let newPassword = parameters["newpassword"], !newPassword.isEmpty {
            guard parameters["confirm"] == newPassword else {
                throw ErrorCatalogue.validationFailed.because("confirm must repeat newpassword")
            }
            let password = try AccountRules.password(newPassword, username: user.username)
            if try await services.hasher.verify(password, against: services.users.passwordHash(of: user.id)) {
                throw ErrorCatalogue.samePassword
            }
            changes.passwordHash = try await services.hasher.hash(password)
        }
        if let raw = parameters["nickname"], !raw.isEmpty {
            let nickname = raw.trimmingCharacters(in: .whitespaces)
            guard (1...32).contains(nickname.count),
                  !nickname.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            else { throw ErrorCatalogue.validationFailed.because("nickname must be 1 to 32 characters") }
            if try await services.users.taken("nickname_key", AccountRules.key(nickname), byOtherThan: user.id) {
                throw ErrorCatalogue.nicknameExists
            }
            changes.nickname = nickname
        }
        if let raw = parameters["email"], !raw.isEmpty {
            let email = try AccountRules.email(raw)
            if AccountRules.key(email) != AccountRules.key(user.email) {
                if try await services.users.taken("email_key", AccountRules.key(email), byOtherThan: user.id) {
                    throw ErrorCatalogue.emailExists
                }
                changes.email = email
            }
        }
        if let raw = parameters["phone"], !raw.isEmpty {
            let phone = try AccountRules.phone(raw)
            if try await services.users.taken("phone", phone, byOtherThan: user.id) { throw ErrorCatalogue.phoneExists }
            changes.phone = phone
        }
        guard !changes.isEmpty else { throw ErrorCatalogue.validationFailed.because("nothing to change") }
        do {
            try await services.users.update(user.id, changes, at: services.now())
        } catch {
            throw ErrorCatalogue.updateUserFailed
        }
        if changes.passwordHash != nil {
            try await services.sessions.deleteAll(of: user.id, except: ClientSession.existing(in: request))
            try await services.tokens.revokeAll(of: user.id)
        }
        var codeSent = false
        if let email = changes.email {
            codeSent = (try? await services.codes.send(to: .email(email), via: services.mailer, at: services.now())) != nil
        }
        guard let updated = try await services.users.user(id: user.id) else { throw ErrorCatalogue.accountDoesNotExist }
        var payload = updated.payload
        if changes.email != nil { payload["code_sent"] = codeSent }
        return Envelope.success(Envelope.apiURI(request), payload)
    }

    // MARK: 2.2.3.3 detail information

    func modifyDetailInfo(_ request: Request, _ parameters: Parameters) async throws -> Response {
        let user = try await authenticator.requireUser(request)
        var current = try await details.details(of: user.id)
        try current.apply(parameters)
        do {
            try await details.save(current, for: user.id, at: services.now())
        } catch {
            throw ErrorCatalogue.updateUserFailed
        }
        return Envelope.success(Envelope.apiURI(request), ["details": current.payload])
    }
}
