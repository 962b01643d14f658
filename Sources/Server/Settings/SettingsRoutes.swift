import Captcha
import Foundation
import Hummingbird
import HTTPTypes

/// Section 2.2.3 of the spec: `User/setAvatar`, `User/modifyBasicInfo`,
/// `User/modifyDetailInfo`, for the logged-in user; and the avatars at
/// `/avatars/<uid>/<size>.png`.
struct SettingsRoutes: Sendable {
    let services: Services
    var avatars: AvatarStore { services.avatars }
    var details: UserDetailStore { services.details }

    /// 2.2.3.5 (an addition): the caller's detail information, the ID number masked.
    func detailInfo(_ request: Request, _ user: User) async throws -> Response {
        let current = try await details.details(of: user.id)
        return Envelope.success(Envelope.apiURI(request), ["details": current.payload])
    }

    // MARK: 2.2.3.1 avatar

    func setAvatar(_ user: User, _ parameters: Parameters) async throws -> [String: any Sendable] {
        guard let upload = parameters.files["avatar"], !upload.bytes.isEmpty else {
            throw ErrorCatalogue.avatarUploadFailed.because("the picture is required as the multipart file 'avatar'")
        }
        let renditions: [(size: Int, png: [UInt8])]
        do {
            renditions = try await AvatarStore.render(upload.bytes, on: services.heavyWork)
        } catch let busy as RetryAfter {
            throw busy
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
        return ConditionalGet.reply(
            ByteBuffer(bytes: stored.png), etag: stored.etag, headers: [.contentType: "image/png", .cacheControl: "public, max-age=300"],
            to: request)
    }

    // MARK: 2.2.3.2 basic information

    /// Behind a captcha: a new password (with `confirm`; 202304 when it is the
    /// current one; every other session and OAuth token ends), `nickname`
    /// (202005), `email` (202003; unconfirmed until its code is entered, which
    /// is sent), `phone` (202004). A new password or e-mail address also needs
    /// the current `password` (an addition to the spec, ASVS 2.1.6; wrong ones
    /// count as failed logins), and the account's address is told of it.
    func modifyBasicInfo(
        _ request: Request, _ context: ServerRequestContext, _ user: User, _ parameters: Parameters
    ) async throws -> Response {
        try await services.captchaSlot.require(request, context, parameters)
        let changesPassword = parameters["newpassword"].map { !$0.isEmpty } ?? false
        let changesEmail = parameters["email"].map { !$0.isEmpty && AccountRules.key($0.trimmingCharacters(in: .whitespaces)) != AccountRules.key(user.email) } ?? false
        if changesPassword || changesEmail {
            let address = services.clientAddress(request, context)
            try await services.passwordLogin.confirm(user, password: parameters["password"], address: address)
        }

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
            if try await services.users.isTaken(.nickname, nickname, byOtherThan: user.id) {
                throw ErrorCatalogue.nicknameExists
            }
            changes.nickname = nickname
        }
        if let raw = parameters["email"], !raw.isEmpty {
            let email = try AccountRules.email(raw)
            if AccountRules.key(email) != AccountRules.key(user.email) {
                if try await services.users.isTaken(.email, email, byOtherThan: user.id) {
                    throw ErrorCatalogue.emailExists
                }
                changes.email = email
            }
        }
        if let raw = parameters["phone"], !raw.isEmpty {
            let phone = try AccountRules.phone(raw)
            if try await services.users.isTaken(.phone, phone, byOtherThan: user.id) { throw ErrorCatalogue.phoneExists }
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
        if changes.passwordHash != nil || changes.email != nil {
            await noticeOfChange(to: user, password: changes.passwordHash != nil, newEmail: changes.email)
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

    /// An e-mail to the account's address as it was, so that its owner learns
    /// of a change they did not make (ASVS 3.3). Best effort: the change stands
    /// if the notice cannot be sent.
    func noticeOfChange(to user: User, password: Bool, newEmail: String?) async {
        var what: [String] = []
        if password { what.append("your password was changed, and every other session and app grant was ended") }
        if let newEmail { what.append("your e-mail address was changed to \(newEmail)") }
        let body = "Hello \(user.username),\n\nOn your upare account \(what.joined(separator: "; and ")).\n\n"
            + "If this was not you, sign in and change your password now, or reply to this message."
        try? await services.mailer.deliver(
            OutgoingMessage(medium: .email, recipient: user.email, subject: "Your upare account was changed", body: body))
    }

    // MARK: 2.2.3.3 detail information

    func modifyDetailInfo(_ request: Request, _ user: User, _ parameters: Parameters) async throws -> Response {
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
