import Captcha
import Disorder
import Foundation
import Hummingbird
import HTTPTypes
import NIOPosix
import Raster

/// Section 2.5 of the spec: `Image/captcha`, `Image/captchaVerify`, `Image/disorder`.
struct ImageRoutes: Sendable {
    let captchas: CaptchaScenarios
    let maxBodySize: Int
    /// Session cookies carry `Secure`.
    let secureCookies: Bool
    /// The signed-in caller's stored picture keys (`key_id`).
    let keys: DisorderKeyStore
    let heavyWork: HeavyWork
    /// Passphrases cost a scrypt each: limited per client address.
    let passphraseLimit: (limiter: RateLimiter, limit: RateLimiter.Limit, trustedProxies: Set<String>)?
    /// The largest picture `Image/disorder` takes, checked before decoding.
    let pictureLimits: DecodeLimits
    let authenticator: Authenticator
    let slots: CaptchaSlot
    let tokens: CaptchaTokens
    let proofOfWork: ProofOfWork
    let voices: VoiceLibrary
    let now: @Sendable () -> Date
    /// Tests only: fixes each captcha's seed so that its answer is known.
    let seeds: (@Sendable () -> UInt64?)?

    init(services: Services, authenticator: Authenticator, seeds: (@Sendable () -> UInt64?)? = nil) {
        self.authenticator = authenticator
        slots = services.captchaSlot
        tokens = services.captchaTokens
        proofOfWork = services.proofOfWork
        voices = services.voices
        now = services.now
        let configuration = services.configuration
        captchas = services.captchas
        maxBodySize = configuration.maxBodySize
        secureCookies = configuration.secureCookies
        keys = services.disorderKeys
        heavyWork = services.heavyWork
        passphraseLimit = configuration.rateLimits.enabled
            ? (services.rateLimiter, configuration.rateLimits.passphrase, configuration.trustedProxies) : nil
        pictureLimits = configuration.disorderLimits
        self.seeds = seeds
    }

    /// The picture of a new challenge for (session, `id`), with no-cache
    /// headers; or, asked for JSON (`response_type=json`, or `Accept:
    /// application/json`), the envelope with a `captcha_token` for the
    /// challenge, the picture as a data URI and `expires_in`, and no cookie.
    func captcha(_ request: Request, _ context: ServerRequestContext, _ parameters: Parameters) async throws -> Response {
        let format: ImageFormat
        switch parameters["type"]?.lowercased() {
        case nil, "", "png": format = .png
        case "jpg", "jpeg": format = .jpeg
        case "bmp": format = .bmp
        default: throw ErrorCatalogue.validationFailed.because("type must be png, jpg or bmp")
        }
        if Self.wantsJSON(request, parameters) { return try await tokenCaptcha(request, context, parameters, format: format) }
        let session = ClientSession.identify(request)
        let image = try await challenge(for: CaptchaSlot.key(session: session.id, scenario: parameters["id"]), format: format)

        var headers: HTTPFields = [
            .contentType: image.mimeType, .cacheControl: "no-store, no-cache, must-revalidate, max-age=0", .expires: "0",
        ]
        headers[.pragma] = "no-cache"
        var response = Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: image.bytes)))
        if session.isNew { response.setCookie(ClientSession.cookie(session.id, secure: secureCookies)) }
        return response
    }

    /// A picture of the default options drawn at `difficulty` (easy, normal or
    /// hard) in this deployment's style, for the demo's presets page: no
    /// challenge is kept, so it answers nothing.
    func sample(_ parameters: Parameters) throws -> Response {
        let name = parameters["difficulty"]?.lowercased() ?? ""
        guard let difficulty = name.isEmpty ? .normal : CaptchaDifficulty(rawValue: name),
              let renderer = captchas.samples[difficulty]
        else { throw ErrorCatalogue.validationFailed.because("difficulty must be easy, normal or hard") }
        var random = CaptchaRandom()
        let image: CaptchaImage
        do {
            image = try renderer.render(renderer.challenges.make(using: &random), using: &random).encoded(as: .png)
        } catch {
            throw ErrorCatalogue.internalError
        }
        return Response(
            status: .ok, headers: [.contentType: image.mimeType, .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: image.bytes)))
    }

    /// A new challenge in `key`'s slot, as a picture; counted in the metrics.
    func challenge(for key: CaptchaKey, format: ImageFormat) async throws -> CaptchaImage {
        let image: CaptchaImage
        do {
            image = try await captchas.captcha(for: key.scenario).generate(for: key, format: format, seed: seeds?())
        } catch {
            throw ErrorCatalogue.internalError
        }
        ServerMetrics.captchaGenerated(format: format.fileExtension)
        return image
    }

    /// `response_type=json`, or an `Accept` that names JSON and no picture type.
    static func wantsJSON(_ request: Request, _ parameters: Parameters) -> Bool {
        switch parameters["response_type"]?.lowercased() {
        case "json": return true
        case nil, "": break
        default: return false
        }
        let accept = request.headers[.accept]?.lowercased() ?? ""
        return accept.contains("application/json") && !accept.contains("image/")
    }

    /// A challenge in a slot of its own, named by a signed `captcha_token`;
    /// `pow_required` says whether its answer must come with a proof of work
    /// (`Image/pow`) from this address now, so that a widget can start one.
    func tokenCaptcha(
        _ request: Request, _ context: ServerRequestContext, _ parameters: Parameters, format: ImageFormat
    ) async throws -> Response {
        let scenario = parameters["id"] ?? ""
        let lifetime = captchas.captcha(for: scenario).options.expire
        let (token, key) = try tokens.issue(scenario: scenario, expiresAt: now().addingTimeInterval(TimeInterval(lifetime)))
        let image = try await challenge(for: key, format: format)
        var response = Envelope.success(Envelope.apiURI(request), [
            "captcha_token": token, "expires_in": lifetime,
            "image": image.dataURI,
            "pow_required": slots.work(scenario: scenario, address: ClientAddress.of(request, context: context, trustedProxies: slots.trustedProxies)) > 0,
        ])
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// The current challenge of the slot (`captcha_token`, or the session and
    /// `id`) spoken in `lang` (en, the default, or zh) as WAV: the same
    /// challenge as its picture. Each request counts against its attempt cap.
    func audio(_ request: Request, _ parameters: Parameters) async throws -> Response {
        let language: CaptchaLanguage
        switch parameters["lang"]?.lowercased() {
        case nil, "", "en": language = .english
        case "zh", "cmn": language = .mandarin
        default: throw ErrorCatalogue.validationFailed.because("lang must be en or zh")
        }
        guard let key = try slots.key(request, parameters) else {
            throw ErrorCatalogue.notFound.because("no captcha to speak: fetch Image/captcha first (with its cookie or captcha_token)")
        }
        let spoken: [UInt8]?
        do {
            spoken = try await captchas.captcha(for: key.scenario).audio(for: key, language: language, voices: voices)
        } catch {
            throw ErrorCatalogue.validationFailed.because("\(error)")
        }
        guard let spoken else {
            throw ErrorCatalogue.notFound.because("no live captcha to speak: it was used, expired, or never fetched")
        }
        var headers: HTTPFields = [.contentType: "audio/wav", .cacheControl: "no-store"]
        headers[.pragma] = "no-cache"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: spoken)))
    }

    /// A proof-of-work challenge (ALTCHA v1): its keys at the top level of the
    /// envelope, where the widget's `challengeurl` reads them.
    func pow(_ request: Request, _ context: ServerRequestContext, _ parameters: Parameters) async throws -> Response {
        let work = slots.work(request, context, scenario: parameters["id"] ?? "")
        var response = Envelope.success(Envelope.apiURI(request), try await proofOfWork.issue(work: work))
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// Checks an ALTCHA solution payload (`altcha`) alone and uses it up.
    func powVerify(_ request: Request, _ parameters: Parameters) async throws -> Response {
        if let refusal = try await proofOfWork.refusal(of: parameters["altcha"]) {
            throw ErrorCatalogue.captchaVerificationFailed.because(refusal)
        }
        return Envelope.success(Envelope.apiURI(request))
    }

    /// Checks `captcha` against the challenge of `captcha_token`, or of
    /// (session, `id`); `flush` (default yes) uses the challenge up whatever the
    /// answer, `flush=no` keeps it after a wrong answer (up to the cap) and
    /// after a right one for one later use.
    func verify(_ request: Request, _ context: ServerRequestContext, _ parameters: Parameters) async throws -> Response {
        let flush: Bool
        switch parameters["flush"]?.lowercased() {
        case nil, "", "yes", "true", "1": flush = true
        case "no", "false", "0": flush = false
        default: throw ErrorCatalogue.validationFailed.because("flush must be yes or no")
        }
        let passed = try await slots.check(request, context, parameters, flush: flush)
        ServerMetrics.captchaVerified(passed: passed, scenario: parameters["id"] ?? "")
        guard passed else { throw ErrorCatalogue.captchaVerificationFailed }
        return Envelope.success(Envelope.apiURI(request))
    }

    /// Scrambles (`action=encrypt`, the default) or restores (`action=decrypt`)
    /// the uploaded `image` with `key` (64 hex digits, base64 of 32 bytes, or a
    /// passphrase) or `key_id` (a key kept for the logged-in caller by
    /// `Image/disorderKey`); replies with the picture in its own format.
    func disorder(_ request: Request, _ context: ServerRequestContext, _ parameters: Parameters) async throws -> Response {
        guard let upload = parameters.files["image"] ?? parameters.files.values.first, !upload.bytes.isEmpty else {
            throw ErrorCatalogue.validationFailed.because("a picture is required as the multipart file 'image'")
        }
        let decrypt: Bool
        switch parameters["action"]?.lowercased() {
        case nil, "", "encrypt": decrypt = false
        case "decrypt": decrypt = true
        default: throw ErrorCatalogue.validationFailed.because("action must be encrypt or decrypt")
        }
        let key = try await disorderKey(request, context, parameters)
        let output: [UInt8]
        do {
            let bytes = upload.bytes, limits = pictureLimits
            output = try await heavyWork.run {
                var options = DisorderOptions()
                options.limits = limits
                // Heavy work is bounded by jobs, one core each.
                options.threads = 1
                return decrypt
                    ? try Disorder.unscramble(bytes, key: key, options: options) : try Disorder.scramble(bytes, key: key, options: options)
            }
            ServerMetrics.disorderJob(action: decrypt ? "decrypt" : "encrypt", succeeded: true)
        } catch let busy as RetryAfter {
            throw busy
        } catch {
            ServerMetrics.disorderJob(action: decrypt ? "decrypt" : "encrypt", succeeded: false)
            throw ErrorCatalogue.validationFailed.because("\(error)")
        }
        let format = ImageFormat.sniff(output) ?? .png
        return Response(
            status: .ok, headers: [.contentType: format.mimeType, .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: output)))
    }

    /// The key named by `key_id` (the signed-in caller's own: session only) or
    /// given as `key`; a passphrase is stretched by scrypt as heavy work, within
    /// the client's passphrase rate.
    func disorderKey(_ request: Request, _ context: ServerRequestContext, _ parameters: Parameters) async throws -> DisorderKey {
        if let rawID = parameters["key_id"], !rawID.isEmpty {
            guard let id = Int(rawID) else { throw ErrorCatalogue.validationFailed.because("key_id must be a number") }
            let user = try await authenticator.requireUser(request, policy: .session)
            guard let key = try await keys.key(id, for: user.id) else {
                throw ErrorCatalogue.notFound.because("no key \(id) among yours")
            }
            return key
        }
        guard let text = parameters["key"], !text.isEmpty else {
            throw ErrorCatalogue.validationFailed.because("key or key_id is required")
        }
        guard DisorderKey.isPassphrase(text) else {
            do { return try DisorderKey(text: text) } catch { throw ErrorCatalogue.validationFailed.because("\(error)") }
        }
        if let passphraseLimit {
            let client = ClientAddress.of(request, context: context, trustedProxies: passphraseLimit.trustedProxies)
            if let wait = passphraseLimit.limiter.take("passphrase", client: client, limit: passphraseLimit.limit) {
                throw RetryAfter(error: ErrorCatalogue.rateLimited.because("passphrase keys are limited; use a 64-hex-digit key"),
                                 seconds: Int(wait.rounded(.up)))
            }
        }
        do {
            return try await heavyWork.run { try DisorderKey(text: text) }
        } catch let busy as RetryAfter {
            throw busy
        } catch {
            throw ErrorCatalogue.validationFailed.because("\(error)")
        }
    }

    /// Makes a random key kept for the signed-in caller (an addition to the
    /// spec): replies with `key_id` for `Image/disorder` and, this once, the key
    /// itself (64 hex digits) for the caller's own records and the CLI.
    func newKey(_ request: Request, _ user: User) async throws -> Response {
        let created = try await keys.create(for: user.id, at: now())
        return Envelope.success(Envelope.apiURI(request), ["key_id": created.id, "key": created.key])
    }
}
