/// What a captcha asks: the text drawn and the answer expected. The answer never
/// leaves the engine except as a keyed digest; `description` hides it.
public struct Challenge: Sendable, Equatable, CustomStringConvertible {
    /// The characters drawn, in order (a code, a question such as "3+7=?", or hanzi).
    public let text: String
    /// What a person must type.
    public let answer: String

    public enum Kind: Sendable, Equatable {
        case code
        case math
        case chinese
    }

    public let kind: Kind

    public init(text: String, answer: String, kind: Kind) {
        self.text = text
        self.answer = answer
        self.kind = kind
    }

    public var description: String { "Challenge(\(kind), \(text.count) glyphs)" }
}
