/// What the audio captcha says for a challenge, as clip names: a code
/// character by character; a math question read as a question ("what is 49
/// plus 12", "四十九加十二等于几"). Hanzi challenges have no audio.
public enum SpokenChallenge {
    /// The clip names of `text` (a challenge's text) in `language`.
    public static func clips(for text: String, language: CaptchaLanguage) throws(CaptchaError) -> [String] {
        if text.hasSuffix("=?") { return try question(String(text.dropLast(2)), language: language) }
        var names: [String] = []
        for character in text.uppercased() {
            guard character.isASCII, character.isLetter || character.isNumber else {
                throw .invalidOption("the audio captcha speaks letters, digits and math questions, not \(character)")
            }
            names.append(String(character))
        }
        return names
    }

    static func question(_ expression: String, language: CaptchaLanguage) throws(CaptchaError) -> [String] {
        let operators: [(Character, String)] = [("+", "plus"), ("-", "minus"), ("×", "times")]
        guard let (symbol, word) = operators.first(where: { expression.contains($0.0) }) else {
            throw .invalidOption("not a math question: \(expression)")
        }
        let parts = expression.split(separator: symbol).map { Int($0) }
        guard parts.count == 2, let a = parts[0], let b = parts[1], (0...99).contains(a), (0...99).contains(b) else {
            throw .invalidOption("not a math question: \(expression)")
        }
        switch language {
        case .english: return ["question"] + number(a, language) + [word] + number(b, language)
        case .mandarin: return number(a, language) + [word] + number(b, language) + ["question"]
        }
    }

    /// 0...99 as clips: "forty" "nine"; "四" "十" "九".
    static func number(_ value: Int, _ language: CaptchaLanguage) -> [String] {
        let tens = value / 10, units = value % 10
        switch language {
        case .english:
            if value < 20 { return [String(value)] }
            return [String(tens * 10)] + (units > 0 ? [String(units)] : [])
        case .mandarin:
            if value < 10 { return [String(value)] }
            return (tens > 1 ? [String(tens)] : []) + ["10"] + (units > 0 ? [String(units)] : [])
        }
    }
}
