import Captcha
import Foundation
import Raster
import Testing
import TestSupport

@Suite("Stateless tokens")
struct StatelessTests {
    static let secret = try! CaptchaSecret(bytes: Array(repeating: 9, count: 32))

    static func make(clock: ManualClock = ManualClock()) throws -> StatelessCaptcha {
        try StatelessCaptcha(fonts: TestFonts.library, secret: secret, usedTokens: MemoryUsedTokenRegistry(now: clock.function), now: clock.function)
    }

    static func answer(_ captcha: StatelessCaptcha, seed: UInt64) -> String {
        var random = CaptchaRandom(seed: seed)
        return captcha.renderer.challenges.make(using: &random).answer
    }

    @Test("a token verifies its answer once, on any server with the secret")
    func roundTrip() async throws {
        let clock = ManualClock()
        let issuer = try Self.make(clock: clock)
        let (image, token) = try issuer.generate(scenario: "login", seed: 1)
        #expect(!image.bytes.isEmpty)
        let answer = Self.answer(issuer, seed: 1)
        #expect(!token.contains(answer))
        let otherServer = try Self.make(clock: clock)
        #expect(try await otherServer.verify(answer.lowercased(), token: token, scenario: "login"))
        #expect(try await !otherServer.verify(answer, token: token, scenario: "login"), "replayed")
    }

    @Test("a wrong answer uses the token up")
    func wrongConsumes() async throws {
        let captcha = try Self.make()
        let (_, token) = try captcha.generate(seed: 2)
        #expect(try await !captcha.verify("nope", token: token))
        #expect(try await !captcha.verify(Self.answer(captcha, seed: 2), token: token))
    }

    @Test("tampered, foreign, expired and malformed tokens never pass")
    func tampering() async throws {
        let clock = ManualClock()
        let captcha = try Self.make(clock: clock)
        let answer = Self.answer(captcha, seed: 3)
        let (_, token) = try captcha.generate(scenario: "a", seed: 3)
        var bytes = Array(token)
        bytes[20] = bytes[20] == "A" ? "B" : "A"
        #expect(try await !captcha.verify(answer, token: String(bytes), scenario: "a"))
        #expect(try await !captcha.verify(answer, token: token, scenario: "b"), "bound to its scenario")
        for junk in ["", "x", String(repeating: "A", count: 119), "!!!", String(repeating: "z", count: 10_000)] {
            #expect(try await !captcha.verify(answer, token: junk, scenario: "a"))
        }
        let (_, fresh) = try captcha.generate(scenario: "a", seed: 3)
        clock.advance(1801)
        #expect(try await !captcha.verify(answer, token: fresh, scenario: "a"))
        // A token made with another secret.
        let stranger = try StatelessCaptcha(fonts: TestFonts.library, secret: try CaptchaSecret(bytes: Array(repeating: 1, count: 32)))
        let (_, foreign) = try stranger.generate(scenario: "a", seed: 3)
        #expect(try await !captcha.verify(answer, token: foreign, scenario: "a"))
    }
}
