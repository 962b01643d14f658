import ConstantTime
public import Foundation
public import Raster

/// The captcha engine: generate a challenge for a slot, verify an answer
/// against it, reload it. Challenges live in a `CaptchaStore` as keyed digests.
///
///     let captcha = try Captcha(fonts: FontLibrary.standard())
///     let key = try CaptchaKey(client: sessionID, scenario: "login")
///     let image = try await captcha.generate(for: key)          // send image.bytes
///     let passed = try await captcha.verify(typedAnswer, for: key)
public struct Captcha: Sendable {
    public let renderer: CaptchaRenderer
    public var options: CaptchaOptions { renderer.options }
    private let secret: CaptchaSecret
    private let store: any CaptchaStore
    private let now: @Sendable () -> Date

    public init(
        options: CaptchaOptions = CaptchaOptions(), fonts: FontLibrary, style: CaptchaStyle? = nil,
        secret: CaptchaSecret = CaptchaSecret(), store: any CaptchaStore = MemoryCaptchaStore(),
        now: @escaping @Sendable () -> Date = Date.init
    ) throws(CaptchaError) {
        renderer = try CaptchaRenderer(options: options, fonts: fonts, style: style)
        self.secret = secret
        self.store = store
        self.now = now
    }

    /// A new challenge for `key`, replacing any earlier one, as an encoded picture.
    /// `seed` makes the picture and its answer reproducible (tests only).
    public func generate(for key: CaptchaKey, format: ImageFormat = .png, seed: UInt64? = nil) async throws(CaptchaError) -> CaptchaImage {
        var random = seed.map(CaptchaRandom.init(seed:)) ?? CaptchaRandom()
        let challenge = renderer.challenges.make(using: &random)
        let image = try renderer.render(challenge, using: &random).encoded(as: format)
        let record = CaptchaRecord(
            digest: secret.digest(answer: challenge.answer, slot: key.slot, caseSensitive: options.caseSensitive),
            expiresAt: now().addingTimeInterval(TimeInterval(options.expire)),
            sealedText: secret.seal(challenge.text, slot: key.slot))
        try await store.save(record, for: key)
        return image
    }

    /// The current challenge of `key` spoken in `language`, as WAV bytes
    /// (`voices` mixes it): the same challenge as its picture, so a person may
    /// answer either. Each request counts as a wrong answer against the
    /// attempt cap, so the recording cannot be fetched without end; nil when
    /// the slot has no live challenge.
    public func audio(for key: CaptchaKey, language: CaptchaLanguage, voices: VoiceLibrary) async throws(CaptchaError) -> [UInt8]? {
        guard let record = try await store.peek(key), record.expiresAt > now(),
              let sealed = record.sealedText, let text = secret.open(sealed, slot: key.slot)
        else { return nil }
        guard !options.useZh else { throw .invalidOption("Chinese-character captchas have no audio") }
        try await store.recordFailure(key, limit: options.maxAttempts)
        var random = CaptchaRandom()
        return try AudioMixer(voices: voices).mix(SpokenChallenge.clips(for: text, language: language), language: language, using: &random)
    }

    /// dchest's Reload: a fresh challenge in the same slot (the old one is gone).
    public func reload(for key: CaptchaKey, format: ImageFormat = .png) async throws(CaptchaError) -> CaptchaImage {
        try await generate(for: key, format: format)
    }

    /// Whether `answer` solves the challenge of `key`.
    ///
    /// With `flush` (the API's parameter; `options.reset` when nil) every attempt,
    /// right or wrong, uses the challenge up. Without it (ThinkPHP's
    /// `reset=false`) a wrong answer keeps the challenge for another try, up to
    /// `options.maxAttempts` wrong answers, and a right one keeps it for one
    /// later use within its expiry: the page's pre-check, then the form's
    /// submit. So a challenge passes at most twice, and only the second pass can
    /// follow a flushless one. Empty answers, unknown slots and expired
    /// challenges never pass.
    public func verify(_ answer: String?, for key: CaptchaKey, flush: Bool? = nil) async throws(CaptchaError) -> Bool {
        let given = secret.digest(answer: answer ?? "", slot: key.slot, caseSensitive: options.caseSensitive)
        let isEmpty = AnswerNormalizer.normalize(answer ?? "", caseSensitive: true).isEmpty
        if flush ?? options.reset {
            guard let record = try await store.take(key) else { return false }
            return !isEmpty && record.expiresAt > now() && ConstantTime.equal(record.digest, given)
        }
        guard let record = try await store.peek(key) else { return false }
        guard record.expiresAt > now() else {
            _ = try await store.take(key)
            return false
        }
        guard !isEmpty, ConstantTime.equal(record.digest, given) else {
            try await store.recordFailure(key, limit: options.maxAttempts)
            return false
        }
        // The first right answer without flush marks the challenge and leaves it.
        if try await store.markChecked(key) { return true }
        // A marked one is used up by this answer: of concurrent ones, only the
        // answer that removes the record passes.
        guard let taken = try await store.take(key) else { return false }
        return ConstantTime.equal(taken.digest, given)
    }
}
