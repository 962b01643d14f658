import Captcha
import Foundation
import Raster
import Synchronization

enum Fixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let fonts: FontLibrary = {
        do { return try FontLibrary(folder: packageRoot.appendingPathComponent("fonts").path) } catch {
            fatalError("fonts/ must load: \(error)")
        }
    }()

    /// The answer `generate(..., seed:)` uses, recomputed the same way.
    static func answer(_ captcha: Captcha, seed: UInt64) -> String {
        var random = CaptchaRandom(seed: seed)
        return captcha.renderer.challenges.make(using: &random).answer
    }
}

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 += seconds } }
    var function: @Sendable () -> Date { { [self] in self.now } }
}
