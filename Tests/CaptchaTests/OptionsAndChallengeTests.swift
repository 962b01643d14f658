import Captcha
import Foundation
import Raster
import Testing
import TestSupport

@Suite("Options and challenges")
struct OptionsAndChallengeTests {
    @Test("defaults: 4 characters in 160x60, ThinkPHP's derivation of the size")
    func defaults() throws {
        let options = try CaptchaOptions().validated()
        #expect(options.width == 160 && options.height == 60)
        #expect(options.length == 4 && options.reset && !options.caseSensitive)
        var custom = CaptchaOptions()
        custom.fontSize = 25
        custom.length = 5
        #expect(custom.width == 150 && custom.height == 47)
        custom.imageW = 300
        #expect(custom.width == 300)
    }

    @Test("out-of-range options are refused with the option's name", arguments: [
        "imageW", "imageH", "fontSize", "length", "expire", "codeSet", "derived width", "bg",
    ])
    func clamping(_ name: String) {
        var options = CaptchaOptions()
        switch name {
        case "imageW": options.imageW = 1_000_000
        case "imageH": options.imageH = 5
        case "fontSize": options.fontSize = 500
        case "length": options.length = 0
        case "expire": options.expire = -1
        case "codeSet": options.codeSet = "aaaa"
        case "bg": options.bg = RGBA(128, 128, 128)
        default: options.length = 12; options.fontSize = 120
        }
        #expect {
            try options.validated()
        } throws: { error in
            guard case .invalidOption(let message)? = error as? CaptchaError else { return false }
            return message.hasPrefix(name)
        }
    }

    @Test("the default code set has no pair of confusable characters")
    func confusables() {
        let set = Set(CaptchaOptions().codeSet)
        let groups = ["0ODQ", "1IL", "5S", "8B", "6G", "2Z", "UV", "9G"]
        for group in groups {
            #expect(group.filter { set.contains($0) }.count <= 1, "more than one of \(group)")
        }
        #expect(set.allSatisfy { $0.isUppercase || $0.isNumber }, "no lower case: answers are case-insensitive")
    }

    @Test("codes use only the set, at the asked length, all characters reachable")
    func codes() {
        var options = CaptchaOptions()
        options.codeSet = "AB C\nAB"  // blanks and repeats do not count
        options.length = 6
        let generator = ChallengeGenerator(options: options)
        #expect(generator.alphabet == ["A", "B", "C"])
        var random = CaptchaRandom(seed: 1)
        var counts: [Character: Int] = [:]
        for _ in 0..<3000 {
            let challenge = generator.make(using: &random)
            #expect(challenge.text.count == 6 && challenge.answer == challenge.text && challenge.kind == .code)
            for c in challenge.text { counts[c, default: 0] += 1 }
        }
        #expect(Set(counts.keys) == ["A", "B", "C"])
        // Uniform: 6000 each, give or take a few percent.
        for count in counts.values { #expect(abs(count - 6000) < 400) }
    }

    @Test("math questions are right, small and never negative")
    func math() throws {
        var random = CaptchaRandom(seed: 2)
        var operators = Set<Character>()
        for _ in 0..<2000 {
            let challenge = ChallengeGenerator.math(using: &random)
            #expect(challenge.text.hasSuffix("=?"))
            let body = challenge.text.dropLast(2)
            let op = try #require(body.first { "+-×".contains($0) })
            operators.insert(op)
            let parts = body.split(separator: op).compactMap { Int($0) }
            #expect(parts.count == 2)
            let expected = op == "+" ? parts[0] + parts[1] : op == "-" ? parts[0] - parts[1] : parts[0] * parts[1]
            #expect(challenge.answer == String(expected))
            #expect((0...99).contains(expected))
        }
        #expect(operators == ["+", "-", "×"])
    }

    @Test("Chinese codes come from the common hanzi")
    func chinese() {
        var options = CaptchaOptions()
        options.useZh = true
        let generator = ChallengeGenerator(options: options)
        #expect(generator.alphabet.count >= 240)
        var random = CaptchaRandom(seed: 3)
        let challenge = generator.make(using: &random)
        #expect(challenge.kind == .chinese && challenge.text.count == 4)
        #expect(challenge.text.allSatisfy { CommonHanzi.unique.contains($0) })
    }

    @Test("a challenge's description does not give its answer away")
    func noLeak() {
        let challenge = Challenge(text: "K7PW", answer: "K7PW", kind: .code)
        #expect(!"\(challenge)".contains("K7PW"))
        #expect(!String(reflecting: CaptchaError.invalidOption("x")).contains("K7PW"))
    }

    @Test("seeded random sources repeat, system-seeded ones do not")
    func randomness() {
        var a = CaptchaRandom(seed: 7), b = CaptchaRandom(seed: 7)
        #expect((0..<10).map { _ in a.next() } == (0..<10).map { _ in b.next() })
        var c = CaptchaRandom(), d = CaptchaRandom()
        #expect(c.next() != d.next())
    }
}
