/// Makes challenges: codes from a character set, small arithmetic questions,
/// and codes of common hanzi.
public enum ChallengeGenerator {
    /// A challenge of the kind `options` ask for. The characters come from
    /// `random`, which should be a `CaptchaRandom()` (CSPRNG-seeded) in production.
    public static func make(_ options: CaptchaOptions, using random: inout CaptchaRandom) -> Challenge {
        if options.math { return math(using: &random) }
        if options.useZh { return code(from: options.zhSet ?? CommonHanzi.characters, length: options.length, kind: .chinese, using: &random) }
        return code(from: options.codeSet, length: options.length, kind: .code, using: &random)
    }

    /// `length` characters drawn uniformly (without modulo bias) from `set`;
    /// whitespace and repeated characters in the set do not count twice.
    public static func code(from set: String, length: Int, kind: Challenge.Kind = .code, using random: inout CaptchaRandom) -> Challenge {
        var seen = Set<Character>()
        let alphabet = set.filter { !$0.isWhitespace && seen.insert($0).inserted }
        let characters = (0..<length).compactMap { _ in alphabet.randomElement(using: &random) }
        let text = String(characters)
        return Challenge(text: text, answer: text, kind: kind)
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
