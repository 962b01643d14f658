public import Foundation

/// A stored challenge: the keyed digest of its answer, never the answer.
public struct CaptchaRecord: Sendable, Equatable {
    public var digest: [UInt8]
    public var expiresAt: Date
    public var failedAttempts: Int
    /// A right answer was checked without using the challenge up (`flush`
    /// off, ThinkPHP's `reset=false`): one more use is left.
    public var checked: Bool
    /// The challenge's text sealed under the captcha secret (AES-GCM, bound to
    /// the slot), so that the audio captcha can speak the same challenge; no
    /// one reading the store can.
    public var sealedText: [UInt8]?

    public init(digest: [UInt8], expiresAt: Date, failedAttempts: Int = 0, checked: Bool = false, sealedText: [UInt8]? = nil) {
        self.digest = digest
        self.expiresAt = expiresAt
        self.failedAttempts = failedAttempts
        self.checked = checked
        self.sealedText = sealedText
    }
}

/// Where challenges wait for their answer. Implementations must make `take`
/// atomic: of several concurrent takes of one key, exactly one gets the record,
/// which is what makes a challenge single-use.
public protocol CaptchaStore: Sendable {
    /// Stores (or replaces) the challenge of `key`.
    func save(_ record: CaptchaRecord, for key: CaptchaKey) async throws(CaptchaError)
    /// The challenge of `key`, left in place; nil when there is none.
    func peek(_ key: CaptchaKey) async throws(CaptchaError) -> CaptchaRecord?
    /// Removes and returns the challenge of `key`.
    func take(_ key: CaptchaKey) async throws(CaptchaError) -> CaptchaRecord?
    /// Counts a wrong answer; drops the challenge once `limit` wrong answers are reached.
    func recordFailure(_ key: CaptchaKey, limit: Int) async throws(CaptchaError)
    /// Marks the challenge of `key` as checked (see `CaptchaRecord.checked`).
    /// Atomic like `take`: true for the one call that marked it; false when it
    /// was marked already, or is gone.
    func markChecked(_ key: CaptchaKey) async throws(CaptchaError) -> Bool
}
