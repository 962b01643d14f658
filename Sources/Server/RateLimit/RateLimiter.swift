public import Foundation
import Synchronization

/// Token buckets per (bucket, client): each holds up to `burst` tokens and
/// refills at `perSecond`; a request takes one or is refused with the wait
/// until the next token. The table is bounded: full (idle) buckets are dropped
/// first when it grows past `capacity`.
public final class RateLimiter: Sendable {
    public struct Limit: Sendable, Equatable {
        public var burst: Double
        public var perSecond: Double

        public init(burst: Double, perSecond: Double) {
            self.burst = burst
            self.perSecond = perSecond
        }
    }

    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    private struct Key: Hashable {
        var bucket: String
        var client: String
    }

    private let buckets = Mutex<[Key: Bucket]>([:])
    private let now: @Sendable () -> Date
    private let capacity: Int

    public init(capacity: Int = 100_000, now: @escaping @Sendable () -> Date = Date.init) {
        self.capacity = capacity
        self.now = now
    }

    /// nil when the request may go ahead; else the seconds until it could.
    public func take(_ bucket: String, client: String, limit: Limit) -> Double? {
        let time = now()
        let capacity = self.capacity
        return buckets.withLock { table -> Double? in
            let key = Key(bucket: bucket, client: client)
            var state = table[key] ?? Bucket(tokens: limit.burst, updated: time)
            let elapsed = max(0, time.timeIntervalSince(state.updated))
            state.tokens = min(limit.burst, state.tokens + elapsed * limit.perSecond)
            state.updated = time
            if table.count >= capacity, table[key] == nil {
                // Buckets that have refilled hold no state worth keeping.
                table = table.filter { $0.value.tokens + time.timeIntervalSince($0.value.updated) * limit.perSecond < limit.burst }
            }
            guard state.tokens >= 1 else {
                table[key] = state
                return (1 - state.tokens) / max(limit.perSecond, 1e-9)
            }
            state.tokens -= 1
            table[key] = state
            return nil
        }
    }
}
