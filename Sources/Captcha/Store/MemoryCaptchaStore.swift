public import Foundation
import Synchronization

/// An in-process store: sharded by key so that threads rarely meet on a lock,
/// bounded so that a flood of captcha requests cannot grow it without limit,
/// and self-cleaning: expired challenges are dropped as new ones arrive, and
/// when a shard is full its oldest challenge makes room.
public final class MemoryCaptchaStore: CaptchaStore {
    private struct Entry {
        var record: CaptchaRecord
        var sequence: UInt64
    }

    private struct Shard: ~Copyable {
        var entries: [CaptchaKey: Entry] = [:]
        /// Keys in order of saving; an item whose sequence no longer matches its
        /// entry is stale (the key was replaced or removed) and is skipped.
        var order: [(key: CaptchaKey, sequence: UInt64, expiresAt: Date)] = []
        var head = 0
        var nextSequence: UInt64 = 0

        mutating func popFront() -> (key: CaptchaKey, sequence: UInt64, expiresAt: Date)? {
            guard head < order.count else { return nil }
            let item = order[head]
            head += 1
            if head > 1024 && head * 2 > order.count {
                order.removeFirst(head)
                head = 0
            }
            return item
        }

        /// Drops everything expired at the front, then the oldest while over `capacity`.
        mutating func evict(now: Date, capacity: Int) {
            while head < order.count {
                let front = order[head]
                let live = entries[front.key].map { $0.sequence == front.sequence } ?? false
                if !live {
                    _ = popFront()
                } else if front.expiresAt <= now || entries.count > capacity {
                    entries[front.key] = nil
                    _ = popFront()
                } else {
                    break
                }
            }
        }
    }

    private final class Lock: Sendable {
        let shard = Mutex(Shard())
    }

    private let shards: [Lock]
    private let capacityPerShard: Int
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - capacity: challenges kept at most (spread over the shards).
    ///   - shardCount: independent locks.
    ///   - now: the clock (injectable for tests).
    public init(capacity: Int = 1_000_000, shardCount: Int = 16, now: @escaping @Sendable () -> Date = Date.init) {
        let count = max(1, shardCount)
        shards = (0..<count).map { _ in Lock() }
        capacityPerShard = max(1, capacity / count)
        self.now = now
    }

    /// Challenges held, expired ones not yet evicted included.
    public var count: Int { shards.reduce(0) { total, lock in total + lock.shard.withLock { $0.entries.count } } }

    private func lock(for key: CaptchaKey) -> Lock {
        var hasher = Hasher()
        hasher.combine(key)
        return shards[Int(UInt(bitPattern: hasher.finalize()) % UInt(shards.count))]
    }

    public func save(_ record: CaptchaRecord, for key: CaptchaKey) async throws(CaptchaError) {
        let time = now(), capacity = capacityPerShard
        lock(for: key).shard.withLock { shard in
            shard.nextSequence += 1
            shard.entries[key] = Entry(record: record, sequence: shard.nextSequence)
            shard.order.append((key, shard.nextSequence, record.expiresAt))
            shard.evict(now: time, capacity: capacity)
        }
    }

    public func peek(_ key: CaptchaKey) async throws(CaptchaError) -> CaptchaRecord? {
        lock(for: key).shard.withLock { $0.entries[key]?.record }
    }

    public func take(_ key: CaptchaKey) async throws(CaptchaError) -> CaptchaRecord? {
        lock(for: key).shard.withLock { $0.entries.removeValue(forKey: key)?.record }
    }

    public func markChecked(_ key: CaptchaKey) async throws(CaptchaError) -> Bool {
        lock(for: key).shard.withLock { shard in
            guard var entry = shard.entries[key], !entry.record.checked else { return false }
            entry.record.checked = true
            shard.entries[key] = entry
            return true
        }
    }

    public func recordFailure(_ key: CaptchaKey, limit: Int) async throws(CaptchaError) {
        lock(for: key).shard.withLock { shard in
            guard var entry = shard.entries[key] else { return }
            entry.record.failedAttempts += 1
            shard.entries[key] = entry.record.failedAttempts >= limit ? nil : entry
        }
    }
}
