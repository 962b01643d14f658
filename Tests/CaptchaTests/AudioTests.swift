import Captcha
import Foundation
import Testing
import TestSupport

@Suite("Audio captcha")
struct AudioTests {
    static let voices: VoiceLibrary = {
        do { return try VoiceLibrary.standard() } catch { fatalError("voices/ must load: \(error)") }
    }()

    @Test("WAV: what is encoded decodes to the same samples; other bytes are refused")
    func wav() {
        let samples: [Int16] = [0, 1, -1, 32767, -32768, 1234]
        let bytes = WAV.encode(samples, rate: 16000)
        #expect(bytes.count == 44 + 12)
        let decoded = WAV.decode(bytes)
        #expect(decoded?.samples == samples && decoded?.rate == 16000)
        #expect(WAV.decode(Array(bytes.prefix(40))) == nil)
        #expect(WAV.decode(Array("RIFF....WAVEjunk".utf8)) == nil)
    }

    @Test("codes are spelled; math questions are read as questions, in English and Mandarin")
    func spoken() throws {
        #expect(try SpokenChallenge.clips(for: "a3K7", language: .english) == ["A", "3", "K", "7"])
        #expect(try SpokenChallenge.clips(for: "49+12=?", language: .english) == ["question", "40", "9", "plus", "12"])
        #expect(try SpokenChallenge.clips(for: "7×8=?", language: .english) == ["question", "7", "times", "8"])
        #expect(try SpokenChallenge.clips(for: "49-12=?", language: .mandarin) == ["4", "10", "9", "minus", "10", "2", "question"])
        #expect(try SpokenChallenge.clips(for: "10+20=?", language: .mandarin) == ["10", "plus", "2", "10", "question"])
        #expect(throws: CaptchaError.self) { try SpokenChallenge.clips(for: "天地", language: .mandarin) }
    }

    @Test("every letter, digit, number 0...99 and math word has its clip in both languages")
    func clipsComplete() throws {
        for language in CaptchaLanguage.allCases {
            var names = (65...90).map { String(UnicodeScalar(UInt8($0))) } + (0...9).map(String.init)
            for a in 0...99 {
                names += try SpokenChallenge.clips(for: "\(a)+\(a)=?", language: language)
                names += try SpokenChallenge.clips(for: "\(a)-\(a)=?", language: language)
                names += try SpokenChallenge.clips(for: "\(a)×\(a)=?", language: language)
            }
            for name in Set(names) { #expect(Self.voices.clip(name, language) != nil, "\(language) \(name)") }
        }
    }

    @Test("the mix: a WAV a few seconds long, louder where the clips are, different every time")
    func mix() throws {
        var random = CaptchaRandom(seed: 5)
        let mixer = AudioMixer(voices: Self.voices)
        let first = try mixer.mix(["A", "3", "K", "7"], language: .english, using: &random)
        let second = try mixer.mix(["A", "3", "K", "7"], language: .english, using: &random)
        let decoded = try #require(WAV.decode(first))
        let seconds = Double(decoded.samples.count) / Double(decoded.rate)
        #expect(seconds > 2 && seconds < 8, "\(seconds) s")
        #expect(first != second)
        // Speech stands out of the babble: the loudest tenth of the track is far above the median.
        let levels = decoded.samples.map { abs(Int($0)) }.sorted()
        #expect(levels[levels.count * 9 / 10] > 3 * max(1, levels[levels.count / 2]))
        #expect(throws: CaptchaError.self) { try mixer.mix(["?"], language: .english, using: &random) }
    }

    @Test("Captcha.audio speaks the slot's own challenge, counts against its attempts, and needs a live challenge")
    func captchaAudio() async throws {
        let clock = ManualClock()
        var options = CaptchaOptions()
        options.reset = false
        options.maxAttempts = 2
        let captcha = try Captcha(options: options, fonts: TestFonts.library, now: clock.function)
        let key = try CaptchaKey(client: "audio", scenario: "login")
        #expect(try await captcha.audio(for: key, language: .english, voices: Self.voices) == nil, "nothing fetched yet")
        _ = try await captcha.generate(for: key, seed: 11)
        let answer = captchaAnswer(captcha, seed: 11)
        let spoken = try #require(try await captcha.audio(for: key, language: .english, voices: Self.voices))
        #expect(WAV.decode(spoken) != nil)
        #expect(try await captcha.audio(for: key, language: .mandarin, voices: Self.voices) != nil)
        #expect(try await !captcha.verify(answer, for: key, flush: false), "two plays used up the two attempts")
        _ = try await captcha.generate(for: key, seed: 12)
        _ = try await captcha.audio(for: key, language: .english, voices: Self.voices)
        #expect(try await captcha.verify(captchaAnswer(captcha, seed: 12), for: key), "one play leaves an attempt")
        _ = try await captcha.generate(for: key, seed: 13)
        clock.advance(1801)
        #expect(try await captcha.audio(for: key, language: .english, voices: Self.voices) == nil, "expired")
    }
}
