public import Captcha
import Disorder
import Foundation
public import Hummingbird
import HTTPTypes
import NIOPosix
import Raster

/// Section 2.5 of the spec: `Image/captcha`, `Image/captchaVerify`, `Image/disorder`.
public struct ImageRoutes: Sendable {
    let captcha: Captcha
    let maxBodySize: Int
    /// Session cookies carry `Secure`.
    let secureCookies: Bool
    /// The logged-in caller and their stored picture keys (`key_id`), when the
    /// server has accounts.
    let accounts: (authenticator: Authenticator, keys: DisorderKeyStore)?
    /// Tests only: fixes each captcha's seed so that its answer is known.
    let seeds: (@Sendable () -> UInt64?)?

    static let pragma = HTTPField.Name("Pragma")

    public init(
        captcha: Captcha, maxBodySize: Int, accounts: (authenticator: Authenticator, keys: DisorderKeyStore)? = nil,
        secureCookies: Bool = false, seeds: (@Sendable () -> UInt64?)? = nil
    ) {
        self.secureCookies = secureCookies
        self.captcha = captcha
        self.maxBodySize = maxBodySize
        self.accounts = accounts
        self.seeds = seeds
    }

    public func register<Context: RequestContext>(on router: Router<Context>) {
        for prefix in ["api", "apis"] {
            for method in [HTTPRequest.Method.get, .post] {
                router.on("\(prefix)/Image/captcha", method: method) { request, context in
                    try await self.captcha(request, context: context)
                }
                router.on("\(prefix)/Image/captchaVerify", method: method) { request, context in
                    try await self.verify(request, context: context)
                }
            }
            router.on("\(prefix)/Image/disorder", method: .post) { request, context in
                try await self.disorder(request, context: context)
            }
            router.on("\(prefix)/Image/disorderKey", method: .post) { request, context in
                try await self.newKey(request, context: context)
            }
            for action in ["disorder", "disorderKey"] {
                router.on("\(prefix)/Image/\(action)", method: .get) { _, _ -> Response in
                    throw ErrorCatalogue.postRequired
                }
            }
        }
    }

    /// The picture of a new challenge for (session, `id`), with no-cache headers.
    func captcha(_ request: Request, context: some RequestContext) async throws -> Response {
        let parameters = try await Parameters.read(request, context: context, maxBodySize: 64 << 10)
        let format: ImageFormat
        switch parameters["type"]?.lowercased() {
        case nil, "", "png": format = .png
        case "jpg", "jpeg": format = .jpeg
        case "bmp": format = .bmp
        default: throw ErrorCatalogue.validationFailed
        }
        let session = ClientSession.identify(request)
        let key = try slot(session.id, parameters["id"])
        let image: CaptchaImage
        do {
            image = try await captcha.generate(for: key, format: format, seed: seeds?())
        } catch {
            throw ErrorCatalogue.internalError
        }
        ServerMetrics.captchaGenerated(format: format.fileExtension)
        var headers: HTTPFields = [
            .contentType: image.mimeType, .cacheControl: "no-store, no-cache, must-revalidate, max-age=0", .expires: "0",
        ]
        if let pragma = Self.pragma { headers[pragma] = "no-cache" }  // for HTTP/1.0 caches
        var response = Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: image.bytes)))
        if session.isNew { response.setCookie(ClientSession.cookie(session.id, secure: secureCookies)) }
        return response
    }

    /// Checks `captcha` against the challenge of (session, `id`); `flush`
    /// (default yes) uses the challenge up whatever the answer.
    func verify(_ request: Request, context: some RequestContext) async throws -> Response {
        let parameters = try await Parameters.read(request, context: context, maxBodySize: 64 << 10)
        guard let session = ClientSession.existing(in: request) else { throw ErrorCatalogue.captchaVerificationFailed }
        let flush: Bool
        switch parameters["flush"]?.lowercased() {
        case nil, "", "yes", "true", "1": flush = true
        case "no", "false", "0": flush = false
        default: throw ErrorCatalogue.validationFailed
        }
        let passed = try await captcha.verify(parameters["captcha"], for: slot(session, parameters["id"]), flush: flush)
        ServerMetrics.captchaVerified(passed: passed, scenario: parameters["id"] ?? "")
        guard passed else { throw ErrorCatalogue.captchaVerificationFailed }
        return Envelope.success(Envelope.apiURI(request))
    }

    /// Scrambles (`action=encrypt`, the default) or restores (`action=decrypt`)
    /// the uploaded `image` with `key` (64 hex digits, base64 of 32 bytes, or a
    /// passphrase) or `key_id` (a key kept for the logged-in caller by
    /// `Image/disorderKey`); replies with the picture in its own format.
    func disorder(_ request: Request, context: some RequestContext) async throws -> Response {
        let parameters = try await Parameters.read(request, context: context, maxBodySize: maxBodySize)
        guard let upload = parameters.files["image"] ?? parameters.files.values.first, !upload.bytes.isEmpty else {
            throw ErrorCatalogue.validationFailed.because("a picture is required as the multipart file 'image'")
        }
        let key = try await disorderKey(request, parameters)
        let decrypt: Bool
        switch parameters["action"]?.lowercased() {
        case nil, "", "encrypt": decrypt = false
        case "decrypt": decrypt = true
        default: throw ErrorCatalogue.validationFailed.because("action must be encrypt or decrypt")
        }
        let output: [UInt8]
        do {
            // Whole pictures are CPU work: NIO's blocking pool, not the request's executor.
            let bytes = upload.bytes
            output = try await NIOThreadPool.singleton.runIfActive {
                decrypt ? try Disorder.unscramble(bytes, key: key) : try Disorder.scramble(bytes, key: key)
            }
            ServerMetrics.disorderJob(action: decrypt ? "decrypt" : "encrypt", succeeded: true)
        } catch {
            ServerMetrics.disorderJob(action: decrypt ? "decrypt" : "encrypt", succeeded: false)
            throw ErrorCatalogue.validationFailed.because("\(error)")
        }
        let format = ImageFormat.sniff(output) ?? .png
        return Response(
            status: .ok, headers: [.contentType: format.mimeType, .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: output)))
    }

    /// The key named by `key_id` (the caller's own) or given as `key`.
    func disorderKey(_ request: Request, _ parameters: Parameters) async throws -> DisorderKey {
        if let rawID = parameters["key_id"], !rawID.isEmpty {
            guard let accounts else { throw ErrorCatalogue.notFound.because("this server keeps no keys") }
            guard let id = Int(rawID) else { throw ErrorCatalogue.validationFailed.because("key_id must be a number") }
            let user = try await accounts.authenticator.requireUser(request)
            guard let key = try await accounts.keys.key(id, for: user.id) else {
                throw ErrorCatalogue.notFound.because("no key \(id) among yours")
            }
            return key
        }
        guard let text = parameters["key"], !text.isEmpty else {
            throw ErrorCatalogue.validationFailed.because("key or key_id is required")
        }
        do { return try DisorderKey(text: text) } catch { throw ErrorCatalogue.validationFailed.because("\(error)") }
    }

    /// Makes a random key kept for the logged-in caller (an addition to the
    /// spec): replies with `key_id` for `Image/disorder` and, this once, the key
    /// itself (64 hex digits) for the caller's own records and the CLI.
    func newKey(_ request: Request, context: some RequestContext) async throws -> Response {
        guard let accounts else { throw ErrorCatalogue.notFound.because("this server keeps no keys") }
        let user = try await accounts.authenticator.requireUser(request)
        let created = try await accounts.keys.create(for: user.id, at: Date())
        return Envelope.success(Envelope.apiURI(request), ["key_id": created.id, "key": created.key])
    }

    func slot(_ session: String, _ scenario: String?) throws -> CaptchaKey {
        do {
            return try CaptchaKey(client: session, scenario: scenario ?? "")
        } catch {
            throw ErrorCatalogue.validationFailed
        }
    }
}
