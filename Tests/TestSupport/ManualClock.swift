public import Foundation
import Synchronization

/// A clock the test moves by hand, from a fixed start.
public final class ManualClock: Sendable {
    private let time = Mutex(Date(timeIntervalSince1970: 1_800_000_000))

    public init() {}

    public var now: Date { time.withLock { $0 } }
    public func advance(_ seconds: TimeInterval) { time.withLock { $0 += seconds } }
    public var function: @Sendable () -> Date { { [self] in self.now } }
}
