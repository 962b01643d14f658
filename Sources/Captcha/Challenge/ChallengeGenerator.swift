/// Makes challenges: codes from a character set, small arithmetic questions,
/// and codes of common hanzi. The alphabet is prepared once, so making a
/// challenge costs a few random draws.
public struct ChallengeGenerator: Sendable {
    public let options: CaptchaOptions
    /// The distinct, non-blank characters codes are drawn from.
    public let alphabet: [Character]

    /// Codes have `options.length` characters, plus up to `extraLength` more
    /// (a style's variable length: a solver cannot count on the length).
    public let extraLength: Int

    public init(options: CaptchaOptions, extraLength: Int = 0) {
        self.options = options
        self.extraLength = max(0, extraLength)
        let source = options.useZh ? (options.zhSet ?? CommonHanzi.characters) : options.codeSet
        var seen = Set<Character>()
        alphabet = source.filter { !$0.isWhitespace && seen.insert($0).inserted }
    }

    /// A challenge of the kind the options ask for. The characters come from
    /// `random`, which should be a `CaptchaRandom()` (CSPRNG-seeded) in production.
    public func make(using random: inout CaptchaRandom) -> Challenge {
        if options.math { return Self.math(using: &random) }
        // randomElement draws without modulo bias.
        let length = options.length + (extraLength > 0 ? Int.random(in: 0...extraLength, using: &random) : 0)
        let text = String((0..<length).compactMap { _ in alphabet.randomElement(using: &random) })
        return Challenge(text: text, answer: text, kind: options.useZh ? .chinese : .code)
    }

    /// "a+b=?", "a-b=?" (never negative) or "a×b=?" (single digits), answers 0...99.
    public static func math(using random: inout CaptchaRandom) -> Challenge {
        switch Int.random(in: 0..<3, using: &random) {
        case 0:
            let a = Int.random(in: 1...49, using: &random), b = Int.random(in: 1...49, using: &random)
            return Challenge(text: "\(a)+\(b)=?", answer: String(a + b), kind: .math)
        case 1:
            let a = Int.random(in: 2...99, using: &random), b = Int.random(in: 1...a, using: &random)
            return Challenge(text: "\(a)-\(b)=?", answer: String(a - b), kind: .math)
        default:
            let a = Int.random(in: 2...9, using: &random), b = Int.random(in: 2...9, using: &random)
            return Challenge(text: "\(a)×\(b)=?", answer: String(a * b), kind: .math)
        }
    }
}
