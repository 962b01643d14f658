import Captcha
import Foundation
import Raster
import Testing
import TestSupport

@Suite("Styles and difficulty")
struct StyleTests {
    static let secretA = Array("a deployment secret of more than thirty-two bytes".utf8)
    static let secretB = Array("another deployment's secret, also long enough!!".utf8)

    /// The numbers of a style that a key moves, side by side.
    static func parameters(_ style: CaptchaStyle) -> [Double] {
        [style.hollowShare, style.localWarp, style.wave, style.crowding.lowerBound, style.crowding.upperBound,
         style.rotation, style.shear, style.texture, style.hues.lowerBound] + style.faces.map(Double.init)
    }

    @Test("the same secret always gives the same style")
    func keyedIsStable() {
        for difficulty in CaptchaDifficulty.allCases {
            #expect(CaptchaStyle.keyed(secret: Self.secretA, difficulty: difficulty, faceCount: 4)
                == CaptchaStyle.keyed(secret: Self.secretA, difficulty: difficulty, faceCount: 4))
        }
    }

    @Test("two secrets give measurably different styles, both away from the public preset")
    func keyedDiffers() {
        let a = CaptchaStyle.keyed(secret: Self.secretA, difficulty: .normal, faceCount: 4)
        let b = CaptchaStyle.keyed(secret: Self.secretB, difficulty: .normal, faceCount: 4)
        let preset = CaptchaStyle.preset(.normal)
        let differing = zip(Self.parameters(a), Self.parameters(b)).filter { abs($0 - $1) > 0.01 }.count
        #expect(differing >= 5, "only \(differing) parameters differ")
        #expect(a != preset && b != preset)
        // Over many keys, the parameters spread out rather than clustering.
        let hues = (0..<64).map { k in
            CaptchaStyle.keyed(secret: Array("key number \(k) of the spread test, long enough".utf8),
                               difficulty: .normal, faceCount: 4).hues.lowerBound
        }
        #expect((hues.max() ?? 0) - (hues.min() ?? 0) > 200)
    }

    @Test("a keyed style never shows its secret: not in the pictures, not in the style")
    func secretNeverAppears() throws {
        let style = CaptchaStyle.keyed(secret: Self.secretA, difficulty: .normal, faceCount: TestFonts.library.faces.count)
        let renderer = try CaptchaRenderer(options: CaptchaOptions(), fonts: TestFonts.library, style: style)
        let needle = Array(Self.secretA.prefix(12))
        for seed in 0..<20 as Range<UInt64> {
            var random = CaptchaRandom(seed: seed)
            let challenge = renderer.challenges.make(using: &random)
            for format in ImageFormat.allCases {
                let bytes = try renderer.render(challenge, using: &random).encoded(as: format).bytes
                #expect(bytes.firstRange(of: needle) == nil)
            }
        }
        #expect(!String(describing: style).contains("deployment"))
    }

    @Test("overrides change one parameter at a time and refuse nonsense")
    func overrides() throws {
        let base = CaptchaStyle.preset(.normal)
        let changed = try base.applying(overrides: "hollow=0.5,fragments=1-2,crowding=0.8-0.9,extra=0")
        #expect(changed.hollowShare == 0.5 && changed.fragments == 1...2 && changed.crowding == 0.8...0.9)
        #expect(changed.extraLength == 0 && changed.localWarp == base.localWarp)
        for bad in ["hollow", "colour=1", "hollow=x", "fragments=3-1", "crowding=0.1-0.2", "fragments=40", "hollow=-1"] {
            #expect(throws: CaptchaError.self, "\(bad)") { try base.applying(overrides: bad) }
        }
    }
}

@Suite("Difficulty presets")
struct PresetTests {
    /// Statistics of 40 seeded renders of one preset.
    struct Statistics {
        var inkFraction: Double  // pixels at least half ink
        var textSpan: Double  // columns between the first and last of the text (noise and curves off)
        var textRows: Double  // rows the text covers
        var worstContrast: Double  // of the ink against the background
        var meanLength: Double  // glyphs per code
    }

    static func statistics(_ difficulty: CaptchaDifficulty) throws -> Statistics {
        var options = CaptchaOptions()
        options.difficulty = difficulty
        let busy = try CaptchaRenderer(options: options, fonts: TestFonts.library)
        options.useNoise = false
        options.useCurve = false
        let bare = try CaptchaRenderer(options: options, fonts: TestFonts.library)
        var ink = 0.0, span = 0.0, rows = 0.0, contrast = 99.0, length = 0.0
        let seeds = 0..<40 as Range<UInt64>
        for seed in seeds {
            var random = CaptchaRandom(seed: seed)
            let challenge = busy.challenges.make(using: &random)
            length += Double(challenge.text.count)
            guard case .indexed(let picture) = busy.render(challenge, using: &random) else { continue }
            ink += Double(picture.indices.filter { Int($0) * 2 >= picture.palette.count }.count) / Double(picture.indices.count)
            if let first = picture.palette.first, let last = picture.palette.last {
                contrast = min(contrast, first.contrastRatio(with: last))
            }
            var bareRandom = CaptchaRandom(seed: seed)
            let again = bare.challenges.make(using: &bareRandom)
            guard case .indexed(let text) = bare.render(again, using: &bareRandom) else { continue }
            var columns = Set<Int>(), inkRows = Set<Int>()
            for (i, index) in text.indices.enumerated() where Int(index) * 2 >= text.palette.count {
                columns.insert(i % text.width)
                inkRows.insert(i / text.width)
            }
            span += Double((columns.max() ?? 0) - (columns.min() ?? 0))
            rows += Double(inkRows.count)
        }
        let n = Double(seeds.count)
        return Statistics(inkFraction: ink / n, textSpan: span / n, textRows: rows / n, worstContrast: contrast,
                          meanLength: length / n)
    }

    /// The figures of each preset when they were last designed and measured
    /// (docs/captcha-strength.md). A change to the rendering that moves one by
    /// more than its tolerance is a change to what was measured: measure again
    /// with scripts/solver-check, then update these.
    static let golden: [CaptchaDifficulty: Statistics] = [
        .easy: Statistics(inkFraction: 0.2366, textSpan: 110.4, textRows: 41.1, worstContrast: 7, meanLength: 4),
        .normal: Statistics(inkFraction: 0.2248, textSpan: 106.6, textRows: 42.1, worstContrast: 7, meanLength: 4),
        .hard: Statistics(inkFraction: 0.2268, textSpan: 145.2, textRows: 48.8, worstContrast: 7, meanLength: 4.55),
    ]

    @Test("golden statistics of each preset", arguments: CaptchaDifficulty.allCases)
    func goldenStatistics(_ difficulty: CaptchaDifficulty) throws {
        let measured = try Self.statistics(difficulty)
        let expected = try #require(Self.golden[difficulty])
        let report = "\(difficulty): \(measured)"
        #expect(abs(measured.inkFraction - expected.inkFraction) <= expected.inkFraction * 0.08, "\(report)")
        #expect(abs(measured.textSpan - expected.textSpan) <= expected.textSpan * 0.05, "\(report)")
        #expect(abs(measured.textRows - expected.textRows) <= expected.textRows * 0.05, "\(report)")
        #expect(measured.worstContrast >= 7, "\(report)")
        #expect(abs(measured.meanLength - expected.meanLength) <= 0.35, "\(report)")
    }

    @Test("the presets differ as designed: normal cuts ink away, hard adds fragments and a fifth glyph")
    func ordering() throws {
        let easy = try Self.statistics(.easy), normal = try Self.statistics(.normal), hard = try Self.statistics(.hard)
        #expect(normal.inkFraction < easy.inkFraction)  // the cut erases strokes
        #expect(hard.textSpan > normal.textSpan + 20)  // cut glyphs at both ends of the line
        #expect(easy.meanLength == 4 && normal.meanLength == 4 && hard.meanLength > 4.2)
    }

    @Test("every preset, public or keyed, passes the verification round trip", arguments: CaptchaDifficulty.allCases)
    func verification(_ difficulty: CaptchaDifficulty) async throws {
        var options = CaptchaOptions()
        options.difficulty = difficulty
        for style in [nil, CaptchaStyle.keyed(secret: StyleTests.secretA, difficulty: difficulty, faceCount: 4)] {
            let captcha = try Captcha(options: options, fonts: TestFonts.library, style: style)
            let key = try CaptchaKey(client: "client", scenario: "login")
            for seed in 1...5 as ClosedRange<UInt64> {
                let image = try await captcha.generate(for: key, seed: seed)
                #expect(image.bytes.count <= 2000, "\(difficulty): \(image.bytes.count) bytes")
                let answer = captchaAnswer(captcha, seed: seed)
                #expect(try await captcha.verify("wrong", for: key) == false)
                _ = try await captcha.generate(for: key, seed: seed)
                #expect(try await captcha.verify(answer.lowercased(), for: key))
                #expect(try await captcha.verify(answer, for: key) == false)  // used once
            }
        }
    }
}
