import Captcha
import Foundation
import Raster
import Testing
import TestSupport

@Suite("Verification")
struct VerificationTests {
    static func make(
        clock: ManualClock = ManualClock(), store: MemoryCaptchaStore? = nil, _ change: (inout CaptchaOptions) -> Void = { _ in }
    ) throws -> Captcha {
        var options = CaptchaOptions()
        change(&options)
        return try Captcha(
            options: options, fonts: TestFonts.library, secret: try CaptchaSecret(bytes: Array(repeating: 7, count: 32)),
            store: store ?? MemoryCaptchaStore(now: clock.function), now: clock.function)
    }

    let key = try! CaptchaKey(client: "session-1", scenario: "login")

    @Test("the right answer passes once")
    func rightOnce() async throws {
        let captcha = try Self.make()
        _ = try await captcha.generate(for: key, seed: 1)
        let answer = captchaAnswer(captcha, seed: 1)
        #expect(try await captcha.verify(answer, for: key))
        #expect(try await !captcha.verify(answer, for: key))
    }

    @Test("with flush, a wrong answer uses the challenge up")
    func flushConsumes() async throws {
        let captcha = try Self.make()
        _ = try await captcha.generate(for: key, seed: 2)
        #expect(try await !captcha.verify("nope", for: key))
        #expect(try await !captcha.verify(captchaAnswer(captcha, seed: 2), for: key))
    }

    @Test("without flush, wrong answers keep it up to the attempt limit; a right one keeps it for one later use")
    func noFlush() async throws {
        let captcha = try Self.make { $0.maxAttempts = 3 }
        _ = try await captcha.generate(for: key, seed: 3)
        let answer = captchaAnswer(captcha, seed: 3)
        #expect(try await !captcha.verify("wrong", for: key, flush: false))
        #expect(try await !captcha.verify("wrong", for: key, flush: false))
        #expect(try await captcha.verify(answer, for: key, flush: false), "the pre-check")
        #expect(try await captcha.verify(answer, for: key, flush: true), "the one later use")
        #expect(try await !captcha.verify(answer, for: key, flush: false), "then it is gone")
        _ = try await captcha.generate(for: key, seed: 3)
        for _ in 0..<3 { #expect(try await !captcha.verify("wrong", for: key, flush: false)) }
        #expect(try await !captcha.verify(answer, for: key, flush: false), "dropped after 3 wrong answers")
    }

    @Test("ThinkPHP's reset option sets the default")
    func resetOption() async throws {
        let captcha = try Self.make { $0.reset = false }
        _ = try await captcha.generate(for: key, seed: 4)
        #expect(try await !captcha.verify("wrong", for: key))
        #expect(try await captcha.verify(captchaAnswer(captcha, seed: 4), for: key))
    }

    @Test("expired challenges never pass")
    func expiry() async throws {
        let clock = ManualClock()
        let captcha = try Self.make(clock: clock) { $0.expire = 60 }
        _ = try await captcha.generate(for: key, seed: 5)
        clock.advance(61)
        #expect(try await !captcha.verify(captchaAnswer(captcha, seed: 5), for: key))
        _ = try await captcha.generate(for: key, seed: 5)
        clock.advance(59)
        #expect(try await captcha.verify(captchaAnswer(captcha, seed: 5), for: key))
    }

    @Test("empty answers and unknown slots never pass")
    func emptyAndUnknown() async throws {
        let captcha = try Self.make()
        #expect(try await !captcha.verify("", for: key))
        #expect(try await !captcha.verify(nil, for: key))
        _ = try await captcha.generate(for: key, seed: 6)
        #expect(try await !captcha.verify("   ", for: key, flush: false))
        #expect(try await !captcha.verify(nil, for: key))
    }

    @Test("answers compare case-insensitively, without spaces, full-width digits folded")
    func normalization() async throws {
        let captcha = try Self.make()
        _ = try await captcha.generate(for: key, seed: 7)
        let answer = captchaAnswer(captcha, seed: 7)
        #expect(try await captcha.verify(" " + answer.lowercased().map(String.init).joined(separator: " "), for: key))
        let math = try Self.make { $0.math = true }
        _ = try await math.generate(for: key, seed: 8)
        let sum = captchaAnswer(math, seed: 8)
        let fullWidth = String(sum.unicodeScalars.map { Character(Unicode.Scalar($0.value - 0x30 + 0xFF10)!) })
        #expect(try await math.verify(fullWidth, for: key))
        let strict = try Self.make { $0.caseSensitive = true; $0.codeSet = "abcdefhkmnpr" }
        _ = try await strict.generate(for: key, seed: 9)
        #expect(try await !strict.verify(captchaAnswer(strict, seed: 9).uppercased(), for: key))
    }

    @Test("scenario ids and clients are independent slots")
    func slots() async throws {
        let captcha = try Self.make()
        let login = try CaptchaKey(client: "c1", scenario: "login")
        let register = try CaptchaKey(client: "c1", scenario: "register")
        let otherClient = try CaptchaKey(client: "c2", scenario: "login")
        _ = try await captcha.generate(for: login, seed: 10)
        _ = try await captcha.generate(for: register, seed: 11)
        _ = try await captcha.generate(for: otherClient, seed: 12)
        #expect(try await !captcha.verify(captchaAnswer(captcha, seed: 10), for: otherClient))
        #expect(try await captcha.verify(captchaAnswer(captcha, seed: 11), for: register))
        #expect(try await captcha.verify(captchaAnswer(captcha, seed: 10), for: login))
        #expect(throws: CaptchaError.self) { try CaptchaKey(client: "") }
        #expect(throws: CaptchaError.self) { try CaptchaKey(client: "c", scenario: String(repeating: "x", count: 500)) }
        #expect(throws: CaptchaError.self) { try CaptchaKey(client: "c", scenario: "a\u{0}b") }
    }

    @Test("a new challenge replaces the old one; reload gives a fresh one")
    func replacing() async throws {
        let captcha = try Self.make()
        _ = try await captcha.generate(for: key, seed: 13)
        _ = try await captcha.generate(for: key, seed: 14)
        #expect(try await !captcha.verify(captchaAnswer(captcha, seed: 13), for: key, flush: false))
        #expect(try await captcha.verify(captchaAnswer(captcha, seed: 14), for: key))
        let reloaded = try await captcha.reload(for: key)
        #expect(reloaded.format == .png)
    }

    @Test("of many concurrent right answers exactly one passes (two without flush: the pre-check and its later use)",
          arguments: [true, false])
    func singleUse(_ flush: Bool) async throws {
        let captcha = try Self.make()
        _ = try await captcha.generate(for: key, seed: 15)
        let answer = captchaAnswer(captcha, seed: 15)
        let key = self.key
        let passes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<64 { group.addTask { (try? await captcha.verify(answer, for: key, flush: flush)) ?? false } }
            var count = 0
            for await passed in group where passed { count += 1 }
            return count
        }
        #expect(passes == (flush ? 1 : 2))
    }

    @Test("different secrets do not accept each other's challenges")
    func secrets() async throws {
        let store = MemoryCaptchaStore()
        let a = try Captcha(fonts: TestFonts.library, secret: try CaptchaSecret(bytes: Array(repeating: 1, count: 32)), store: store)
        let b = try Captcha(fonts: TestFonts.library, secret: try CaptchaSecret(bytes: Array(repeating: 2, count: 32)), store: store)
        _ = try await a.generate(for: key, seed: 16)
        #expect(try await !b.verify(captchaAnswer(a, seed: 16), for: key))
        #expect(throws: CaptchaError.self) { try CaptchaSecret(bytes: [1, 2, 3]) }
    }
}

@Suite("Memory store")
struct MemoryStoreTests {
    static func record(_ expires: Date) -> CaptchaRecord { CaptchaRecord(digest: [1, 2, 3], expiresAt: expires) }

    @Test("it stays within its capacity, dropping the oldest first")
    func bounded() async throws {
        let clock = ManualClock()
        let store = MemoryCaptchaStore(capacity: 100, shardCount: 4, now: clock.function)
        let expires = clock.now.addingTimeInterval(600)
        for i in 0..<1000 { try await store.save(Self.record(expires), for: try CaptchaKey(client: "c\(i)")) }
        #expect(store.count <= 100)
        #expect(try await store.peek(try CaptchaKey(client: "c999")) != nil)
        #expect(try await store.peek(try CaptchaKey(client: "c0")) == nil)
    }

    @Test("expired challenges are evicted as new ones arrive")
    func evictsExpired() async throws {
        let clock = ManualClock()
        let store = MemoryCaptchaStore(capacity: 10_000, shardCount: 1, now: clock.function)
        for i in 0..<50 { try await store.save(Self.record(clock.now.addingTimeInterval(10)), for: try CaptchaKey(client: "old\(i)")) }
        #expect(store.count == 50)
        clock.advance(11)
        try await store.save(Self.record(clock.now.addingTimeInterval(10)), for: try CaptchaKey(client: "new"))
        #expect(store.count == 1)
    }

    @Test("replacing a key does not let its stale queue entry evict the new record")
    func replacement() async throws {
        let clock = ManualClock()
        let store = MemoryCaptchaStore(capacity: 2, shardCount: 1, now: clock.function)
        let a = try CaptchaKey(client: "a"), b = try CaptchaKey(client: "b")
        try await store.save(Self.record(clock.now.addingTimeInterval(100)), for: a)
        try await store.save(Self.record(clock.now.addingTimeInterval(100)), for: a)
        try await store.save(Self.record(clock.now.addingTimeInterval(100)), for: b)
        #expect(try await store.peek(a) != nil && store.count == 2)
        #expect(try await store.take(a) != nil)
        #expect(try await store.take(a) == nil)
    }
}
